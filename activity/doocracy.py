"""The do-ocracy policy: excuses, warnings one week before removal, lifting them, and removal (proposed or automatic).

Timeline for a week W (ISO weeks in UTC): W is scored and policed on the Monday after it ends (the beat). An
inactive, unexcused member is warned then, with the removal date on the following Monday, exactly one week
later: they have the whole week W+1 to reach the threshold. When W+1 is scored on that Monday, the warning is
lifted (W+1 active or excused) or turned into a removal proposal for staff (or an automatic removal).
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, transition
from challenges.models import Challenge
from collaborators.enums import ACTIVE_SEAT_STATES, MembershipStatus, RemovalReason
from collaborators.models import Membership
from collaborators.services.memberships import membership_reactivate, membership_remove, membership_warn
from notifications.enums import Channel
from notifications.services import outbox_enqueue
from omdena.errors import TransitionNotAllowed
from omdena.site import absolute_url
from omdena.weeks import (
    is_iso_week_label,
    iso_week_bounds,
    iso_week_shift,
    iso_week_start,
    iso_weeks_between,
    last_finished_week,
)

from .ingestion import meeting_events_sync
from .models import (
    ActivitySource,
    Excuse,
    ExcuseStatus,
    InactivityWarning,
    ScoringPolicy,
    WarningStatus,
    WeeklyScore,
)
from .scoring import is_first_week, scoring_policy_for, week_score

WARNING_MOVES: dict[str, set[str]] = {
    WarningStatus.OPEN: {
        WarningStatus.LIFTED,
        WarningStatus.REMOVAL_PROPOSED,
        WarningStatus.REMOVED,
        WarningStatus.CANCELLED,
    },
    # An excuse approved late still lifts a proposal; staff confirm or cancel it.
    WarningStatus.REMOVAL_PROPOSED: {WarningStatus.LIFTED, WarningStatus.REMOVED, WarningStatus.CANCELLED},
    WarningStatus.LIFTED: set(),
    WarningStatus.REMOVED: set(),
    WarningStatus.CANCELLED: set(),
}
EXCUSE_MOVES: dict[str, set[str]] = {
    ExcuseStatus.PENDING: {ExcuseStatus.APPROVED, ExcuseStatus.DECLINED},
    ExcuseStatus.APPROVED: set(),
    ExcuseStatus.DECLINED: set(),
}
MAX_EXCUSE_WEEKS = 4
DAY_FORMAT = "l j F Y"  # Monday 30 November 2026


@dataclass
class PolicyResult:
    """What one weekly run did for one challenge (counts of this run only: a re-run reports zeros)."""

    challenge_id: int
    week: str
    scored: int = 0
    warned: int = 0
    lifted: int = 0
    proposed: int = 0
    removed: int = 0
    skipped: str = ""
    held: str = ""  # why warnings and removals wait (a source has not synced the whole week yet)


# Warnings, lifts and removals wait until every source of the challenge has synced past the end of the week: a
# late or failing sync would otherwise warn people who were active (and the email cannot be taken back). After
# SYNC_GRACE they go ahead with what is there; staff see the failing source on the do-ocracy board.
SYNC_GRACE = dt.timedelta(days=2)


def sources_behind(*, challenge: Challenge, until: dt.datetime) -> list[str]:
    """The challenge's repositories and channels not synced up to `until` (never synced counts as behind)."""
    return list(
        ActivitySource.objects.filter(challenge=challenge)
        .filter(Q(cursor__isnull=True) | Q(cursor__lt=until))
        .order_by("kind", "identifier")
        .values_list("identifier", flat=True)
    )


def removal_due_on_for(week: str) -> dt.date:
    """The removal date of a warning for `week`: the Monday after the following week, i.e. one week after the
    warning is issued (the Monday after `week`) and the day the following week is scored."""
    return iso_week_start(week) + dt.timedelta(weeks=2)


def _counts_for_member(score: WeeklyScore | None) -> bool:
    return score is not None and (score.active or score.excused)


