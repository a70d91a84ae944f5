"""Onboarding a seat to Slack and GitHub, and revoking that access when the seat is removed.

A seat gets one `OnboardingStep` row per thing to do (each Slack channel, the welcome DM, the GitHub team or each
repository). Scheduling writes the rows inside the caller's transaction and runs them by task after the commit;
each run makes at most one kind of call and records the provider's answer on the row, so staff see what happened
and re-runs change nothing that is done. Slack and GitHub are reached only through `activity.slack` and
`activity.github`.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record, transition
from collaborators.enums import ACTIVE_SEAT_STATES
from collaborators.models import Membership, User
from notifications.enums import Channel
from notifications.services import outbox_enqueue
from omdena.errors import TransitionNotAllowed
from omdena.site import absolute_url

from . import github, slack
from .integrations import IntegrationError, NotFound, PermanentError, RateLimited, TransientError
from .models import (
    RETRYABLE_STATES,
    RUNNABLE_STATES,
    OnboardingDirection,
    OnboardingKind,
    OnboardingStatus,
    OnboardingStep,
)

Direction, Kind, Status = OnboardingDirection, OnboardingKind, OnboardingStatus

# GitHub's write limits (../shared/DESIGN.md, "Activity and do-ocracy"): at most 50 collaborator invitations per
# repository per day, 50 organisation invitations a day (500 for older or paid organisations), about 80
# content-creating requests a minute and 500 an hour per token. Our pace per token stays below GitHub's so the
# token keeps room for staff's own use; override any of these in settings when GitHub or the plan changes.
GITHUB_LIMIT_DEFAULTS = {
    "ONBOARDING_GITHUB_INVITATIONS_PER_REPOSITORY_PER_DAY": 50,
    "ONBOARDING_GITHUB_ORGANISATION_INVITATIONS_PER_DAY": 50,
    "ONBOARDING_GITHUB_WRITES_PER_MINUTE": 30,
    "ONBOARDING_GITHUB_WRITES_PER_HOUR": 400,
}
# A day's deferred invitations continue a little after midnight UTC, when GitHub's daily count has moved on.
NEXT_DAY_AT = dt.time(0, 5)
# Transient failures are retried by the task with backoff; this is when the beat safety net looks again if a
# retry message was lost.
TRANSIENT_FALLBACK = dt.timedelta(minutes=15)
# Someone not in the Slack workspace (or without a GitHub username) is looked for again later, less and less often.
RECHECK_FIRST = dt.timedelta(minutes=15)
RECHECK_MAX = dt.timedelta(days=1)
# A pending GitHub invitation is looked at again (accepted? expired?) after an hour, then less and less often, at
# most daily: GitHub expires invitations after 7 days, so an expired one is sent again within a day. After
# MAX_GITHUB_INVITATIONS unaccepted invitations the step fails, for staff to ask the person.
INVITATION_CHECK_FIRST = dt.timedelta(hours=1)
MAX_GITHUB_INVITATIONS = 3
# GitHub answers 422 with this once its own daily count is reached (e.g. invitations sent by hand).
GITHUB_INVITATION_LIMIT_MESSAGE = "limit of invitations"
# What staff can do about Slack's error codes.
SLACK_HINTS = {
    "not_in_channel": gettext_lazy("the bot is not in this channel: add the app to the channel, then retry"),
    "channel_not_found": gettext_lazy("no such channel (or the bot cannot see it): check the challenge's channel ids"),
    "user_not_found": gettext_lazy("Slack has no member with the stored user id: correct it on the person's profile"),
    "is_archived": gettext_lazy("the channel is archived"),
    "invalid_auth": gettext_lazy("the bot token is not valid"),
    "not_authed": gettext_lazy("no bot token is configured"),
    "missing_scope": gettext_lazy("the app lacks a scope (channels:manage / groups:write)"),
}


@dataclass(frozen=True)
class Outcome:
    """What one run of a step came to; `called` is False when it stopped before reaching the provider."""

    status: str
    detail: str = ""
    http_status: int | None = None
    next_attempt_at: dt.datetime | None = None
    error: str = ""
    called: bool = True
    invitation_sent: bool = False
    account: str = ""  # the GitHub login a grant reached


# --- Scheduling (inside the caller's transaction: rows only, no network) -------------------------------------


def onboarding_schedule(*, membership: Membership) -> list[OnboardingStep]:
    """Plan the Slack and GitHub steps of a new seat and run them after the surrounding transaction commits.

    Calling it again adds the steps of channels or repositories configured since, and redoes nothing that is done.
    """
    return _schedule(membership=membership, direction=Direction.GRANT, targets=_grant_plan(membership))


def access_revoke_schedule(*, membership: Membership) -> list[OnboardingStep]:
    """Cancel the grants not done yet and plan the removal from every channel, team and repository, after commit."""
    now = timezone.now()
    OnboardingStep.objects.filter(membership=membership, direction=Direction.GRANT, status__in=RUNNABLE_STATES).update(
        status=Status.CANCELLED,
        next_attempt_at=None,
        detail=_("cancelled: the seat was removed before access was granted"),
        updated_at=now,
    )
    return _schedule(membership=membership, direction=Direction.REVOKE, targets=_revoke_plan(membership))


def onboarding_person_changed(*, person: User) -> int:
    """Look again now at the steps waiting for this person (e.g. they added a GitHub username); returns how many.

    For the profile service to call after a change of GitHub username or Slack id. GitHub steps that failed (an
    unknown username) are tried again too.
    """
    waiting = Q(status=Status.WAITING_FOR_PERSON)
    failed_github = Q(status=Status.FAILED, kind__in=[Kind.GITHUB_TEAM, Kind.GITHUB_REPOSITORY])
    ids = list(
        OnboardingStep.objects.filter(
            waiting | failed_github,
            membership__person=person,
            membership__status__in=ACTIVE_SEAT_STATES,
            direction=Direction.GRANT,
        ).values_list("id", flat=True)
    )
    now = timezone.now()
    OnboardingStep.objects.filter(pk__in=ids).update(status=Status.PENDING, next_attempt_at=now, updated_at=now)
    _run_after_commit(ids)
    return len(ids)


def _github_organisation(challenge) -> str:
    if challenge.github_organisation:
        return challenge.github_organisation
    return challenge.github_repositories[0].split("/")[0] if challenge.github_repositories else ""


def _grant_plan(membership: Membership) -> list[tuple[str, str]]:
    challenge = membership.challenge
    targets = [(Kind.SLACK_CHANNEL, channel_id) for channel_id in challenge.slack_channel_ids]
    if challenge.slack_channel_ids:
        targets.append((Kind.SLACK_WELCOME_DM, ""))
    organisation = _github_organisation(challenge)
    if challenge.github_team_slug and organisation:
        # The team gives access to every team repository: one invitation instead of one per repository.
        targets.append((Kind.GITHUB_TEAM, f"{organisation}/{challenge.github_team_slug}"))
    else:
        targets += [(Kind.GITHUB_REPOSITORY, repository) for repository in challenge.github_repositories]
    return targets


def _revoke_plan(membership: Membership) -> list[tuple[str, str]]:
    """Everything the challenge gives access to now, and everything granted earlier under another configuration."""
    revocable = (Kind.SLACK_CHANNEL, Kind.GITHUB_TEAM, Kind.GITHUB_REPOSITORY)
    planned = [(kind, target) for kind, target in _grant_plan(membership) if kind in revocable]
    granted = OnboardingStep.objects.filter(
        membership=membership,
        direction=Direction.GRANT,
        kind__in=revocable,
        status__in=[Status.DONE, Status.INVITATION_PENDING],
    ).values_list("kind", "target")
    return list(dict.fromkeys([*planned, *granted]))


def _schedule(*, membership: Membership, direction: str, targets: Iterable[tuple[str, str]]) -> list[OnboardingStep]:
    now = timezone.now()
    OnboardingStep.objects.bulk_create(
        [
            OnboardingStep(membership=membership, direction=direction, kind=kind, target=target, next_attempt_at=now)
            for kind, target in targets
        ],
        ignore_conflicts=True,  # the unique (membership, direction, kind, target): a re-run adds nothing
    )
    steps = list(OnboardingStep.objects.filter(membership=membership, direction=direction))
    _run_after_commit(
        step.pk
        for step in steps
        if step.status in RUNNABLE_STATES and (step.next_attempt_at is None or step.next_attempt_at <= now)
    )
    return steps


def _run_after_commit(step_ids: Iterable[int]) -> None:
    from .tasks import run_onboarding_step

    for step_id in step_ids:

        def enqueue(step_id: int = step_id) -> None:
            run_onboarding_step.delay(step_id)

        # robust: a broker hiccup must not turn the committed accept (or removal) into an error page;
        # the beat safety net runs the step when it is due.
        transaction.on_commit(enqueue, robust=True)


# --- Running one step ----------------------------------------------------------------------------------------


def onboarding_step_run(*, step_id: int, give_up_on_transient: bool = False) -> OnboardingStep | None:
    """Run one step against Slack or GitHub and record the answer on it; safe to call twice.

    A rate limit is recorded with the time to come back; a transient failure is recorded and re-raised for the
    task to retry with backoff, unless `give_up_on_transient`, when the step fails with the provider's message.
    Returns None when another worker is running the same step.
    """
    transient: TransientError | None = None
    with transaction.atomic():
        step = (
            OnboardingStep.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("membership__person", "membership__challenge")
            .filter(pk=step_id)
            .first()
        )
        if step is None:
            return None
        now = timezone.now()
        if step.status not in RUNNABLE_STATES and step.status != Status.INVITATION_PENDING:
            return step
        if step.status == Status.RATE_LIMITED and step.next_attempt_at and step.next_attempt_at > now:
            return step  # the provider asked us to wait until then: an early duplicate run must not call it again
        try:
            outcome = _perform(step, now)
        except RateLimited as error:
            outcome = Outcome(
                Status.RATE_LIMITED,
                detail=_("%(provider)s rate limit: continues at %(time)s UTC")
                % {"provider": error.provider_name, "time": f"{error.retry_at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S}"},
                http_status=error.status,
                next_attempt_at=error.retry_at,
                error=error.message,
            )
        except TransientError as error:
            if give_up_on_transient:
                outcome = Outcome(
                    Status.FAILED,
                    detail=_("%(provider)s kept failing; gave up after %(attempts)d attempts")
                    % {"provider": error.provider_name, "attempts": step.attempts + 1},
                    http_status=error.status,
                    error=error.message,
                )
            else:
                transient = error
                outcome = Outcome(
                    Status.PENDING,
                    detail=_("%(provider)s failed for now; retrying") % {"provider": error.provider_name},
                    http_status=error.status,
                    next_attempt_at=now + TRANSIENT_FALLBACK,
                    error=error.message,
                )
        except PermanentError as error:
            outcome = _refused(error)
        _record(step, outcome, now)
    if transient is not None:
        raise transient
    return step


def _perform(step: OnboardingStep, now: dt.datetime) -> Outcome:
    if step.direction == Direction.GRANT and step.membership.status not in ACTIVE_SEAT_STATES:
        return Outcome(Status.CANCELLED, detail=_("cancelled: the seat is no longer active"), called=False)
    if step.status == Status.INVITATION_PENDING:
        return INVITATION_CHECKS[step.kind](step, now)
    return HANDLERS[(step.direction, step.kind)](step, now)


def _record(step: OnboardingStep, outcome: Outcome, now: dt.datetime) -> None:
    step.status = outcome.status
    step.detail = outcome.detail[:500]
    step.http_status = outcome.http_status
    step.last_error = outcome.error
    step.next_attempt_at = outcome.next_attempt_at
    if outcome.called:
        step.attempts += 1
    if outcome.invitation_sent:
        step.invitation_sent_at = now
        step.invitations_sent += 1
    if outcome.account:
        step.account = outcome.account
    step.save(
        update_fields=[
            "status",
            "detail",
            "http_status",
            "last_error",
            "next_attempt_at",
            "attempts",
            "invitation_sent_at",
            "invitations_sent",
            "account",
            "updated_at",
        ]
    )


def _refused(error: PermanentError) -> Outcome:
    hint = SLACK_HINTS.get(error.message, "") if str(error.source) == "slack" else ""
    detail = _("%(provider)s refused: %(message)s") % {"provider": error.provider_name, "message": error.message}
    return Outcome(
        Status.FAILED, detail=f"{detail} ({hint})" if hint else detail, http_status=error.status, error=error.message
    )


def _recheck_at(step: OnboardingStep, now: dt.datetime) -> dt.datetime:
    """Half the time waited so far, from 15 minutes to a day: a person may take days to join the workspace."""
    return now + min(max(RECHECK_FIRST, (now - step.created_at) / 2), RECHECK_MAX)


# --- Slack ---------------------------------------------------------------------------------------------------


def _slack_member_id(person: User) -> str | None:
    """The person's Slack user id, looked up by email (and stored) when the profile has none; None: not a member."""
    if person.slack_user_id:
        return person.slack_user_id
    found = slack.lookup_user_by_email(person.email)
    if found is None or found.deleted or found.is_bot:
        return None
    _person_slack_identity_set(person=person, user_id=found.id, team_id=found.team_id)
    return found.id


