import datetime as dt
import itertools

import pytest
import time_machine

from audit.models import AuditEntry
from audit.selectors import history_for
from challenges import services
from challenges.enums import CHALLENGE_MOVES, ChallengeStatus
from omdena.errors import TransitionNotAllowed
from tests.factories import ChallengeFactory

pytestmark = pytest.mark.django_db

SERVICE_FOR_TARGET = {
    ChallengeStatus.OPEN: services.challenge_open,
    ChallengeStatus.RUNNING: services.challenge_start,
    ChallengeStatus.COMPLETED: services.challenge_complete,
    ChallengeStatus.CANCELLED: services.challenge_cancel,
}
ALLOWED = {
    (ChallengeStatus.DRAFT, ChallengeStatus.OPEN),
    (ChallengeStatus.DRAFT, ChallengeStatus.CANCELLED),
    (ChallengeStatus.OPEN, ChallengeStatus.RUNNING),
    (ChallengeStatus.OPEN, ChallengeStatus.CANCELLED),
    (ChallengeStatus.RUNNING, ChallengeStatus.COMPLETED),
    (ChallengeStatus.RUNNING, ChallengeStatus.CANCELLED),
}
ALL_PAIRS = list(itertools.product(ChallengeStatus, SERVICE_FOR_TARGET))


def test_moves_table_matches_the_design():
    table = {(source, target) for source, targets in CHALLENGE_MOVES.items() for target in targets}
    assert table == ALLOWED


@pytest.mark.parametrize(("source", "target"), sorted(ALLOWED))
def test_allowed_move_changes_status_and_writes_one_audit_entry(staff, source, target):
    challenge = ChallengeFactory(status=source)

    result = SERVICE_FOR_TARGET[target](challenge=challenge, by=staff, note="looks good")

    challenge.refresh_from_db()
    assert challenge.status == target == result.status
    entry = history_for(subject=challenge).get()
    assert (entry.actor, entry.from_state, entry.to_state, entry.note) == (staff, source, target, "looks good")


# Completing a completed challenge is not a move but a repeat, which is idempotent
# (tests/collaborators/test_completion.py).
REFUSED = [pair for pair in ALL_PAIRS if pair not in ALLOWED and pair != (ChallengeStatus.COMPLETED,) * 2]


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_refused_move_changes_nothing_and_writes_no_audit_entry(staff, source, target):
    challenge = ChallengeFactory(status=source)

    with pytest.raises(TransitionNotAllowed) as refused:
        SERVICE_FOR_TARGET[target](challenge=challenge, by=staff)

    challenge.refresh_from_db()
    assert challenge.status == source
    assert not AuditEntry.objects.exists()
    assert str(source) in str(refused.value) and str(target) in str(refused.value)


def test_completing_a_completed_challenge_again_changes_nothing(staff):
    challenge = ChallengeFactory(status=ChallengeStatus.COMPLETED)

    result = SERVICE_FOR_TARGET[ChallengeStatus.COMPLETED](challenge=challenge, by=staff)

    assert result.status == ChallengeStatus.COMPLETED
    assert not AuditEntry.objects.exists()


@time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC), tick=False)
def test_start_sets_todays_date_when_none_was_planned(staff):
    challenge = ChallengeFactory(status=ChallengeStatus.OPEN, start_date=None)

    challenge = services.challenge_start(challenge=challenge, by=staff)

    assert challenge.start_date == dt.date(2026, 11, 23)
    assert challenge.end_date == dt.date(2027, 1, 17)


def test_start_keeps_a_planned_date(staff):
    challenge = ChallengeFactory(status=ChallengeStatus.OPEN, start_date=dt.date(2026, 12, 7))

    challenge = services.challenge_start(challenge=challenge, by=staff)

    challenge.refresh_from_db()
    assert challenge.start_date == dt.date(2026, 12, 7)


def test_full_lifecycle_leaves_a_readable_history(staff):
    challenge = ChallengeFactory(status=ChallengeStatus.DRAFT)
    services.challenge_open(challenge=challenge, by=staff)
    services.challenge_start(challenge=challenge, by=staff)
    services.challenge_complete(challenge=challenge, by=staff, note="handed over")

    history = list(history_for(subject=challenge).values_list("from_state", "to_state"))
    assert history == [("running", "completed"), ("open", "running"), ("draft", "open")]
