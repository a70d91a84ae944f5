"""Ingestion through the real PyGithub and slack-sdk clients against the fake servers; time travelled, no mocks."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from activity import ingestion
from activity.integrations import RateLimited, TransientError
from activity.models import ActivityEvent, ActivitySource, EventKind, SourceKind, SyncStatus
from activity.tasks import sync_challenge, sync_source
from audit.models import AuditEntry
from challenges.enums import ChallengeStatus
from challenges.models.tasks import Attendance, Meeting
from tests.factories import ChallengeFactory, MembershipFactory, UserFactory
from tests.fakes import Response
from tests.fakes.github_server import RATE_LIMIT_MESSAGE

pytestmark = pytest.mark.django_db

REPO = "OmdenaAI/floods"
CHANNEL = "C0FLOODS1"
START = dt.date(2026, 10, 26)  # a Monday, two weeks before NOW
NOW = dt.datetime(2026, 11, 9, 12, 0, tzinfo=dt.UTC)


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def ts(moment: dt.datetime) -> str:
    return f"{moment.timestamp():.6f}"


def snapshot(challenge) -> list[tuple]:
    """What a sync stored, comparable between runs."""
    return sorted(
        ActivityEvent.objects.filter(challenge=challenge).values_list(
            "source_key", "external_id", "kind", "person_id", "occurred_at", "actor_github_id", "actor_slack_id"
        )
    )


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def challenge(db, clock):
    return ChallengeFactory(
        slug="floods",
        status=ChallengeStatus.RUNNING,
        start_date=START,
        github_repositories=[REPO],
        slack_channel_ids=[CHANNEL],
    )


@pytest.fixture
def people(db):
    return {
        "ada": UserFactory(github_user_id=1001, github_username="ada-codes", slack_user_id="U0ADA"),
        # Linked GitHub by username only: matched by login, whatever its case.
        "ben": UserFactory(github_user_id=None, github_username="Ben-Dev", slack_user_id="U0BEN"),
        # Known under another id: the login "stranger" was passed on to someone else, who must not count as Carl.
        "carl": UserFactory(github_user_id=9999, github_username="stranger"),
    }


@pytest.fixture
def repo(fake_github):
    fake_github.add_user("ada-codes", id=1001)
    fake_github.add_user("ben-dev", id=2002)
    fake_github.add_user("stranger", id=3003)
    return fake_github.add_repo(REPO)


@pytest.fixture
def pulls(fake_github, repo):
    """Three updated pull requests with reviews, and one untouched since before the challenge."""
    fake_github.add_pull(REPO, author="ada-codes", created_at=days_ago(40), updated_at=days_ago(41), number=1)
    merged = fake_github.add_pull(
        REPO, author="ada-codes", created_at=days_ago(10), updated_at=days_ago(2), merged_at=days_ago(2), number=2
    )
    old = fake_github.add_pull(REPO, author="ben-dev", created_at=days_ago(30), updated_at=days_ago(5), number=3)
    ghost = fake_github.add_pull(REPO, author=None, created_at=days_ago(4), updated_at=days_ago(3), number=4)
    reviews = {
        "ben_on_2": fake_github.add_review(REPO, 2, author="Ben-Dev", submitted_at=days_ago(3)),
        "ada_on_3": fake_github.add_review(REPO, 3, author="ada-codes", submitted_at=days_ago(5), state="COMMENTED"),
        "ben_own_3": fake_github.add_review(REPO, 3, author="ben-dev", submitted_at=days_ago(5), state="COMMENTED"),
        "stranger_on_4": fake_github.add_review(REPO, 4, author="stranger", submitted_at=days_ago(3)),
        "pending_on_4": fake_github.add_review(REPO, 4, author="ada-codes", submitted_at=None, state="PENDING"),
    }
    return {"merged": merged, "old": old, "ghost": ghost, "reviews": reviews}


def github_source(challenge) -> ActivitySource:
    return ActivitySource.objects.get(challenge=challenge, kind=SourceKind.GITHUB_REPOSITORY)


def slack_source(challenge) -> ActivitySource:
    return ActivitySource.objects.get(challenge=challenge, kind=SourceKind.SLACK_CHANNEL)


@pytest.fixture
def sources(challenge):
    return ingestion.challenge_sources_ensure(challenge=challenge)


# -- sources ------------------------------------------------------------------------------------------------------


def test_one_source_per_repository_and_channel_idempotently(challenge):
    first = ingestion.challenge_sources_ensure(challenge=challenge)
    again = ingestion.challenge_sources_ensure(challenge=challenge)

    assert [(s.kind, s.identifier) for s in first] == [
        (SourceKind.GITHUB_REPOSITORY, REPO),
        (SourceKind.SLACK_CHANNEL, CHANNEL),
    ]
    assert [s.pk for s in again] == [s.pk for s in first]
    assert ActivitySource.objects.count() == 2
    assert {s.status for s in first} == {SyncStatus.NEVER}


# -- GitHub -------------------------------------------------------------------------------------------------------


def test_pull_requests_and_reviews_become_events_matched_by_id_then_login(challenge, sources, people, pulls):
    source = ingestion.source_sync(source_id=github_source(challenge).pk)

    merged, old, ghost, reviews = pulls["merged"], pulls["old"], pulls["ghost"], pulls["reviews"]
    stored = {
        (e.external_id, e.kind, e.person_id, e.actor_github_id, e.actor_login)
        for e in ActivityEvent.objects.filter(challenge=challenge)
    }
    ada, ben = people["ada"].pk, people["ben"].pk
    assert stored == {
        (f"pr:{merged['id']}:opened", EventKind.PR_OPENED, ada, 1001, "ada-codes"),
        (f"pr:{merged['id']}:merged", EventKind.PR_MERGED, ada, 1001, "ada-codes"),
        # PR 3 was opened before the challenge started: only its review in the window counts.
        (f"review:{reviews['ada_on_3']['id']}", EventKind.REVIEW, ada, 1001, "ada-codes"),
        (f"review:{reviews['ben_on_2']['id']}", EventKind.REVIEW, ben, 2002, "ben-dev"),
        # A deleted account ("user": null) and an unknown login are kept unmatched, with what identifies them.
        (f"pr:{ghost['id']}:opened", EventKind.PR_OPENED, None, None, ""),
        (f"review:{reviews['stranger_on_4']['id']}", EventKind.REVIEW, None, 3003, "stranger"),
    }
    opened = ActivityEvent.objects.get(external_id=f"pr:{merged['id']}:opened")
    assert opened.occurred_at == days_ago(10)
    assert opened.url == f"https://github.com/{REPO}/pull/2"
    assert ActivityEvent.objects.get(external_id=f"pr:{merged['id']}:merged").occurred_at == days_ago(2)
    assert old["number"] == 3  # listed (updated in the window), reviews fetched, no opened event
    assert (source.status, source.cursor, source.last_success_at, source.resume_state) == (
        SyncStatus.OK,
        NOW,
        NOW,
        {},
    )
    # The conditional request (no ETag yet: a full answer), one list page, one reviews call per updated PR.
    assert source.last_run_events == 6
    assert source.last_run_requests == 5


def test_a_rerun_adds_nothing_and_an_unchanged_repository_costs_one_request(
    challenge, sources, people, pulls, fake_github, clock
):
    source_id = github_source(challenge).pk
    ingestion.source_sync(source_id=source_id)
    before = snapshot(challenge)

    clock.shift(dt.timedelta(days=1))
    fake_github.reset_requests()
    source = ingestion.source_sync(source_id=source_id)

    assert snapshot(challenge) == before
    assert fake_github.requests_by_path() == {f"GET /repos/{REPO}/pulls": 1}  # no reviews calls
    assert (source.last_run_events, source.last_run_requests, source.cursor) == (0, 1, NOW + dt.timedelta(days=1))

    # The same window again (as after an interruption): still nothing new.
    ingestion.source_cursor_reset(source=source, since=dt.datetime.combine(START, dt.time.min, tzinfo=dt.UTC))
    ingestion.source_sync(source_id=source_id)
    assert snapshot(challenge) == before


def test_a_person_who_links_github_later_keeps_the_actor_for_matching(challenge, sources, pulls):
    ingestion.source_sync(source_id=github_source(challenge).pk)

    assert ActivityEvent.objects.filter(person__isnull=False).count() == 0
    assert ActivityEvent.objects.filter(actor_github_id=1001).count() == 3


def rate_limit_on(fake, path: str, *, reset_at: dt.datetime, status: int = 403) -> None:
    """The first request to `path` answers as a spent primary rate limit (`x-ratelimit-remaining: 0`)."""
    fake.fail_next(
        lambda: Response(
            status,
            {"message": RATE_LIMIT_MESSAGE, "documentation_url": "https://docs.github.com/rest"},
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(reset_at.timestamp()))},
        ),
        matches=lambda request: request.path == path,
    )


@pytest.mark.parametrize("status", [403, 429])
def test_a_github_sync_interrupted_by_the_rate_limit_resumes_to_the_same_events(
    challenge, sources, people, pulls, fake_github, clock, status
):
    source_id = github_source(challenge).pk
    reset_at = NOW + dt.timedelta(minutes=40)
    # Newest first: PR 2's reviews are fetched, then PR 4's answer "rate limited".
    rate_limit_on(fake_github, f"/repos/{REPO}/pulls/4/reviews", reset_at=reset_at, status=status)

    with pytest.raises(RateLimited):
        ingestion.source_sync(source_id=source_id)

    source = ActivitySource.objects.get(pk=source_id)
    assert (source.status, source.cursor, source.next_attempt_at) == (SyncStatus.RATE_LIMITED, None, reset_at)
    assert "rate limit exceeded" in source.last_error
    assert source.resume_state["reviewed"] == [2]
    kept = ActivityEvent.objects.filter(challenge=challenge).count()
    assert kept == 4  # the pull request events and PR 2's review: kept, not fetched again
    assert source.last_run_events == 4

    # Too early: the provider asked us to wait, so a duplicate run does not call it.
    fake_github.reset_requests()
    clock.shift(dt.timedelta(minutes=10))
    assert ingestion.source_sync(source_id=source_id).status == SyncStatus.RATE_LIMITED
    assert fake_github.request_count() == 0

    clock.move_to(reset_at + dt.timedelta(seconds=1))
    resumed = ingestion.source_sync(source_id=source_id)

    assert (resumed.status, resumed.cursor, resumed.next_attempt_at, resumed.resume_state) == (
        SyncStatus.OK,
        NOW,  # the first attempt's start: anything after it is read next time
        None,
        {},
    )
    assert resumed.last_error == ""
    by_path = fake_github.requests_by_path()
    assert f"GET /repos/{REPO}/pulls/2/reviews" not in by_path  # done before the interruption
    assert by_path[f"GET /repos/{REPO}/pulls/4/reviews"] == 1
    interrupted = snapshot(challenge)

    # The same data synced in one go stores exactly the same events.
    ActivityEvent.objects.all().delete()
    ActivitySource.objects.filter(pk=source_id).update(cursor=None, resume_state={}, status=SyncStatus.NEVER)
    clock.move_to(NOW)
    assert ingestion.source_sync(source_id=source_id).status == SyncStatus.OK
    assert snapshot(challenge) == interrupted
    assert len(interrupted) == 6


def test_a_502_leaves_the_cursor_where_it_was(challenge, sources, pulls, fake_github, clock):
    source_id = github_source(challenge).pk
    ingestion.source_sync(source_id=source_id)
    clock.shift(dt.timedelta(days=7))
    fake_github.break_next(status=502)

    with pytest.raises(TransientError):
        ingestion.source_sync(source_id=source_id)

    source = ActivitySource.objects.get(pk=source_id)
    assert (source.status, source.cursor) == (SyncStatus.FAILED, NOW)
    assert source.last_error == "GitHub: Server Error (HTTP 502)"
    assert source.next_attempt_at == NOW + dt.timedelta(days=7) + ingestion.TRANSIENT_FALLBACK


def test_the_task_retries_a_502_and_then_succeeds(challenge, sources, pulls, fake_github):
    fake_github.break_next(status=502)

    assert sync_source.delay(github_source(challenge).pk).get() == SyncStatus.OK

    assert github_source(challenge).cursor == NOW
    assert ActivityEvent.objects.count() == 6


def test_the_task_leaves_a_rate_limited_source_to_the_beat_in_eager_mode(challenge, sources, pulls, fake_github):
    fake_github.exhaust_rate_limit(reset_at=NOW + dt.timedelta(minutes=20))

    assert sync_source.delay(github_source(challenge).pk).get() == "rate_limited"

    source = github_source(challenge)
    assert (source.status, source.next_attempt_at) == (SyncStatus.RATE_LIMITED, NOW + dt.timedelta(minutes=20))
    assert source.pk not in ingestion.due_source_ids(now=NOW + dt.timedelta(minutes=19))
    assert source.pk in ingestion.due_source_ids(now=NOW + dt.timedelta(minutes=21))  # the beat takes it up


def test_a_missing_repository_fails_with_githubs_message_for_staff(challenge, fake_github):
    challenge.github_repositories = ["OmdenaAI/no-such-repo"]
    challenge.slack_channel_ids = []
    challenge.save()
    (source,) = ingestion.challenge_sources_ensure(challenge=challenge)

    source = ingestion.source_sync(source_id=source.pk)  # does not raise: nothing to retry

    assert (source.status, source.cursor, source.next_attempt_at) == (SyncStatus.FAILED, None, None)
    assert source.last_error == "GitHub: Not Found (HTTP 404)"


# -- Slack --------------------------------------------------------------------------------------------------------


@pytest.fixture
def workspace(fake_slack):
    fake_slack.add_user("U0ADA", email="ada@example.org", name="ada")
    fake_slack.add_user("U0BEN", email="ben@example.org", name="ben")
    fake_slack.add_user("U0EVE", email="eve@example.org", name="eve")
    fake_slack.add_channel(CHANNEL, members=("U0ADA", "U0BEN", "U0EVE"))
    return fake_slack


@pytest.fixture
def busy_channel(workspace):
    """2,100 messages (three pages of 999), noise, and a thread started before the challenge with a new reply."""
    for minute in range(2100):
        workspace.post(
            CHANNEL, user="U0ADA" if minute % 2 else "U0EVE", ts=ts(days_ago(6) + dt.timedelta(minutes=minute))
        )
    workspace.post(CHANNEL, user=None, subtype="bot_message", bot_id="B0CI", text="CI passed", ts=ts(days_ago(6.1)))
    workspace.post(CHANNEL, user="U0BEN", subtype="channel_join", text="<@U0BEN> has joined", ts=ts(days_ago(6.2)))
    workspace.post(CHANNEL, user="U0BOT", bot_id="B0BOT", text="reminder", ts=ts(days_ago(6.3)))
    parent = workspace.post(CHANNEL, user="U0BEN", text="plan?", ts=ts(days_ago(20)))
    workspace.post(CHANNEL, user="U0ADA", text="before the start", thread_ts=parent, ts=ts(days_ago(19)))
    workspace.post(CHANNEL, user="U0BEN", text="new reply", thread_ts=parent, ts=ts(days_ago(1)))
    return parent


def test_slack_history_pages_replies_on_old_threads_and_no_noise(challenge, sources, people, busy_channel, workspace):
    source = ingestion.source_sync(source_id=slack_source(challenge).pk)

    events = ActivityEvent.objects.filter(challenge=challenge)
    assert events.filter(kind=EventKind.MESSAGE).count() == 2100
    assert events.filter(kind=EventKind.MESSAGE, person=people["ada"]).count() == 1050
    assert events.filter(kind=EventKind.MESSAGE, person=None, actor_slack_id="U0EVE").count() == 1050
    (reply,) = events.filter(kind=EventKind.REPLY)
    assert (reply.person, reply.occurred_at) == (people["ben"], days_ago(1))
    assert reply.external_id == f"{CHANNEL}:{ts(days_ago(1))}"
    assert not events.filter(actor_slack_id="U0BOT").exists()
    assert not events.filter(external_id=f"{CHANNEL}:{busy_channel}").exists()  # the parent predates the start
    assert workspace.calls("conversations.history") == 3
    assert workspace.calls("conversations.replies") == 1
    assert (source.status, source.cursor, source.last_run_events, source.last_run_requests) == (
        SyncStatus.OK,
        NOW,
        2101,
        4,
    )


def test_a_new_reply_on_an_old_thread_is_found_next_week(challenge, sources, people, workspace, clock):
    parent = workspace.post(CHANNEL, user="U0ADA", text="who takes the EDA?", ts=ts(days_ago(3)))
    workspace.post(CHANNEL, user="U0BEN", text="me", thread_ts=parent, ts=ts(days_ago(2)))
    source_id = slack_source(challenge).pk
    ingestion.source_sync(source_id=source_id)
    assert ActivityEvent.objects.filter(kind=EventKind.REPLY).count() == 1

    late = workspace.post(CHANNEL, user="U0ADA", text="done!", thread_ts=parent, ts=ts(NOW + dt.timedelta(days=6)))
    clock.shift(dt.timedelta(days=7))
    workspace.reset_requests()
    ingestion.source_sync(source_id=source_id)

    assert set(ActivityEvent.objects.filter(kind=EventKind.REPLY).values_list("external_id", "person")) == {
        (f"{CHANNEL}:{ts(days_ago(2))}", people["ben"].pk),
        (f"{CHANNEL}:{late}", people["ada"].pk),
    }
    assert ActivityEvent.objects.filter(kind=EventKind.MESSAGE).count() == 1  # the parent, once
    assert (workspace.calls("conversations.history"), workspace.calls("conversations.replies")) == (1, 1)


def test_an_unchanged_channel_costs_one_request(challenge, sources, workspace, clock):
    workspace.post(CHANNEL, user="U0ADA", text="hello", ts=ts(days_ago(1)))
    source_id = slack_source(challenge).pk
    ingestion.source_sync(source_id=source_id)
    clock.shift(dt.timedelta(days=7))
    workspace.reset_requests()

    source = ingestion.source_sync(source_id=source_id)

    assert workspace.request_count() == 1
    assert (source.last_run_events, source.last_run_requests) == (0, 1)


def test_a_slack_sync_interrupted_by_429_resumes_from_the_stored_page(
    challenge, sources, people, busy_channel, workspace, clock
):
    source_id = slack_source(challenge).pk
    # The second history page answers 429 with Retry-After.
    workspace.fail_next(
        lambda: Response(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "45"}),
        matches=lambda request: request.path == "/api/conversations.history" and b"cursor=" in request.body,
    )

    with pytest.raises(RateLimited):
        ingestion.source_sync(source_id=source_id)

    source = ActivitySource.objects.get(pk=source_id)
    assert (source.status, source.cursor) == (SyncStatus.RATE_LIMITED, None)
    assert source.next_attempt_at == NOW + dt.timedelta(seconds=45)
    assert source.last_error == "Slack: ratelimited (HTTP 429)"
    assert source.resume_state["next_cursor"]  # where the resumed run starts
    assert ActivityEvent.objects.filter(challenge=challenge).count() == 999  # the first page, kept

    clock.shift(dt.timedelta(seconds=46))
    workspace.reset_requests()
    resumed = ingestion.source_sync(source_id=source_id)

    assert (resumed.status, resumed.cursor, resumed.resume_state) == (SyncStatus.OK, NOW, {})
    assert workspace.calls("conversations.history") == 2  # pages two and three, not the first again
    interrupted = snapshot(challenge)

    ActivityEvent.objects.all().delete()
    ActivitySource.objects.filter(pk=source_id).update(cursor=None, resume_state={}, status=SyncStatus.NEVER)
    clock.move_to(NOW)
    ingestion.source_sync(source_id=source_id)
    assert snapshot(challenge) == interrupted
    assert len(interrupted) == 2101


def test_a_429_on_thread_replies_resumes_with_the_threads_left(
    challenge, sources, people, busy_channel, workspace, clock
):
    source_id = slack_source(challenge).pk
    workspace.rate_limit_next(retry_after=30, method="conversations.replies")

    with pytest.raises(RateLimited):
        ingestion.source_sync(source_id=source_id)
    assert slack_source(challenge).resume_state["threads"] == [busy_channel]

    clock.shift(dt.timedelta(seconds=31))
    workspace.reset_requests()
    assert ingestion.source_sync(source_id=source_id).status == SyncStatus.OK
    assert (workspace.calls("conversations.history"), workspace.calls("conversations.replies")) == (0, 1)
    assert ActivityEvent.objects.filter(kind=EventKind.REPLY).count() == 1


# -- meetings and manual entries ----------------------------------------------------------------------------------


def test_manual_event_is_stored_with_its_reason_and_audited(challenge, people, staff):
    event = ingestion.manual_event_add(
        challenge=challenge, person=people["ada"], occurred_at=days_ago(1), reason="Client call", by=staff
    )

    assert (event.kind, event.source_key, event.person, event.reason, event.created_by) == (
        EventKind.MANUAL,
        "manual",
        people["ada"],
        "Client call",
        staff,
    )
    entry = AuditEntry.objects.get(object_id=str(event.pk), verb="activity.manual_event_add")
    assert (entry.actor, entry.note) == (staff, "Client call")
    second = ingestion.manual_event_add(
        challenge=challenge, person=people["ada"], occurred_at=days_ago(1), reason="Pair work", by=staff
    )
    assert second.external_id != event.external_id

    with pytest.raises(ValidationError):
        ingestion.manual_event_add(
            challenge=challenge, person=people["ada"], occurred_at=days_ago(1), reason="  ", by=staff
        )


def test_meeting_events_follow_attendance_idempotently(challenge, people):
    present = MembershipFactory(person=people["ada"], challenge=challenge)
    absent = MembershipFactory(person=people["ben"], challenge=challenge)
    meeting = Meeting.objects.create(challenge=challenge, week=2, starts_at=days_ago(3))
    attendance = Attendance.objects.create(meeting=meeting, membership=present, attended=True)
    Attendance.objects.create(meeting=meeting, membership=absent, attended=False)

    assert ingestion.meeting_events_sync(challenge=challenge) == 1
    assert ingestion.meeting_events_sync(challenge=challenge) == 0

    (event,) = ActivityEvent.objects.filter(kind=EventKind.MEETING)
    assert (event.external_id, event.person, event.occurred_at, event.source_key) == (
        f"attendance:{attendance.pk}",
        people["ada"],
        days_ago(3),
        "meeting",
    )
    attendance.attended = False
    attendance.save()
    assert ingestion.meeting_events_sync(challenge=challenge) == 0
    assert not ActivityEvent.objects.filter(kind=EventKind.MEETING).exists()


# -- the management command ---------------------------------------------------------------------------------------


def test_sync_activity_prints_progress_and_totals(challenge, people, pulls, workspace, clock):
    for hours in (1, 2, 3):
        workspace.post(CHANNEL, user="U0ADA", ts=ts(days_ago(hours / 24)))
    out = StringIO()
    call_command("sync_activity", "--challenge", "floods", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines == [
        "[##########..........] 1/2 floods GitHub repository OmdenaAI/floods: ok, 6 new event(s), 5 request(s)",
        "[####################] 2/2 floods Slack channel C0FLOODS1: ok, 3 new event(s), 1 request(s)",
        "Done: 2 source(s), 9 new event(s), 6 request(s); 2 ok, 0 rate limited, 0 failed.",
    ]

    clock.shift(dt.timedelta(days=7))
    out = StringIO()
    call_command("sync_activity", stdout=out)  # every running challenge; nothing new: a free 304 and one history call
    assert out.getvalue().splitlines()[-1] == (
        "Done: 2 source(s), 0 new event(s), 2 request(s); 2 ok, 0 rate limited, 0 failed."
    )


def test_sync_activity_since_resets_the_cursor_first(challenge, people, pulls, clock):
    challenge.slack_channel_ids = []
    challenge.save()
    call_command("sync_activity", "--challenge", "floods", stdout=StringIO())
    assert not ActivityEvent.objects.filter(external_id=f"pr:{pulls['old']['id']}:opened").exists()

    out = StringIO()
    call_command("sync_activity", "--challenge", "floods", "--since", "2026-10-01", stdout=out)

    assert out.getvalue().splitlines()[0] == "Cursor of 1 source(s) reset to 2026-10-01."
    # PR 3, opened 30 days ago, is inside the new window now.
    assert ActivityEvent.objects.filter(external_id=f"pr:{pulls['old']['id']}:opened").exists()
    assert github_source(challenge).cursor == NOW


def test_sync_activity_reports_a_failing_source_and_goes_on(challenge, people, pulls, busy_channel, fake_github):
    fake_github.exhaust_rate_limit(reset_at=NOW + dt.timedelta(hours=1))
    out = StringIO()

    call_command("sync_activity", "--challenge", "floods", stdout=out)

    lines = out.getvalue().splitlines()
    assert "rate limited until 2026-11-09 13:00 UTC" in lines[0]
    assert lines[-1].endswith("1 ok, 1 rate limited, 0 failed.")


def test_unknown_challenge_is_an_error(db):
    with pytest.raises(Exception, match="No challenge"):
        call_command("sync_activity", "--challenge", "nope", stdout=StringIO())


# -- tasks and the beat -------------------------------------------------------------------------------------------


def test_sync_challenge_task_syncs_every_source(challenge, people, pulls, busy_channel):
    assert sync_challenge.delay(challenge.pk).get() == 2

    assert {s.status for s in ActivitySource.objects.filter(challenge=challenge)} == {SyncStatus.OK}
    assert ActivityEvent.objects.filter(challenge=challenge).count() == 2107


def test_weekly_offsets_are_fixed_per_challenge_and_spread_across_challenges():
    offsets = [ingestion.weekly_sync_offset(challenge_id) for challenge_id in range(1, 201)]

    assert offsets == [ingestion.weekly_sync_offset(challenge_id) for challenge_id in range(1, 201)]
    assert all(dt.timedelta(0) <= offset < ingestion.WEEKLY_SYNC_WINDOW for offset in offsets)
    assert len(set(offsets)) > 100  # 200 challenges over 240 minutes: spread, not one tick
    slot = ingestion.weekly_sync_slot(7, NOW)
    assert slot == dt.datetime(2026, 11, 9, tzinfo=dt.UTC) + ingestion.weekly_sync_offset(7)


def test_the_beat_queues_each_challenge_at_its_own_minute_once(db, clock):
    challenges = []
    while len({ingestion.weekly_sync_offset(c.pk) for c in challenges}) < 2:
        challenges.append(
            ChallengeFactory(status=ChallengeStatus.RUNNING, github_repositories=[REPO], slack_channel_ids=[CHANNEL])
        )
    first, second = sorted(challenges[-2:], key=lambda c: ingestion.weekly_sync_offset(c.pk))
    ChallengeFactory(status=ChallengeStatus.COMPLETED, github_repositories=["OmdenaAI/old"])
    # Everything synced last week.
    ingestion.challenge_sources_ensure(challenge=first)
    ingestion.challenge_sources_ensure(challenge=second)
    ActivitySource.objects.update(last_run_at=NOW, status=SyncStatus.OK)
    monday = dt.datetime(2026, 11, 16, tzinfo=dt.UTC)
    between = monday + ingestion.weekly_sync_offset(first.pk) + dt.timedelta(minutes=0.5)

    due = ingestion.due_source_ids(now=between)

    first_ids = set(ActivitySource.objects.filter(challenge=first).values_list("pk", flat=True))
    second_ids = set(ActivitySource.objects.filter(challenge=second).values_list("pk", flat=True))
    assert set(due) == first_ids
    assert ingestion.due_source_ids(now=between + dt.timedelta(minutes=0.1)) == []  # queued: not again
    # The first challenge's syncs ran; at the end of the window only the second's are due.
    ActivitySource.objects.filter(pk__in=first_ids).update(last_run_at=between, next_attempt_at=None)
    after_both = monday + ingestion.WEEKLY_SYNC_WINDOW
    assert set(ingestion.due_source_ids(now=after_both)) == second_ids
    # A queued task that never ran (a lost message) is queued again an hour later.
    assert set(ingestion.due_source_ids(now=after_both + ingestion.REQUEUE_AFTER)) == second_ids


def test_an_unchanged_repository_is_one_free_304_and_a_changed_one_is_read(fake_github, clock):
    """GitHub's conditional requests: a 304 does not count against the hourly limit (DESIGN.md)."""
    challenge = ChallengeFactory(
        status=ChallengeStatus.RUNNING, start_date=dt.date(2026, 11, 2), github_repositories=["OmdenaAI/etag"]
    )
    fake_github.add_user("octocat", id=583231)
    fake_github.add_repo("OmdenaAI/etag")
    fake_github.add_pull("OmdenaAI/etag", author="octocat", updated_at=dt.datetime(2026, 11, 3, 9, tzinfo=dt.UTC))
    [source] = ingestion.challenge_sources_ensure(challenge=challenge)
    ingestion.source_sync(source_id=source.pk)
    source.refresh_from_db()
    assert source.etag
    remaining = fake_github.rate_remaining

    source = ingestion.source_sync(source_id=source.pk)

    assert (source.status, source.last_run_requests, source.last_run_events) == ("ok", 1, 0)
    assert fake_github.rate_remaining == remaining  # the 304 was free

    fake_github.add_pull("OmdenaAI/etag", author="octocat", updated_at=NOW)
    source = ingestion.source_sync(source_id=source.pk)
    assert source.last_run_events == 1


@pytest.mark.parametrize(("updated", "older", "pages"), [(100, 0, 1), (100, 1, 2), (101, 0, 2), (0, 3, 1)])
def test_the_requests_of_a_sync_count_the_list_pages_actually_read(
    challenge, sources, repo, fake_github, updated, older, pages
):
    for number in range(1, updated + 1):
        fake_github.add_pull(REPO, author="ada-codes", created_at=days_ago(3), updated_at=days_ago(2), number=number)
    for number in range(updated + 1, updated + older + 1):
        fake_github.add_pull(REPO, author="ada-codes", created_at=days_ago(60), updated_at=days_ago(50), number=number)
    fake_github.reset_requests()

    source = ingestion.source_sync(source_id=github_source(challenge).pk)

    list_pages = fake_github.requests_by_path()[f"GET /repos/{REPO}/pulls"]
    reviews = sum(n for path, n in fake_github.requests_by_path().items() if path.endswith("/reviews"))
    assert list_pages == pages + 1  # the conditional request first, then the pages read
    assert source.last_run_requests == sum(fake_github.requests_by_path().values()) == list_pages + reviews