def policy_run(*, challenge: Challenge, week: str, now: dt.datetime | None = None) -> PolicyResult:
    """Score a finished ISO week, then lift, propose or carry out removals of earlier warnings and warn the
    inactive. Idempotent: a second run for the same week creates and sends nothing."""
    now = now or timezone.now()
    week_start, week_end = iso_week_bounds(week)
    if now < week_end:
        raise ValueError(_("Week %(week)s has not finished yet.") % {"week": week})
    result = PolicyResult(challenge_id=challenge.pk, week=week)
    if is_first_week(challenge=challenge, week=week):
        result.skipped = _("the first week of a challenge is not scored")
        return result
    # Meeting attendance recorded by task leaders counts as activity: bring it into the event store first.
    meeting_events_sync(challenge=challenge)
    policy = scoring_policy_for(challenge=challenge)
    result.scored = week_score(challenge=challenge, week=week, policy=policy)
    behind = sources_behind(challenge=challenge, until=week_end)
    if behind and now < week_end + SYNC_GRACE:
        result.held = _("warnings wait until %(sources)s synced past the end of %(week)s") % {
            "sources": ", ".join(behind),
            "week": week,
        }
        return result
    previous = iso_week_shift(week, -1)
    scores = {
        (score.membership_id, score.week): score
        for score in WeeklyScore.objects.filter(membership__challenge=challenge, week__in=[previous, week])
    }

    # Earlier warnings first, so that someone warned last week is never warned again this week.
    open_warnings = InactivityWarning.objects.filter(
        membership__challenge=challenge, status=WarningStatus.OPEN, week__in=[previous, week]
    ).select_related("membership__person", "membership__challenge")
    for warning in open_warnings:
        warned_week = scores.get((warning.membership_id, warning.week))
        following_week = scores.get((warning.membership_id, iso_week_shift(warning.week, 1)))
        if _counts_for_member(following_week):
            _warning_lift(warning=warning, by=None, note=_("Active again in %(week)s.") % {"week": week})
            result.lifted += 1
        elif _counts_for_member(warned_week):
            # A re-run found the warned week good after all (e.g. a late sync): the warning was a mistake.
            _warning_lift(warning=warning, by=None, note=_("Week %(week)s counted after all.") % {"week": warning.week})
            result.lifted += 1
        elif warning.week == previous and now.date() >= warning.removal_due_on:
            if policy.remove_automatically:
                _warning_remove(warning=warning, by=None, note=_("Still inactive in %(week)s.") % {"week": week})
                result.removed += 1
            else:
                transition(
                    instance=warning,
                    to_state=WarningStatus.REMOVAL_PROPOSED,
                    allowed=WARNING_MOVES,
                    by=None,
                    verb="warning.propose_removal",
                    note=_("Still inactive in %(week)s.") % {"week": week},
                )
                result.proposed += 1

    inactive = (
        WeeklyScore.objects.filter(
            membership__challenge=challenge,
            week=week,
            active=False,
            excused=False,
            membership__status=MembershipStatus.ACTIVE,
            # Someone who joined during the week had no full week to be active in.
            membership__joined_at__lte=week_start,
        )
        .exclude(membership__warnings__week=week)
        .select_related("membership__person", "membership__challenge")
    )
    for score in inactive:
        if _warning_issue(score=score, policy=policy):
            result.warned += 1
    return result


def _warning_issue(*, score: WeeklyScore, policy: ScoringPolicy) -> bool:
    """Warn once per member and week (unique constraint + outbox key); False when already warned or not active."""
    membership = score.membership
    try:
        with transaction.atomic():
            warning, created = InactivityWarning.objects.get_or_create(
                membership=membership, week=score.week, defaults={"removal_due_on": removal_due_on_for(score.week)}
            )
            if not created:
                return False
            membership_warn(membership=membership, by=None, note=_("Inactive in %(week)s.") % {"week": score.week})
            audit_record(actor=None, verb="warning.issue", subject=warning, to_state=warning.status)
            _notify_warning(warning=warning, score=score, policy=policy)
    except TransitionNotAllowed:
        return False  # the membership changed meanwhile (removed, completed): nothing to warn
    return True


def _warning_clear(
    *, warning: InactivityWarning, to_state: str, verb: str, by, note: str, reactivation_note: str, message: str
) -> InactivityWarning:
    """End a warning in the member's favour (lifted or cancelled): the seat is active again and they are told."""
    with transaction.atomic():
        cleared = transition(
            instance=warning,
            to_state=to_state,
            allowed=WARNING_MOVES,
            by=by,
            verb=verb,
            note=note,
            changes={"note": note[:300], "decided_by": by},
        )
        membership = cleared.membership
        if membership.status == MembershipStatus.WARNED:
            membership_reactivate(membership=membership, by=by, note=reactivation_note)
        _notify_lifted(warning=cleared, message=message)
    return cleared


