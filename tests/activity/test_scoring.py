"""Weekly scores: weights, caps, the membership window, the first week, re-runs and a constant query count."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from activity.models import ActivityEvent, EventKind, ScoringPolicy, WeeklyScore
from activity.scoring import score_breakdown, scoring_policy_for, week_score
from challenges.enums import ChallengeStatus
from collaborators.enums import MembershipStatus
from collaborators.models import Membership
from omdena.weeks import iso_week_bounds, iso_week_shift, iso_weeks_between, last_finished_week
from tests.factories import ChallengeFactory, MembershipFactory

pytestmark = pytest.mark.django_db

START = dt.date(2026, 11, 2)  # a Monday: 2026-W45 is the first, unscored week
WEEK = "2026-W46"  # 9 to 15 November 2026
JOINED = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
_ids = itertools.count()


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=dt.UTC)


def record(membership, kind: str, when: dt.datetime, count: int = 1) -> None:
    ActivityEvent.objects.bulk_create(
        ActivityEvent(
            challenge=membership.challenge,
            person=membership.person,
            source_key="test",
            external_id=str(next(_ids)),
            kind=kind,
            occurred_at=when,
        )
        for _ in range(count)
    )


def member(challenge, joined_at=JOINED, **fields) -> Membership:
    membership = MembershipFactory(challenge=challenge, **fields)
    Membership.objects.filter(pk=membership.pk).update(joined_at=joined_at)
    membership.refresh_from_db()
    return membership


@pytest.fixture
def challenge():
    return ChallengeFactory(status=ChallengeStatus.RUNNING, start_date=START)


def test_the_breakdown_explains_the_points(challenge):
    membership = member(challenge)
    record(membership, EventKind.PR_OPENED, at(9), count=2)
    record(membership, EventKind.MESSAGE, at(10), count=7)
    record(membership, EventKind.MEETING, at(12))

    assert week_score(challenge=challenge, week=WEEK) == 1

    score = WeeklyScore.objects.get(membership=membership, week=WEEK)
    assert score.breakdown == {
        "pr_opened": {"count": 2, "points": 20},
        "message": {"count": 7, "points": 7},
        "meeting": {"count": 1, "points": 5},
    }
    assert score.points == 32 == sum(part["points"] for part in score.breakdown.values())
    assert score.threshold == 10 and score.active and not score.excused


def test_messages_and_replies_share_one_cap(challenge):
    membership = member(challenge)
    record(membership, EventKind.MESSAGE, at(10), count=8)
    record(membership, EventKind.REPLY, at(11), count=6)

    week_score(challenge=challenge, week=WEEK)

    score = WeeklyScore.objects.get(membership=membership)
    assert score.points == 10
    assert score.breakdown["message"]["count"] == 8 and score.breakdown["reply"]["count"] == 6


def test_weights_and_threshold_come_from_the_challenge_policy(challenge):
    ScoringPolicy.objects.create(challenge=challenge, review=3, active_threshold=12)
    membership = member(challenge)
    record(membership, EventKind.REVIEW, at(10), count=3)

    week_score(challenge=challenge, week=WEEK)

    score = WeeklyScore.objects.get(membership=membership)
    assert (score.points, score.threshold, score.active) == (9, 12, False)


def test_the_default_policy_is_created_once():
    challenge = ChallengeFactory()
    policy = scoring_policy_for(challenge=challenge)
    assert scoring_policy_for(challenge=challenge) == policy
    defaults = (policy.pr_opened, policy.pr_merged, policy.review, policy.message, policy.reply, policy.meeting)
    assert defaults == (10, 6, 8, 1, 1, 5)
    assert (policy.message_cap, policy.active_threshold, policy.remove_automatically) == (10, 10, False)


def test_only_events_inside_the_week_and_the_membership_window_count(challenge):
    late_joiner = member(challenge, joined_at=at(11))
    record(late_joiner, EventKind.PR_OPENED, at(10))  # before joining: not theirs to count
    record(late_joiner, EventKind.REVIEW, at(12))
    leaver = member(challenge)
    Membership.objects.filter(pk=leaver.pk).update(left_at=at(11))
    record(leaver, EventKind.REVIEW, at(10))
    record(leaver, EventKind.PR_OPENED, at(13))  # after leaving
    steady = member(challenge)
    record(steady, EventKind.PR_OPENED, at(8, 23))  # the Sunday before the week (UTC)
    record(steady, EventKind.PR_OPENED, at(16, 0))  # the Monday after it, at midnight UTC
    record(steady, EventKind.MEETING, at(15, 23))
    other = member(ChallengeFactory(status=ChallengeStatus.RUNNING, start_date=START), person=steady.person)
    record(other, EventKind.PR_OPENED, at(10))  # the same person in another challenge

    assert week_score(challenge=challenge, week=WEEK) == 3

    points = dict(WeeklyScore.objects.filter(week=WEEK).values_list("membership_id", "points"))
    assert points == {late_joiner.pk: 8, leaver.pk: 8, steady.pk: 5}


def test_the_first_week_is_not_scored(challenge):
    membership = member(challenge)
    record(membership, EventKind.PR_OPENED, at(3))

    assert week_score(challenge=challenge, week="2026-W45") == 0
    assert week_score(challenge=challenge, week="2026-W44") == 0
    assert not WeeklyScore.objects.exists()


def test_removed_members_and_later_joiners_are_not_scored(challenge):
    member(challenge, status=MembershipStatus.REMOVED)
    member(challenge, joined_at=at(16))
    warned = member(challenge, status=MembershipStatus.WARNED)

    assert week_score(challenge=challenge, week=WEEK) == 1
    assert WeeklyScore.objects.get().membership == warned


def test_a_rerun_gives_the_same_rows_and_picks_up_late_events(challenge):
    membership = member(challenge)
    record(membership, EventKind.MESSAGE, at(10), count=4)
    week_score(challenge=challenge, week=WEEK)
    first = WeeklyScore.objects.get()

    week_score(challenge=challenge, week=WEEK)
    again = WeeklyScore.objects.get()
    assert (again.pk, again.points, again.breakdown) == (first.pk, 4, first.breakdown)

    record(membership, EventKind.PR_MERGED, at(14))  # a late sync
    week_score(challenge=challenge, week=WEEK)
    assert WeeklyScore.objects.get().points == 10


def _members_with_events(challenge, count: int) -> None:
    for _ in range(count):
        membership = member(challenge)
        record(membership, EventKind.PR_OPENED, at(10))
        record(membership, EventKind.MESSAGE, at(11), count=3)


def test_scoring_does_a_constant_number_of_queries(challenge, django_assert_max_num_queries):
    small, large = challenge, ChallengeFactory(status=ChallengeStatus.RUNNING, start_date=START)
    _members_with_events(small, 3)
    _members_with_events(large, 40)
    scoring_policy_for(challenge=small)
    scoring_policy_for(challenge=large)

    with CaptureQueriesContext(connection) as few, django_assert_max_num_queries(6):
        assert week_score(challenge=small, week=WEEK) == 3
    with CaptureQueriesContext(connection) as many, django_assert_max_num_queries(6):
        assert week_score(challenge=large, week=WEEK) == 40

    assert len(few.captured_queries) == len(many.captured_queries)
    assert WeeklyScore.objects.filter(membership__challenge=large, points=13).count() == 40


POLICY = ScoringPolicy()  # the defaults, unsaved: the breakdown is plain arithmetic
kinds = st.fixed_dictionaries({kind: st.integers(min_value=0, max_value=60) for kind in EventKind.values})


@given(counts=kinds)
def test_points_never_exceed_the_capped_sum(counts):
    points, breakdown = score_breakdown(counts=counts, policy=POLICY)

    chatter = min(counts["message"] + counts["reply"], POLICY.message_cap) * POLICY.message
    uncapped = sum(
        counts[kind] * getattr(POLICY, kind) for kind in EventKind.values if kind not in ("message", "reply")
    )
    assert points == uncapped + chatter
    assert points == sum(part["points"] for part in breakdown.values())
    assert all(breakdown[kind]["count"] == count for kind, count in counts.items() if count)


@given(counts=kinds, extra=st.integers(min_value=1, max_value=50), kind=st.sampled_from(["message", "reply"]))
def test_messages_beyond_the_cap_add_nothing(counts, extra, kind):
    counts = {**counts, "message": max(counts["message"], POLICY.message_cap)}
    before, _ = score_breakdown(counts=counts, policy=POLICY)
    after, _ = score_breakdown(counts={**counts, kind: counts[kind] + extra}, policy=POLICY)
    assert after == before


def test_week_helpers():
    start, end = iso_week_bounds(WEEK)
    assert (start, end) == (dt.datetime(2026, 11, 9, tzinfo=dt.UTC), dt.datetime(2026, 11, 16, tzinfo=dt.UTC))
    assert iso_week_shift("2026-W53", 1) == "2027-W01" and iso_week_shift("2027-W01", -1) == "2026-W53"
    assert iso_weeks_between("2026-W52", "2027-W02") == ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]
    assert last_finished_week(dt.datetime(2026, 11, 16, 0, 0, tzinfo=dt.UTC)) == WEEK