def _person_slack_identity_set(*, person: User, user_id: str, team_id: str) -> None:
    """Store the Slack id found by email, unless the person set one meanwhile; audited, as it changes a profile."""
    updated = User.objects.filter(pk=person.pk, slack_user_id="").update(slack_user_id=user_id, slack_team_id=team_id)
    person.slack_user_id, person.slack_team_id = user_id, team_id
    if updated:
        audit_record(
            actor=None,
            verb="person.slack_identity_found",
            subject=person,
            to_state=user_id,
            note=_("Found in the Slack workspace by email address during onboarding."),
        )


def _not_in_workspace(step: OnboardingStep, now: dt.datetime) -> Outcome:
    return Outcome(
        Status.WAITING_FOR_PERSON,
        detail=_("not in the Slack workspace yet (no member with %(email)s); looking again later")
        % {"email": step.membership.person.email},
        next_attempt_at=_recheck_at(step, now),
    )


def _grant_slack_channel(step: OnboardingStep, now: dt.datetime) -> Outcome:
    user_id = _slack_member_id(step.membership.person)
    if user_id is None:
        # Slack cannot add people to the workspace by API: they join with the invite link, then we invite them.
        _workspace_invite_send(step.membership, now)
        return _not_in_workspace(step, now)
    result = slack.invite_to_channel(step.target, user_id)
    detail = _("invited to the channel") if result == "invited" else _("was already in the channel")
    return Outcome(Status.DONE, detail=detail, http_status=200)