def _warning_lift(*, warning: InactivityWarning, by, note: str) -> InactivityWarning:
    return _warning_clear(
        warning=warning,
        to_state=WarningStatus.LIFTED,
        verb="warning.lift",
        by=by,
        note=note,
        reactivation_note=note,
        message=_("Your warning is lifted: thank you for being active again."),
    )


def _warning_remove(*, warning: InactivityWarning, by, note: str) -> InactivityWarning:
    with transaction.atomic():
        removed = transition(
            instance=warning,
            to_state=WarningStatus.REMOVED,
            allowed=WARNING_MOVES,
            by=by,
            verb="warning.remove",
            note=note,
            changes={"decided_by": by},
        )
        membership_remove(membership=removed.membership, by=by, reason=RemovalReason.INACTIVITY, note=note)
    return removed


def removal_confirm(*, warning: InactivityWarning, by) -> InactivityWarning:
    """Staff confirm a proposed removal: the membership ends for inactivity (access revoked, must re-apply)."""
    if warning.status != WarningStatus.REMOVAL_PROPOSED:
        raise TransitionNotAllowed(obj=warning, from_state=warning.status, to_state=WarningStatus.REMOVED)
    return _warning_remove(warning=warning, by=by, note=_("Removal confirmed by staff."))


def removal_cancel(*, warning: InactivityWarning, by, note: str = "") -> InactivityWarning:
    """Staff cancel a warning or a proposed removal: the member is active again and told so."""
    return _warning_clear(
        warning=warning,
        to_state=WarningStatus.CANCELLED,
        verb="warning.cancel",
        by=by,
        note=note,
        reactivation_note=note or _("Warning cancelled by staff."),
        message=_("Our staff cancelled your inactivity warning: you keep your seat."),
    )


def excuse_declare(*, membership: Membership, first_week: str, last_week: str, reason: str, by) -> Excuse:
    """A member declares leave for a run of ISO weeks (at most four, from last week on); staff decide on it."""
    if by is None or (by.pk != membership.person_id and not by.is_staff):
        raise PermissionDenied(_("Only the member or staff may declare leave."))
    errors: dict[str, str] = {}
    for field, label in (("first_week", first_week), ("last_week", last_week)):
        if not is_iso_week_label(label):
            errors[field] = _("Write the week as YYYY-Www, e.g. 2026-W48.")
    if not reason.strip():
        errors["reason"] = _("Say briefly why you are away.")
    if membership.status not in ACTIVE_SEAT_STATES:
        errors["__all__"] = _("Leave can only be declared during an active seat.")
    if errors:
        raise ValidationError(errors)
    weeks = iso_weeks_between(first_week, last_week)
    if not weeks:
        raise ValidationError({"last_week": _("The last week cannot come before the first week.")})
    if len(weeks) > MAX_EXCUSE_WEEKS:
        raise ValidationError(
            {"last_week": _("Leave covers at most %(count)d weeks at a time.") % {"count": MAX_EXCUSE_WEEKS}}
        )
    earliest = last_finished_week(timezone.now())
    if first_week < earliest:
        raise ValidationError(
            {"first_week": _("Leave can start last week (%(week)s) at the earliest.") % {"week": earliest}}
        )
    overlapping = Excuse.objects.filter(
        membership=membership,
        status__in=[ExcuseStatus.PENDING, ExcuseStatus.APPROVED],
        first_week__lte=last_week,
        last_week__gte=first_week,
    )
    if overlapping.exists():
        raise ValidationError({"first_week": _("You already declared leave for some of these weeks.")})
    with transaction.atomic():
        excuse = Excuse.objects.create(
            membership=membership, first_week=first_week, last_week=last_week, reason=reason.strip()[:300]
        )
        audit_record(
            actor=by, verb="excuse.declare", subject=excuse, to_state=excuse.status, note=f"{first_week}–{last_week}"
        )
    return excuse


