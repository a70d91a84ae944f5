"""Every write that changes a challenge's state: one guarded function per move."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from audit.services import transition

from .enums import CHALLENGE_MOVES, ChallengeStatus
from .models import Challenge


def challenge_open(*, challenge: Challenge, by, note: str = "") -> Challenge:
    """Publish a draft so that people can apply until its deadline."""
    return transition(
        instance=challenge,
        to_state=ChallengeStatus.OPEN,
        allowed=CHALLENGE_MOVES,
        by=by,
        verb="challenge.open",
        note=note,
    )


def challenge_start(*, challenge: Challenge, by, start_date: dt.date | None = None, note: str = "") -> Challenge:
    """Start the 8 weeks; the start date defaults to today (UTC) when not set earlier."""
    start = start_date or challenge.start_date or timezone.localdate(timezone=dt.UTC)
    return transition(
        instance=challenge,
        to_state=ChallengeStatus.RUNNING,
        allowed=CHALLENGE_MOVES,
        by=by,
        verb="challenge.start",
        note=note,
        changes={"start_date": start},
    )


def challenge_complete(*, challenge: Challenge, by, note: str = "") -> Challenge:
    """End a running challenge: its active and warned seats complete, each with a certificate and a referral code.

    Idempotent: on a challenge already completed it only finishes what an interrupted run left (no second
    audit entry, certificate, code or message)."""
    from collaborators.services.completion import memberships_complete_for

    with transaction.atomic():
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if locked.status != ChallengeStatus.COMPLETED:
            locked = transition(
                instance=locked,
                to_state=ChallengeStatus.COMPLETED,
                allowed=CHALLENGE_MOVES,
                by=by,
                verb="challenge.complete",
                note=note,
            )
        memberships_complete_for(challenge=locked, by=by)
    return locked


def challenge_cancel(*, challenge: Challenge, by, note: str = "") -> Challenge:
    """Cancel from any state but completed."""
    return transition(
        instance=challenge,
        to_state=ChallengeStatus.CANCELLED,
        allowed=CHALLENGE_MOVES,
        by=by,
        verb="challenge.cancel",
        note=note,
    )


# One name per move, so pages, API, admin and commands dispatch the same way.
CHALLENGE_ACTIONS = {
    "open": challenge_open,
    "start": challenge_start,
    "complete": challenge_complete,
    "cancel": challenge_cancel,
}
ACTION_TARGETS = {
    "open": ChallengeStatus.OPEN,
    "start": ChallengeStatus.RUNNING,
    "complete": ChallengeStatus.COMPLETED,
    "cancel": ChallengeStatus.CANCELLED,
}


def allowed_actions(challenge: Challenge) -> list[str]:
    """The action names a challenge in its current state can take."""
    moves = CHALLENGE_MOVES[challenge.status]
    return [name for name, target in ACTION_TARGETS.items() if target in moves]