def _workspace_invite_send(membership: Membership, now: dt.datetime) -> None:
    """Email the workspace invite link once per seat (its own step, so staff see whether it went out)."""
    invite, _created = OnboardingStep.objects.get_or_create(
        membership=membership,
        direction=Direction.GRANT,
        kind=Kind.SLACK_WORKSPACE_INVITE,
        target="",
        defaults={"next_attempt_at": now},
    )
    invite = OnboardingStep.objects.select_for_update().get(pk=invite.pk)
    if invite.status == Status.PENDING:
        invite.membership = membership  # the caller's, with person and challenge loaded
        _record(invite, _grant_workspace_invite(invite, now), now)


def _grant_workspace_invite(step: OnboardingStep, now: dt.datetime) -> Outcome:
    membership = step.membership
    person, challenge = membership.person, membership.challenge
    if person.slack_user_id:
        return Outcome(Status.DONE, detail=_("already in the Slack workspace"), called=False)
    if not challenge.slack_invite_url:
        return Outcome(
            Status.FAILED,
            detail=_("the challenge has no Slack workspace invite link: add it to the challenge, then retry"),
            called=False,
        )
    outbox_enqueue(
        recipient=person,
        template="onboarding_slack_invite",
        key=f"onboarding:{membership.pk}:slack-invite",
        context={
            "challenge_title": challenge.title,
            "slack_invite_url": challenge.slack_invite_url,
            "email": person.email,
            "profile_url": absolute_url(reverse("profile_edit")),
        },
        channels=(Channel.EMAIL,),
    )
    return Outcome(Status.DONE, detail=_("invite link emailed to %(email)s") % {"email": person.email})


