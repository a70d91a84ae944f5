"""Ingestion: GitHub pull requests and reviews, Slack messages and replies, meetings and manual entries -> events.

Every event is written with `bulk_create(ignore_conflicts=True)` against the unique (source_key, external_id), so
re-running a sync never double counts. A sync reads from its source's cursor, writes its events batch by batch
with the resume state that says how far it got (a rate-limited run resumes there), and advances the cursor only
in the transaction that writes its last events. Rate-limit facts and pacing: ../shared/DESIGN.md, "Activity and
do-ocracy".
"""

import copy
import datetime as dt
import hashlib
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from challenges.enums import ChallengeStatus
from challenges.models import Attendance, Challenge

from . import github, slack
from .integrations import IntegrationError, PermanentError, RateLimited, TransientError
from .models import ActivityEvent, ActivitySource, EventKind, SourceKind, SyncStatus

# Provider timestamps and our clock differ a little: each run re-reads a few minutes before its cursor (the
# unique constraint makes the overlap free).
CLOCK_OVERLAP = dt.timedelta(minutes=5)
# History returns thread parents only, and only parents newer than `oldest`: read this far behind the cursor to
# see the threads that may have new replies (their `latest_reply`). Older threads count as finished.
THREAD_LOOKBACK = dt.timedelta(days=28)
# A run that has said "running" this long died with its worker: another may take over.
STALE_RUN = dt.timedelta(hours=1)
# When a transient failure outlives the task's own retries, the beat tries again after this.
TRANSIENT_FALLBACK = dt.timedelta(hours=1)
# A source the beat has queued is not queued again for this long (the task message may wait behind others).
REQUEUE_AFTER = dt.timedelta(hours=1)
# Weekly syncs start Monday 00:00 UTC (the week just ended) and are spread over this window, one fixed minute per
# challenge, so hundreds of challenges never hit GitHub's secondary limits or Slack's shared buckets at one tick.
# It ends two hours before the Monday 06:00 scoring: time for a rate-limited sync to resume after GitHub's reset.
WEEKLY_SYNC_WINDOW = dt.timedelta(hours=4)
GITHUB_PAGE_SIZE = github.PAGE_SIZE
# Slack limits calls, not messages (Tier 3: about 50 a minute), and the look-back makes every run re-read four weeks
# of parents: the largest page an internal app may ask for keeps a quiet week at one history call.
SLACK_PAGE_SIZE = 999

__all__ = [
    "challenge_sources_ensure",
    "due_source_ids",
    "manual_event_add",
    "meeting_events_sync",
    "source_cursor_reset",
    "source_key",
    "source_sync",
    "weekly_sync_offset",
    "weekly_sync_slot",
]


# -- sources -----------------------------------------------------------------------------------------------------


def configured_sources(challenge: Challenge) -> list[tuple[str, str]]:
    """(kind, identifier) of every repository and Slack channel the challenge lists, once each, in order."""
    wanted = [(SourceKind.GITHUB_REPOSITORY, name) for name in challenge.github_repositories or []]
    wanted += [(SourceKind.SLACK_CHANNEL, channel) for channel in challenge.slack_channel_ids or []]
    return list(dict.fromkeys(wanted))


def challenge_sources_ensure(*, challenge: Challenge) -> list[ActivitySource]:
    """One source per repository and Slack channel the challenge lists (idempotent; old sources are kept)."""
    return [
        ActivitySource.objects.get_or_create(challenge=challenge, kind=kind, identifier=identifier)[0]
        for kind, identifier in configured_sources(challenge)
    ]


def source_key(source: ActivitySource) -> str:
    """The event store's name of a source: `github:OmdenaAI/floods`, `slack:C012AB3CD`."""
    prefix = "github" if source.kind == SourceKind.GITHUB_REPOSITORY else "slack"
    return f"{prefix}:{source.identifier}"


def source_cursor_reset(*, source: ActivitySource, since: dt.datetime) -> ActivitySource:
    """Sync again from `since` (staff, after fixing a source or to backfill); stored events stay."""
    source.cursor = since
    source.resume_state = {}
    source.next_attempt_at = None
    source.etag = ""  # the next listing must really read back to `since`, not answer "unchanged"
    source.save(update_fields=["cursor", "resume_state", "next_attempt_at", "etag"])
    return source


