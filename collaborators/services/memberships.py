"""Seats: counting them under a lock, the membership lifecycle, and filling a freed seat from the waitlist."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import transition
from challenges.enums import ChallengeStatus
from challenges.models import Challenge

from ..enums import ApplicationStatus, MembershipStatus, RemovalReason
from ..models import Application, Membership
from ..selectors import seats_taken

# active -> warned -> removed; warned -> active when activity returns; active|warned -> completed at the end.
MEMBERSHIP_MOVES: dict[str, set[str]] = {
    MembershipStatus.ACTIVE: {MembershipStatus.WARNED, MembershipStatus.REMOVED, MembershipStatus.COMPLETED},
    MembershipStatus.WARNED: {MembershipStatus.ACTIVE, MembershipStatus.REMOVED, MembershipStatus.COMPLETED},
    MembershipStatus.REMOVED: set(),
    MembershipStatus.COMPLETED: set(),
}
# A freed seat is offered to the waitlist before the start and during the first two weeks only:
# later, a newcomer could not catch up with the team.
PROMOTION_WEEKS = 2


class NoSeatLeft(ValidationError):
    """Accepting would exceed the challenge's capacity."""


def lock_seat(*, challenge_id: int) -> Challenge:
    """Lock the challenge row and check a seat is free; call inside the transaction that takes the seat.

    The row lock serialises every accept of one challenge, so the last seat cannot be given twice.
    """
    challenge = Challenge.objects.select_for_update().get(pk=challenge_id)
    if seats_taken(challenge=challenge) >= challenge.capacity:
        raise NoSeatLeft(
            {
                "status": _(
                    "No seat left: all %(capacity)d seats of “%(title)s” are taken. Waitlist the applicant instead."
                )
                % {"capacity": challenge.capacity, "title": challenge.title}
            }
        )
    return challenge


def membership_warn(*, membership: Membership, by, note: str = "") -> Membership:
    return transition(
        instance=membership,
        to_state=MembershipStatus.WARNED,
        allowed=MEMBERSHIP_MOVES,
        by=by,
        verb="membership.warn",
        note=note,
    )


def membership_reactivate(*, membership: Membership, by, note: str = "") -> Membership:
    """Activity came back: the warning is lifted."""
    return transition(
        instance=membership,
        to_state=MembershipStatus.ACTIVE,
        allowed=MEMBERSHIP_MOVES,
        by=by,
        verb="membership.reactivate",
        note=note,
    )


def membership_complete(*, membership: Membership, by, note: str = "") -> Membership:
    return transition(
        instance=membership,
        to_state=MembershipStatus.COMPLETED,
        allowed=MEMBERSHIP_MOVES,
        by=by,
        verb="membership.complete",
        note=note,
        changes={"left_at": timezone.now()},
    )


def membership_remove(*, membership: Membership, by, reason: str, note: str = "") -> Membership:
    """End a seat: access is revoked by tasks after commit; removal for inactivity also stops the person's
    referral codes, and they must apply again for any future challenge. The freed seat may go to the waitlist."""
    from activity.onboarding import access_revoke_schedule
    from challenges.task_services import task_leaders_step_down_for
    from referrals.services import referral_codes_deactivate_for_owner

    from ..notifications import notify_membership

    with transaction.atomic():
        removed = transition(
            instance=membership,
            to_state=MembershipStatus.REMOVED,
            allowed=MEMBERSHIP_MOVES,
            by=by,
            verb="membership.remove",
            note=note or reason,
            changes={"left_at": timezone.now(), "removal_reason": reason},
        )
        if reason == RemovalReason.INACTIVITY:
            referral_codes_deactivate_for_owner(owner=removed.person, by=by)
        task_leaders_step_down_for(membership=removed, by=by)  # a removed leader stops leading
        access_revoke_schedule(membership=removed)
        notify_membership(membership=removed, kind="removed")
        seat_freed(challenge=removed.challenge, by=by)
    return removed


def promotion_window_open(*, challenge: Challenge, today: dt.date | None = None) -> bool:
    if challenge.status == ChallengeStatus.OPEN:
        return True
    if challenge.status != ChallengeStatus.RUNNING:
        return False
    week = challenge.week(today)
    return week is not None and week.number <= PROMOTION_WEEKS


def next_waitlisted(*, challenge: Challenge) -> Application | None:
    """The first waitlisted application in queue order (referrals first, then the oldest)."""
    return (
        Application.objects.filter(challenge=challenge, status=ApplicationStatus.WAITLISTED)
        .select_related("person")
        .order_by("priority", "submitted_at", "id")
        .first()
    )


def seat_freed(*, challenge: Challenge, by) -> Application | None:
    """A seat came free: where the challenge says so, the next waitlisted person gets it at once;
    otherwise staff see the suggestion on the selection page and confirm it."""
    from .applications import application_accept

    if not (challenge.auto_promote_waitlist and promotion_window_open(challenge=challenge)):
        return None
    candidate = next_waitlisted(challenge=challenge)
    if candidate is None:
        return None
    try:
        return application_accept(application=candidate, by=by, note=_("A seat freed up: first on the waitlist."))
    except NoSeatLeft:
        return None