def _grant_welcome_dm(step: OnboardingStep, now: dt.datetime) -> Outcome:
    membership = step.membership
    person = membership.person
    user_id = _slack_member_id(person)
    if user_id is None:
        return _not_in_workspace(step, now)
    outbox_enqueue(
        recipient=person,
        template="onboarding_welcome",
        key=f"onboarding:{membership.pk}:welcome",
        context=_welcome_context(membership),
        channels=(Channel.SLACK,),
    )
    return Outcome(Status.DONE, detail=_("welcome message handed to the outbox"))


def _welcome_context(membership: Membership) -> dict:
    challenge = membership.challenge
    organisation = _github_organisation(challenge)
    return {
        "challenge_title": challenge.title,
        "challenge_url": absolute_url(challenge.get_absolute_url()),
        "my_challenges_url": absolute_url(reverse("my_challenges")),
        "slack_channel_ids": list(challenge.slack_channel_ids),
        "github_repositories": [
            {"name": name, "url": f"https://github.com/{name}"} for name in challenge.github_repositories
        ],
        "github_team": (
            f"https://github.com/orgs/{organisation}/teams/{challenge.github_team_slug}"
            if challenge.github_team_slug and organisation
            else ""
        ),
    }


def _revoke_slack_channel(step: OnboardingStep, now: dt.datetime) -> Outcome:
    user_id = _slack_member_id(step.membership.person)
    if user_id is None:
        return Outcome(Status.DONE, detail=_("not in the Slack workspace: nothing to remove"))
    try:
        result = slack.remove_from_channel(step.target, user_id)
    except NotFound as error:
        if error.message != "user_not_found":
            raise
        return Outcome(Status.DONE, detail=_("Slack has no such member: nothing to remove"), error=error.message)
    detail = _("removed from the channel") if result == "removed" else _("was not in the channel")
    return Outcome(Status.DONE, detail=detail, http_status=200)