# -- one sync run --------------------------------------------------------------------------------------------------


def source_sync(*, source_id: int, now: dt.datetime | None = None) -> ActivitySource:
    """Run one sync of one source from its cursor (or where an interrupted run stopped); safe to call twice.

    Re-raises RateLimited (after recording `next_attempt_at`) and TransientError for the task to reschedule or
    retry; a refusal (PermanentError, NotFound) is recorded as failed with the provider's message.
    """
    now = now or timezone.now()
    source = ActivitySource.objects.select_related("challenge").get(pk=source_id)
    if not _claim(source, now):
        return source  # another worker runs it, or the provider asked us to wait
    run = _Run(source, now)
    try:
        if source.kind == SourceKind.GITHUB_REPOSITORY:
            _sync_github(run)
        else:
            _sync_slack(run)
    except RateLimited as error:
        run.stop(SyncStatus.RATE_LIMITED, error, next_attempt_at=error.retry_at, not_before=error.retry_at)
        raise
    except TransientError as error:
        run.stop(SyncStatus.FAILED, error, next_attempt_at=now + TRANSIENT_FALLBACK)
        raise
    except PermanentError as error:
        run.stop(SyncStatus.FAILED, error, next_attempt_at=None)
    except BaseException as error:
        run.stop(SyncStatus.FAILED, error, next_attempt_at=now + TRANSIENT_FALLBACK)
        raise
    source.refresh_from_db()
    return source


def _claim(source: ActivitySource, now: dt.datetime) -> bool:
    """Mark the source running unless another run holds it (a conditional UPDATE: no lock held for the run)."""
    not_before = source.resume_state.get("not_before")
    if not_before and dt.datetime.fromisoformat(not_before) > now:
        return False
    claimed = (
        ActivitySource.objects.filter(pk=source.pk)
        .filter(~Q(status=SyncStatus.RUNNING) | Q(last_run_at__lt=now - STALE_RUN) | Q(last_run_at__isnull=True))
        .update(status=SyncStatus.RUNNING, last_run_at=now)
    )
    if claimed:
        source.status, source.last_run_at = SyncStatus.RUNNING, now
    return bool(claimed)


class _Run:
    """One attempt: holds the last batch of events back so the final batch and the cursor share a transaction."""

    def __init__(self, source: ActivitySource, now: dt.datetime):
        self.source = source
        self.key = source_key(source)
        self.now = now
        state = {k: v for k, v in (source.resume_state or {}).items() if k != "not_before"}
        if "since" not in state:
            state = {"since": _since(source, now).isoformat(), "started_at": now.isoformat()}
        self.state: dict[str, Any] = state
        self.saved_state = copy.deepcopy(state)
        self.since = dt.datetime.fromisoformat(state["since"])
        self.started_at = dt.datetime.fromisoformat(state["started_at"])
        self.requests = 0
        self.events_before = ActivityEvent.objects.filter(source_key=self.key).count()
        self._held: list[ActivityEvent] = []
        self._held_state: dict[str, Any] | None = None
        self.etag: str | None = None  # set by a conditional GitHub request; stored when the run completes

    def hold(self, events: list[ActivityEvent]) -> None:
        """Write what was held before, then hold these events with the state that includes them."""
        self.flush()
        self._held, self._held_state = events, copy.deepcopy(self.state)

    def flush(self) -> None:
        if self._held_state is None:
            return
        with transaction.atomic():
            ActivityEvent.objects.bulk_create(self._held, ignore_conflicts=True)
            self.source.resume_state = self._held_state
            self.source.save(update_fields=["resume_state"])
        self.saved_state = self._held_state
        self._held, self._held_state = [], None

    def finish(self) -> None:
        """Write the last events and advance the cursor to when the run (its first attempt) started."""
        source = self.source
        with transaction.atomic():
            ActivityEvent.objects.bulk_create(self._held, ignore_conflicts=True)
            source.cursor = self.started_at
            source.resume_state = {}
            source.status = SyncStatus.OK
            source.last_success_at = self.now
            source.next_attempt_at = None
            source.last_error = ""
            source.last_run_events = self._events_added()
            source.last_run_requests = self.requests
            if self.etag is not None:
                source.etag = self.etag
            source.save(update_fields=[*self._fields, "cursor", "last_success_at", "etag"])

    def stop(
        self,
        status: str,
        error: BaseException,
        *,
        next_attempt_at: dt.datetime | None,
        not_before: dt.datetime | None = None,
    ) -> None:
        """Keep what was fetched, record why the run stopped; the cursor stays where it was."""
        try:
            self.flush()
        except Exception:  # the database failed too: record the status with the state last saved
            self._held_state = None
        state = dict(self.saved_state)
        if not_before is not None:
            state["not_before"] = not_before.isoformat()
        source = self.source
        source.resume_state = state
        source.status = status
        source.next_attempt_at = next_attempt_at
        source.last_error = _error_text(error)[:2000]
        source.last_run_events = self._events_added()
        source.last_run_requests = self.requests
        source.save(update_fields=self._fields)

    _fields = [
        "resume_state",
        "status",
        "next_attempt_at",
        "last_error",
        "last_run_events",
        "last_run_requests",
    ]

    def _events_added(self) -> int:
        return max(ActivityEvent.objects.filter(source_key=self.key).count() - self.events_before, 0)