def excuse_decide(*, excuse: Excuse, by, approve: bool) -> Excuse:
    """Staff approve or decline leave. Approved weeks are marked excused on stored scores, and a warning for one
    of them, or for the week just before (whose lift week it is), is lifted."""
    with transaction.atomic():
        decided = transition(
            instance=excuse,
            to_state=ExcuseStatus.APPROVED if approve else ExcuseStatus.DECLINED,
            allowed=EXCUSE_MOVES,
            by=by,
            verb="excuse.approve" if approve else "excuse.decline",
            changes={"decided_by": by},
        )
        if approve:
            WeeklyScore.objects.filter(
                membership_id=decided.membership_id, week__gte=decided.first_week, week__lte=decided.last_week
            ).update(excused=True)
            warnings = InactivityWarning.objects.filter(
                membership_id=decided.membership_id,
                status__in=[WarningStatus.OPEN, WarningStatus.REMOVAL_PROPOSED],
                week__gte=iso_week_shift(decided.first_week, -1),
                week__lte=decided.last_week,
            )
            for warning in warnings:
                _warning_lift(
                    warning=warning,
                    by=by,
                    note=_("Leave approved for %(first)s to %(last)s.")
                    % {
                        "first": decided.first_week,
                        "last": decided.last_week,
                    },
                )
    return decided


def ways_to_reach(policy: ScoringPolicy) -> str:
    """A concrete example of reaching the threshold with this challenge's weights."""
    threshold = policy.active_threshold
    ways = []
    if policy.pr_opened >= threshold:
        ways.append(_("one pull request"))
    if policy.review >= threshold:
        ways.append(_("one review of a pull request"))
    if policy.message and policy.meeting < threshold:
        messages = math.ceil((threshold - policy.meeting) / policy.message)
        if messages <= policy.message_cap:
            ways.append(_("%(count)d Slack messages and a meeting") % {"count": messages})
    return _(", or ").join(ways)


def _links() -> str:
    return absolute_url(reverse("my_challenges"))


def _notify_warning(*, warning: InactivityWarning, score: WeeklyScore, policy: ScoringPolicy) -> None:
    challenge = warning.membership.challenge
    warned_monday = iso_week_start(warning.week)
    lift_monday = warned_monday + dt.timedelta(weeks=1)
    removal_day = dateformat.format(warning.removal_due_on, DAY_FORMAT)
    outbox_enqueue(
        recipient=warning.membership.person,
        template="inactivity_warning",
        subject=_("Action needed before %(day)s: your seat in %(title)s")
        % {"day": removal_day, "title": challenge.title},
        key=f"inactivity-warning:{warning.membership_id}:{warning.week}",
        context={
            "challenge_title": challenge.title,
            "week": warning.week,
            "week_first_day": dateformat.format(warned_monday, DAY_FORMAT),
            "week_last_day": dateformat.format(warned_monday + dt.timedelta(days=6), DAY_FORMAT),
            "points": score.points,
            "threshold": policy.active_threshold,
            "lift_week": iso_week_shift(warning.week, 1),
            "lift_first_day": dateformat.format(lift_monday, DAY_FORMAT),
            "lift_last_day": dateformat.format(lift_monday + dt.timedelta(days=6), DAY_FORMAT),
            "removal_due_on": warning.removal_due_on.isoformat(),
            "removal_day": removal_day,
            "ways": ways_to_reach(policy),
            "automatic": policy.remove_automatically,
            "weights": {
                "pr_opened": policy.pr_opened,
                "pr_merged": policy.pr_merged,
                "review": policy.review,
                "meeting": policy.meeting,
                "message": policy.message,
                "message_cap": policy.message_cap,
            },
            "url": _links(),
        },
        channels=(Channel.EMAIL, Channel.SLACK),
    )


def _notify_lifted(*, warning: InactivityWarning, message: str) -> None:
    challenge = warning.membership.challenge
    outbox_enqueue(
        recipient=warning.membership.person,
        template="warning_lifted",
        subject=_("Your warning is lifted: %(title)s") % {"title": challenge.title},
        key=f"warning-lifted:{warning.membership_id}:{warning.week}",
        context={"message": str(message), "challenge_title": challenge.title, "week": warning.week, "url": _links()},
        channels=(Channel.EMAIL, Channel.SLACK),
    )