# --- GitHub --------------------------------------------------------------------------------------------------


def _github_limit(name: str) -> int:
    return int(getattr(settings, name, GITHUB_LIMIT_DEFAULTS[name]))


def _utc_day_start(now: dt.datetime) -> dt.datetime:
    return now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _next_utc_day(now: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(_utc_day_start(now).date() + dt.timedelta(days=1), NEXT_DAY_AT, tzinfo=dt.UTC)


def _invitations_today(now: dt.datetime, **target) -> int:
    return OnboardingStep.objects.filter(
        direction=Direction.GRANT, invitation_sent_at__gte=_utc_day_start(now), **target
    ).count()


def _deferred_to_tomorrow(now: dt.datetime, error: IntegrationError | None = None) -> Outcome:
    return Outcome(
        Status.PENDING,
        detail=_("daily invitation limit reached; continues tomorrow"),
        next_attempt_at=_next_utc_day(now),
        http_status=error.status if error else None,
        error=error.message if error else "",
        called=error is not None,
    )


def _github_write_slot(now: dt.datetime) -> dt.datetime | None:
    """Count one GitHub write in this minute's and this hour's budget; when either is spent, when to continue.

    A counter per window in the shared cache (Redis in production), so all workers share one pace per token and a
    batch of accepts is spread over minutes instead of bursting into GitHub's secondary limits.
    """
    now = now.astimezone(dt.UTC)
    minute = now.replace(second=0, microsecond=0)
    hour = minute.replace(minute=0)
    windows = [
        (f"onboarding:github-writes:{minute:%Y%m%d%H%M}", "ONBOARDING_GITHUB_WRITES_PER_MINUTE", minute, 60),
        (f"onboarding:github-writes:{hour:%Y%m%d%H}", "ONBOARDING_GITHUB_WRITES_PER_HOUR", hour, 3600),
    ]
    counted = []
    for key, limit_name, start, seconds in windows:
        cache.add(key, 0, timeout=seconds * 2)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=seconds * 2)
            used = 1
        counted.append(key)
        if used > _github_limit(limit_name):
            for taken in counted:  # this write does not happen now: give its place back
                cache.decr(taken)
            return start + dt.timedelta(seconds=seconds)
    return None