def _since(source: ActivitySource, now: dt.datetime) -> dt.datetime:
    if source.cursor is not None:
        return source.cursor - CLOCK_OVERLAP
    start_date = source.challenge.start_date
    if start_date is not None:
        return dt.datetime.combine(start_date, dt.time.min, tzinfo=dt.UTC)
    return source.challenge.created_at


def _error_text(error: BaseException) -> str:
    if isinstance(error, IntegrationError):
        status = f" (HTTP {error.status})" if error.status else ""
        return f"{error.provider_name}: {error.message}{status}"
    return f"{type(error).__name__}: {error}"


# -- GitHub ---------------------------------------------------------------------------------------------------------


def _sync_github(run: _Run) -> None:
    """Pull requests updated since the cursor (one list request when nothing changed), then their reviews."""
    repo, since = run.source.identifier, run.since
    if "reviewed" not in run.state:
        # A fresh run after a complete one: a conditional request first (304: nothing changed, and free).
        run.requests += 1
        changed, run.etag = github.pull_requests_changed(repo, run.source.etag)
        if not changed:
            run.finish()
            return
    pulls = github.list_pull_requests_updated_since(repo, since)
    run.requests += pulls.requests  # the list stops at the first older PR: its pages up to that one
    events = []
    for pull in pulls:
        if pull.created_at >= since:
            events.append(_github_event(run, f"pr:{pull.id}:opened", EventKind.PR_OPENED, pull, pull.created_at))
        if pull.merged_at is not None and pull.merged_at >= since:
            events.append(_github_event(run, f"pr:{pull.id}:merged", EventKind.PR_MERGED, pull, pull.merged_at))
    run.state.setdefault("reviewed", [])
    run.hold(_matched_github(events))
    for pull in pulls:
        if pull.number in run.state["reviewed"]:
            continue  # done before this run was interrupted
        run.requests += 1
        reviews = github.list_reviews(repo, pull.number)
        run.requests += max(len(reviews) - 1, 0) // GITHUB_PAGE_SIZE
        review_events = [
            _github_event(run, f"review:{review.id}", EventKind.REVIEW, review, review.submitted_at)
            for review in reviews
            # A pending review is not submitted; a comment on one's own pull request is not a review given.
            if review.submitted_at is not None
            and review.submitted_at >= since
            and not (review.author_id is not None and review.author_id == pull.author_id)
        ]
        run.state["reviewed"].append(pull.number)
        run.hold(_matched_github(review_events))
    run.finish()


def _github_event(
    run: _Run, external_id: str, kind: str, item: github.PullRequest | github.Review, occurred_at: dt.datetime
) -> ActivityEvent:
    return ActivityEvent(
        challenge_id=run.source.challenge_id,
        source_key=run.key,
        external_id=external_id,
        kind=kind,
        occurred_at=occurred_at,
        url=item.html_url[:500],
        actor_github_id=item.author_id,
        actor_login=(item.author_login or "")[:100],
    )


