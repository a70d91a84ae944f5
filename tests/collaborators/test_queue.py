"""The queue: its order (a property over many inputs), positions, the review pace and the cohort mix."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from collaborators.enums import QUEUED_STATES, ApplicationStatus, ExperienceLevel, QueuePriority
from collaborators.filters import ApplicationFilter
from collaborators.models import Application
from collaborators.selectors import (
    cohort_mix,
    pace_by_challenge,
    person_history,
    queue_for_staff,
    queue_position,
    review_pace,
    wait_estimate,
    with_queue_position,
)
from collaborators.services.applications import application_accept, application_reject, application_shortlist
from tests.factories import ApplicationFactory, ChallengeFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

S = ApplicationStatus
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
COUNTRIES = ["KE", "IN", "BR"]

# One row of the generated queue: referral or not, minutes after a base time (few values, so ties
# are common), country, and state (mostly waiting; shortlisted rows have no place in a queue).
queue_rows = st.lists(
    st.tuples(
        st.booleans(),
        st.integers(min_value=0, max_value=3),
        st.sampled_from(COUNTRIES),
        st.sampled_from([S.SUBMITTED, S.SUBMITTED, S.SUBMITTED, S.WAITLISTED, S.SHORTLISTED]),
    ),
    min_size=1,
    max_size=14,
)


def expected_rank(applications: list[Application]) -> dict[int, int | None]:
    """The rule written out plainly: per state, referral first, then oldest, then id."""
    ranks: dict[int, int | None] = {}
    for state in {a.status for a in applications}:
        group = sorted((a for a in applications if a.status == state), key=lambda a: (a.priority, a.submitted_at, a.pk))
        for index, application in enumerate(group, start=1):
            ranks[application.pk] = index if state in QUEUED_STATES else None
    return ranks


@settings(max_examples=30, deadline=None)
@given(rows=queue_rows)
def test_queue_position_is_the_rank_in_referral_then_oldest_then_id_order(rows):
    # Every example runs in a savepoint that is rolled back, so the next one starts from no data.
    with transaction.atomic():
        challenge = ChallengeFactory()
        base = NOW - dt.timedelta(days=30)
        # Older referral applications in another challenge must not count.
        ApplicationFactory.create_batch(2, priority=QueuePriority.REFERRAL, submitted_at=base - dt.timedelta(days=9))
        applications = [
            ApplicationFactory(
                challenge=challenge,
                priority=QueuePriority.REFERRAL if referral else QueuePriority.STANDARD,
                submitted_at=base + dt.timedelta(minutes=minutes),
                country=country,
                status=state,
            )
            for referral, minutes, country, state in rows
        ]
        expected = expected_rank(applications)

        assert {a.pk: queue_position(application=a) for a in applications} == expected
        annotated = with_queue_position(Application.objects.filter(challenge=challenge))
        assert {a.pk: a.queue_position for a in annotated} == expected

        for state in QUEUED_STATES:
            positions = [(a.priority, expected[a.pk]) for a in applications if a.status == state]
            referral = [p for priority, p in positions if priority == QueuePriority.REFERRAL]
            standard = [p for priority, p in positions if priority == QueuePriority.STANDARD]
            if referral and standard:
                assert max(referral) < min(standard)

        whole_queue = list(
            ApplicationFilter(
                data={"challenge": challenge.slug, "status": [S.SUBMITTED]}, queryset=queue_for_staff()
            ).qs
        )
        assert [a.pk for a in whole_queue] == sorted(
            (a.pk for a in applications if a.status == S.SUBMITTED), key=lambda pk: expected[pk]
        )
        for country in COUNTRIES:
            subset = list(
                ApplicationFilter(
                    data={"challenge": challenge.slug, "status": [S.SUBMITTED], "country": country},
                    queryset=queue_for_staff(),
                ).qs
            )
            # Filtering keeps the relative order and the real positions (it does not renumber).
            assert [a.pk for a in subset] == [a.pk for a in whole_queue if a.country == country]
            assert [a.queue_position for a in subset] == [expected[a.pk] for a in subset]
        transaction.set_rollback(True)


def test_positions_move_up_when_an_application_ahead_leaves_the_queue(staff):
    challenge = ChallengeFactory()
    first, second, third = (
        ApplicationFactory(challenge=challenge, submitted_at=NOW - dt.timedelta(days=days)) for days in (3, 2, 1)
    )

    application_shortlist(application=first, by=staff)

    second.refresh_from_db()
    third.refresh_from_db()
    assert (queue_position(application=second), queue_position(application=third)) == (1, 2)
    first.refresh_from_db()
    assert queue_position(application=first) is None


def test_position_is_one_query(django_assert_num_queries):
    application = ApplicationFactory()
    ApplicationFactory.create_batch(3, challenge=application.challenge)

    with django_assert_num_queries(1):
        queue_position(application=application)


def test_with_queue_position_costs_no_extra_queries_per_row(django_assert_num_queries):
    challenge = ChallengeFactory()
    ApplicationFactory.create_batch(12, challenge=challenge)

    with django_assert_num_queries(1):
        positions = [a.queue_position for a in with_queue_position(Application.objects.filter(challenge=challenge))]

    assert sorted(positions) == list(range(1, 13))


def review_at(moment: dt.datetime, service, application, by) -> None:
    with time_machine.travel(moment, tick=False):
        service(application=application, by=by)


def test_review_pace_counts_applications_reviewed_in_the_last_four_weeks(staff):
    challenge = ChallengeFactory()
    other = ChallengeFactory()
    applications = ApplicationFactory.create_batch(8, challenge=challenge, submitted_at=NOW - dt.timedelta(days=90))
    within = [1, 6, 13, 20, 27]  # days before NOW
    for days, application in zip(within, applications, strict=False):
        review_at(NOW - dt.timedelta(days=days), application_shortlist, application, staff)
    # Reviewed more than four weeks ago: not part of the current pace.
    review_at(NOW - dt.timedelta(days=29), application_reject, applications[5], staff)
    review_at(NOW - dt.timedelta(days=60), application_shortlist, applications[6], staff)
    # A second move of an application already reviewed does not count it twice.
    review_at(NOW - dt.timedelta(days=2), application_accept, applications[0], staff)
    # Reviews in another challenge are that challenge's pace.
    review_at(NOW - dt.timedelta(days=3), application_shortlist, ApplicationFactory(challenge=other), staff)

    with time_machine.travel(NOW, tick=False):
        assert review_pace(challenge=challenge) == len(within) / 4
        assert review_pace(challenge=other) == 0.25
        assert pace_by_challenge(challenge_ids=[challenge.pk, other.pk]) == {challenge.pk: 1.25, other.pk: 0.25}
    # Two weeks later the reviews of 20 and 27 days ago have left the window.
    assert review_pace(challenge=challenge, now=NOW + dt.timedelta(days=14)) == 3 / 4


def test_no_reviews_means_no_pace():
    challenge = ChallengeFactory()
    ApplicationFactory.create_batch(3, challenge=challenge)

    assert review_pace(challenge=challenge) == 0
    assert pace_by_challenge(challenge_ids=[challenge.pk]) == {challenge.pk: 0.0}


@pytest.mark.parametrize(
    ("position", "pace", "weeks"),
    [
        (7, 3, 3),  # 7 ahead-or-including at 3 a week: a bit over two weeks, said as 3
        (6, 3, 2),
        (1, 10, 1),  # never "0 weeks"
        (8, 0.75, 11),
        (120, 2.5, 48),
    ],
)
def test_wait_estimate_rounds_up_to_whole_weeks(position, pace, weeks):
    estimate = wait_estimate(position=position, pace_per_week=pace)

    assert estimate.known
    assert (estimate.weeks, estimate.pace_per_week) == (weeks, pace)


def test_wait_estimate_without_a_pace_is_unknown():
    estimate = wait_estimate(position=7, pace_per_week=0)

    assert not estimate.known
    assert estimate.weeks is None


def test_cohort_mix_counts_accepted_and_shortlisted_by_level_and_country():
    challenge = ChallengeFactory(capacity=40)
    exp, mid, beg = ExperienceLevel.EXPERIENCED, ExperienceLevel.INTERMEDIATE, ExperienceLevel.BEGINNER
    for state, level, country in [
        (S.ACCEPTED, exp, "KE"),
        (S.ACCEPTED, exp, "IN"),
        (S.SHORTLISTED, mid, "KE"),
        (S.SHORTLISTED, beg, "BR"),
        # Not in the cohort: still waiting, decided against, or left.
        (S.SUBMITTED, beg, "NG"),
        (S.WAITLISTED, beg, "NG"),
        (S.REJECTED, mid, "NG"),
        (S.WITHDRAWN, exp, "NG"),
    ]:
        ApplicationFactory(challenge=challenge, status=state, experience_level=level, country=country)
    ApplicationFactory(status=S.ACCEPTED, experience_level=beg, country="NG")  # another challenge

    mix = cohort_mix(challenge=challenge)

    assert (mix.total, mix.accepted, mix.capacity, mix.target_percent) == (4, 2, 40, 33)
    assert [(row.key, row.count, row.percent) for row in mix.levels] == [
        ("experienced", 2, 50),
        ("intermediate", 1, 25),
        ("beginner", 1, 25),
    ]
    assert [(row.key, row.label, row.count, row.percent) for row in mix.countries] == [
        ("KE", "Kenya", 2, 50),
        ("BR", "Brazil", 1, 25),
        ("IN", "India", 1, 25),
    ]


def test_cohort_mix_of_an_empty_challenge_is_all_zero():
    mix = cohort_mix(challenge=ChallengeFactory())

    assert mix.total == 0
    assert [(row.count, row.percent) for row in mix.levels] == [(0, 0), (0, 0), (0, 0)]
    assert mix.countries == []


def test_person_history_lists_other_applications_and_memberships_with_a_removal():
    person = UserFactory()
    current = ApplicationFactory(person=person, submitted_at=NOW)
    earlier_application = ApplicationFactory(
        person=person, status=S.ACCEPTED, submitted_at=NOW - dt.timedelta(days=200)
    )
    rejected = ApplicationFactory(person=person, status=S.REJECTED, submitted_at=NOW - dt.timedelta(days=100))
    completed = MembershipFactory(
        person=person, challenge=earlier_application.challenge, application=earlier_application, status="completed"
    )
    removed = MembershipFactory(
        person=person, status="removed", removal_reason="inactivity", left_at=NOW - dt.timedelta(days=30)
    )
    ApplicationFactory()  # someone else's
    MembershipFactory()

    history = person_history(person=person, exclude=current)

    assert history.applications == [rejected, earlier_application]
    assert set(history.memberships) == {completed, removed}
    assert history.removals == [removed]
    assert history.removals[0].get_removal_reason_display() == "Inactive without a reason"
    assert current in person_history(person=person).applications