def _paced(until: dt.datetime) -> Outcome:
    return Outcome(
        Status.PENDING,
        detail=_("paced to stay under GitHub's limits; continues at %(time)s UTC") % {"time": f"{until:%H:%M}"},
        next_attempt_at=until,
        called=False,
    )


def _no_github_username(step: OnboardingStep, now: dt.datetime) -> Outcome:
    return Outcome(
        Status.WAITING_FOR_PERSON,
        detail=_("no GitHub username on the profile: the person must add it"),
        next_attempt_at=_recheck_at(step, now),
        called=False,
    )


def _github_not_found(username: str, error: NotFound) -> Outcome:
    """GitHub says only "Not Found": one read tells staff whether the username or the repository/team is wrong."""
    try:
        github.get_user(username)
    except NotFound:
        detail = _("GitHub has no user “%(username)s”: the person must correct the username on their profile")
    else:
        detail = _("GitHub answered Not Found: the repository or team does not exist, or the token cannot see it")
    return Outcome(Status.FAILED, detail=detail % {"username": username}, http_status=error.status, error=error.message)


def _is_invitation_limit(error: PermanentError) -> bool:
    return error.status == 422 and GITHUB_INVITATION_LIMIT_MESSAGE in error.message


def _grant_github_repository(step: OnboardingStep, now: dt.datetime) -> Outcome:
    username = step.membership.person.github_username
    if not username:
        return _no_github_username(step, now)
    limit = _github_limit("ONBOARDING_GITHUB_INVITATIONS_PER_REPOSITORY_PER_DAY")
    if _invitations_today(now, kind=Kind.GITHUB_REPOSITORY, target=step.target) >= limit:
        return _deferred_to_tomorrow(now)
    if paced_until := _github_write_slot(now):
        return _paced(paced_until)
    try:
        result = github.add_repository_collaborator(step.target, username)
    except NotFound as error:
        return _github_not_found(username, error)
    except PermanentError as error:
        if _is_invitation_limit(error):
            return _deferred_to_tomorrow(now, error)
        raise
    if result.status == "invited":
        return Outcome(
            Status.INVITATION_PENDING,
            detail=_("invitation sent to %(username)s; access starts when they accept it on GitHub")
            % {"username": username},
            http_status=result.http_status,
            next_attempt_at=now + INVITATION_CHECK_FIRST,
            invitation_sent=True,
            account=username,
        )
    return Outcome(
        Status.DONE,
        detail=_("%(username)s already had access") % {"username": username},
        http_status=result.http_status,
        account=username,
    )