def _matched_github(events: list[ActivityEvent]) -> list[ActivityEvent]:
    """Match by the numeric GitHub id (stable across renames), then by the login, case-insensitive.

    The login fallback only matches people whose id we do not know: someone with a known, different id is not
    the same account, even if the login was passed on to them.
    """
    ids = {event.actor_github_id for event in events if event.actor_github_id is not None}
    logins = {event.actor_login.lower() for event in events if event.actor_login}
    if not events or not (ids or logins):
        return events
    people = (
        get_user_model()
        .objects.annotate(login=Lower("github_username"))
        .filter(Q(github_user_id__in=ids) | Q(github_user_id__isnull=True, login__in=logins))
        .values_list("pk", "github_user_id", "login")
    )
    by_id: dict[int, int] = {}
    by_login: dict[str, int | None] = {}
    for pk, github_id, login in people:
        if github_id is not None:
            by_id[github_id] = pk
        elif login:
            by_login[login] = None if login in by_login else pk  # two people claim one login: match neither
    for event in events:
        event.person_id = by_id.get(event.actor_github_id) or by_login.get(event.actor_login.lower())
    return events


# -- Slack ----------------------------------------------------------------------------------------------------------


def _sync_slack(run: _Run) -> None:
    """History from the cursor page by page (resumable at `next_cursor`), then replies of threads with new ones."""
    channel, since = run.source.identifier, run.since
    state = run.state
    state.setdefault("threads", [])
    state.setdefault("threads_done", 0)
    oldest = (since - THREAD_LOOKBACK).timestamp()
    while not state.get("history_done"):
        run.requests += 1
        page = slack.channel_history(channel, oldest=oldest, cursor=state.get("next_cursor"), limit=SLACK_PAGE_SIZE)
        events = [
            _slack_event(run, message)
            for message in page.messages
            if slack.is_activity(message) and message.occurred_at >= since
        ]
        state["threads"] += [
            message.ts
            for message in page.messages
            if message.is_thread_parent and message.latest_reply and float(message.latest_reply) >= since.timestamp()
        ]
        state["next_cursor"] = page.next_cursor
        state["history_done"] = page.next_cursor is None
        run.hold(_matched_slack(events))
    while state["threads_done"] < len(state["threads"]):
        thread_ts = state["threads"][state["threads_done"]]
        run.requests += 1
        replies = slack.thread_replies(channel, thread_ts, oldest=since.timestamp())
        run.requests += max(len(replies) - 1, 0) // SLACK_PAGE_SIZE
        state["threads_done"] += 1
        run.hold(_matched_slack([_slack_event(run, reply) for reply in replies if slack.is_activity(reply)]))
    run.finish()


def _slack_event(run: _Run, message: slack.SlackMessage) -> ActivityEvent:
    channel = run.source.identifier
    is_reply = message.thread_ts is not None and message.thread_ts != message.ts  # also a reply sent to the channel
    url = f"https://slack.com/archives/{channel}/p{message.ts.replace('.', '')}"
    if is_reply:
        url += f"?thread_ts={message.thread_ts}&cid={channel}"
    return ActivityEvent(
        challenge_id=run.source.challenge_id,
        source_key=run.key,
        external_id=f"{channel}:{message.ts}",
        kind=EventKind.REPLY if is_reply else EventKind.MESSAGE,
        occurred_at=message.occurred_at,
        url=url,
        actor_slack_id=message.user or "",
    )


def _matched_slack(events: list[ActivityEvent]) -> list[ActivityEvent]:
    ids = {event.actor_slack_id for event in events if event.actor_slack_id}
    if ids:
        people = dict(get_user_model().objects.filter(slack_user_id__in=ids).values_list("slack_user_id", "pk"))
        for event in events:
            event.person_id = people.get(event.actor_slack_id)
    return events


# -- meetings and manual entries ------------------------------------------------------------------------------------


MEETING_SOURCE_KEY = "meeting"
MANUAL_SOURCE_KEY = "manual"