def _grant_github_team(step: OnboardingStep, now: dt.datetime) -> Outcome:
    username = step.membership.person.github_username
    if not username:
        return _no_github_username(step, now)
    organisation, team_slug = step.target.split("/", 1)
    limit = _github_limit("ONBOARDING_GITHUB_ORGANISATION_INVITATIONS_PER_DAY")
    if _invitations_today(now, kind=Kind.GITHUB_TEAM, target__startswith=f"{organisation}/") >= limit:
        return _deferred_to_tomorrow(now)
    if paced_until := _github_write_slot(now):
        return _paced(paced_until)
    try:
        result = github.add_team_member(organisation, team_slug, username)
    except NotFound as error:
        return _github_not_found(username, error)
    except PermanentError as error:
        if _is_invitation_limit(error):
            return _deferred_to_tomorrow(now, error)
        raise
    if result.state == "pending":
        return Outcome(
            Status.INVITATION_PENDING,
            detail=_("invited to the %(organisation)s organisation; the team applies once %(username)s accepts")
            % {"organisation": organisation, "username": username},
            http_status=200,
            next_attempt_at=now + INVITATION_CHECK_FIRST,
            invitation_sent=True,
            account=username,
        )
    return Outcome(
        Status.DONE,
        detail=_("%(username)s is in the team") % {"username": username},
        http_status=200,
        account=username,
    )


def _invitation_recheck_at(step: OnboardingStep, now: dt.datetime) -> dt.datetime:
    """Half the time since the invitation went out, from an hour to a day."""
    waited = now - (step.invitation_sent_at or step.created_at)
    return now + min(max(INVITATION_CHECK_FIRST, waited / 2), RECHECK_MAX)


def _invitation_still_pending(step: OnboardingStep, now: dt.datetime) -> Outcome:
    return Outcome(
        Status.INVITATION_PENDING,
        detail=step.detail,
        http_status=200,
        next_attempt_at=_invitation_recheck_at(step, now),
    )


def _invitation_expired(step: OnboardingStep, now: dt.datetime) -> Outcome:
    """Send a new invitation (the grant again), unless enough went unanswered: then staff ask the person."""
    username = step.membership.person.github_username
    if step.invitations_sent >= MAX_GITHUB_INVITATIONS:
        return Outcome(
            Status.FAILED,
            detail=_("%(count)d invitations to %(username)s expired unaccepted; ask them, then retry")
            % {"count": step.invitations_sent, "username": username},
            http_status=404,
        )
    return HANDLERS[(Direction.GRANT, step.kind)](step, now)


def _github_invitation_state(step: OnboardingStep, username: str) -> str:
    """accepted, pending or expired, for a repository invitation or an organisation team's."""
    if step.kind == Kind.GITHUB_TEAM:
        organisation, team_slug = step.target.split("/", 1)
        state = github.team_membership_state(organisation, team_slug, username)
        return {"active": "accepted", "pending": "pending"}.get(state or "", "expired")
    return github.repository_invitation_state(step.target, username)


def _check_github_invitation(step: OnboardingStep, now: dt.datetime) -> Outcome:
    username = step.membership.person.github_username
    if not username:
        return _no_github_username(step, now)
    state = _github_invitation_state(step, username)
    if state == "pending":
        return _invitation_still_pending(step, now)
    if state == "expired":
        return _invitation_expired(step, now)
    if step.kind == Kind.GITHUB_TEAM:
        detail = _("%(username)s accepted the invitation and is in the team") % {"username": username}
    else:
        detail = _("%(username)s accepted the invitation and has access") % {"username": username}
    return Outcome(Status.DONE, detail=detail, http_status=200)


def _granted_account(step: OnboardingStep) -> str:
    """The GitHub login the matching grant reached, else the one on the profile now."""
    granted = (
        OnboardingStep.objects.filter(
            membership=step.membership, direction=Direction.GRANT, kind=step.kind, target=step.target
        )
        .exclude(account="")
        .values_list("account", flat=True)
        .first()
    )
    return granted or step.membership.person.github_username


def _revoke_github_repository(step: OnboardingStep, now: dt.datetime) -> Outcome:
    username = _granted_account(step)
    if not username:
        return Outcome(Status.DONE, detail=_("no GitHub username on the profile: nothing to remove"), called=False)
    if paced_until := _github_write_slot(now):
        return _paced(paced_until)
    try:
        github.remove_repository_collaborator(step.target, username)
    except NotFound as error:
        return Outcome(
            Status.DONE,
            detail=_("nothing to remove (GitHub: Not Found)"),
            http_status=error.status,
            error=error.message,
        )
    return Outcome(Status.DONE, detail=_("access removed; any pending invitation is cancelled"), http_status=204)


def _revoke_github_team(step: OnboardingStep, now: dt.datetime) -> Outcome:
    username = _granted_account(step)
    if not username:
        return Outcome(Status.DONE, detail=_("no GitHub username on the profile: nothing to remove"), called=False)
    if paced_until := _github_write_slot(now):
        return _paced(paced_until)
    organisation, team_slug = step.target.split("/", 1)
    try:
        github.remove_team_member(organisation, team_slug, username)
    except NotFound as error:
        return Outcome(
            Status.DONE,
            detail=_("was not in the team (GitHub: Not Found)"),
            http_status=error.status,
            error=error.message,
        )
    return Outcome(Status.DONE, detail=_("removed from the team"), http_status=204)


# A grant whose invitation is pending is looked at, not run again (reading costs no invitation).
INVITATION_CHECKS: dict[str, Callable[[OnboardingStep, dt.datetime], Outcome]] = {
    Kind.GITHUB_REPOSITORY: _check_github_invitation,
    Kind.GITHUB_TEAM: _check_github_invitation,
}
HANDLERS: dict[tuple[str, str], Callable[[OnboardingStep, dt.datetime], Outcome]] = {
    (Direction.GRANT, Kind.SLACK_CHANNEL): _grant_slack_channel,
    (Direction.GRANT, Kind.SLACK_WORKSPACE_INVITE): _grant_workspace_invite,
    (Direction.GRANT, Kind.SLACK_WELCOME_DM): _grant_welcome_dm,
    (Direction.GRANT, Kind.GITHUB_TEAM): _grant_github_team,
    (Direction.GRANT, Kind.GITHUB_REPOSITORY): _grant_github_repository,
    (Direction.REVOKE, Kind.SLACK_CHANNEL): _revoke_slack_channel,
    (Direction.REVOKE, Kind.GITHUB_TEAM): _revoke_github_team,
    (Direction.REVOKE, Kind.GITHUB_REPOSITORY): _revoke_github_repository,
}


# --- Staff ---------------------------------------------------------------------------------------------------

RETRY_MOVES = {state: {Status.PENDING} for state in RETRYABLE_STATES}


def onboarding_step_retry(*, step: OnboardingStep, by) -> OnboardingStep:
    """Staff put a step back in the queue (after fixing a profile or the challenge's settings); runs after commit.

    Raises TransitionNotAllowed when the step is no longer in a state that needs it (e.g. it succeeded meanwhile).
    """
    with transaction.atomic():
        retried = transition(
            instance=step,
            to_state=Status.PENDING,
            allowed=RETRY_MOVES,
            by=by,
            verb="onboarding.retry",
            changes={"attempts": 0, "next_attempt_at": timezone.now()},
        )
        _run_after_commit([retried.pk])
    return retried


def onboarding_steps_retry(*, steps: QuerySet[OnboardingStep], by) -> int:
    """Retry several steps (e.g. every failed step of a challenge); returns how many went back in the queue."""
    retried = 0
    for step in steps.filter(status__in=RETRYABLE_STATES).order_by("pk"):
        try:
            onboarding_step_retry(step=step, by=by)
        except TransitionNotAllowed:  # it moved meanwhile (another retry, a run that succeeded)
            continue
        else:
            retried += 1
    return retried