def meeting_events_sync(*, challenge: Challenge) -> int:
    """One `meeting` event per attendance marked attended (removed again when it is unmarked); returns the new."""
    attendances = Attendance.objects.filter(meeting__challenge=challenge, attended=True).select_related(
        "meeting", "membership"
    )
    events = [
        ActivityEvent(
            challenge=challenge,
            source_key=MEETING_SOURCE_KEY,
            external_id=f"attendance:{attendance.pk}",
            person_id=attendance.membership.person_id,
            kind=EventKind.MEETING,
            occurred_at=attendance.meeting.starts_at,
            url=attendance.meeting.link[:500],
        )
        for attendance in attendances
    ]
    wanted = {event.external_id for event in events}
    with transaction.atomic():
        stored = ActivityEvent.objects.filter(challenge=challenge, source_key=MEETING_SOURCE_KEY)
        stored.exclude(external_id__in=wanted).delete()
        before = stored.count()
        ActivityEvent.objects.bulk_create(events, ignore_conflicts=True)
        return stored.count() - before


def manual_event_add(
    *,
    challenge: Challenge,
    person,
    occurred_at: dt.datetime,
    reason: str,
    by,
    kind: str = EventKind.MANUAL,
) -> ActivityEvent:
    """Staff record work no integration sees (a client call, pair work), with the reason, audited."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the work was, e.g. “client call”.")})
    if timezone.is_naive(occurred_at):
        raise ValidationError({"occurred_at": _("The time needs a time zone.")})
    if occurred_at > timezone.now():
        raise ValidationError({"occurred_at": _("A manual entry records work already done.")})
    with transaction.atomic():
        event = ActivityEvent.objects.create(
            challenge=challenge,
            source_key=MANUAL_SOURCE_KEY,
            external_id=str(uuid.uuid4()),
            person=person,
            kind=kind,
            occurred_at=occurred_at,
            reason=reason[:300],
            created_by=by,
        )
        audit_record(actor=by, verb="activity.manual_event_add", subject=event, to_state=kind, note=reason[:300])
    return event


# -- the beat: retries that are due and the weekly syncs, staggered -------------------------------------------------


def weekly_sync_offset(challenge_id: int) -> dt.timedelta:
    """A fixed minute in the weekly window for this challenge (a stable hash: the same in every process)."""
    digest = hashlib.blake2b(str(challenge_id).encode(), digest_size=8).digest()
    minutes = int(WEEKLY_SYNC_WINDOW.total_seconds() // 60)
    return dt.timedelta(minutes=int.from_bytes(digest, "big") % minutes)


def weekly_sync_slot(challenge_id: int, now: dt.datetime) -> dt.datetime:
    """The latest moment at or before `now` when this challenge's weekly sync was due."""
    today = now.astimezone(dt.UTC).date()
    monday = dt.datetime.combine(today - dt.timedelta(days=today.weekday()), dt.time.min, tzinfo=dt.UTC)
    slot = monday + weekly_sync_offset(challenge_id)
    return slot if slot <= now else slot - dt.timedelta(weeks=1)


def due_source_ids(*, now: dt.datetime | None = None) -> list[int]:
    """Sources to sync now, marked queued so the next tick does not queue them again.

    Due: those whose next attempt has come (a rate limit over, a failure to retry, a lost task) and, for each
    running challenge whose weekly slot has passed, its sources not run since that slot.
    """
    now = now or timezone.now()
    running = list(Challenge.objects.filter(status=ChallengeStatus.RUNNING))
    existing = set(
        ActivitySource.objects.filter(challenge__in=running).values_list("challenge_id", "kind", "identifier")
    )
    for challenge in running:  # a repository or channel added since the last tick gets its source
        configured = {(challenge.pk, kind, identifier) for kind, identifier in configured_sources(challenge)}
        if not configured <= existing:
            challenge_sources_ensure(challenge=challenge)
    not_waiting = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    idle = ~Q(status=SyncStatus.RUNNING) | Q(last_run_at__lt=now - STALE_RUN)
    weekly = Q(pk__in=[])
    for challenge in running:
        slot = weekly_sync_slot(challenge.pk, now)
        weekly |= Q(challenge_id=challenge.pk) & (Q(last_run_at__isnull=True) | Q(last_run_at__lt=slot))
    due = ActivitySource.objects.filter(idle & (Q(next_attempt_at__lte=now) | (weekly & not_waiting)))
    with transaction.atomic():
        ids = list(
            due.select_for_update(skip_locked=True)
            .order_by("challenge_id", "kind", "identifier")
            .values_list("pk", flat=True)
        )
        ActivitySource.objects.filter(pk__in=ids).update(next_attempt_at=now + REQUEUE_AFTER)
    return ids
