"""Applications through their services: submit, every move of the lifecycle, withdraw, transfer, emails."""

import datetime as dt
import io
import itertools

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction

from audit.models import AuditEntry
from audit.selectors import history_for
from audit.services import transition
from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from collaborators.enums import (
    APPLICATION_MOVES,
    OPEN_APPLICATION_STATES,
    TRANSFERABLE_STATES,
    ApplicationStatus,
    MembershipStatus,
    QueuePriority,
)
from collaborators.models import Application, Membership, ReviewScore, User
from collaborators.selectors import queue_position
from collaborators.services.applications import (
    application_accept,
    application_reject,
    application_shortlist,
    application_submit,
    application_transfer,
    application_waitlist,
    application_withdraw,
    applications_bulk_review,
    review_score_set,
)
from omdena.errors import TransitionNotAllowed
from referrals.models import ReferralCode
from tests.factories import ApplicationFactory, ChallengeFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

S = ApplicationStatus
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)

# The lifecycle as the design states it; the table in collaborators.enums must match.
DESIGN_MOVES = {
    (S.SUBMITTED, S.SHORTLISTED),
    (S.SUBMITTED, S.WAITLISTED),
    (S.SUBMITTED, S.REJECTED),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.SHORTLISTED, S.INTERVIEW_SCHEDULED),
    (S.SHORTLISTED, S.ACCEPTED),
    (S.SHORTLISTED, S.WAITLISTED),
    (S.SHORTLISTED, S.REJECTED),
    (S.SHORTLISTED, S.WITHDRAWN),
    (S.INTERVIEW_SCHEDULED, S.INTERVIEWED),
    (S.INTERVIEW_SCHEDULED, S.SHORTLISTED),  # the interview is cancelled
    (S.INTERVIEW_SCHEDULED, S.REJECTED),  # a no-show
    (S.INTERVIEW_SCHEDULED, S.WITHDRAWN),
    (S.INTERVIEWED, S.ACCEPTED),
    (S.INTERVIEWED, S.WAITLISTED),
    (S.INTERVIEWED, S.REJECTED),
    (S.INTERVIEWED, S.WITHDRAWN),
    (S.WAITLISTED, S.ACCEPTED),
    (S.WAITLISTED, S.REJECTED),
    (S.WAITLISTED, S.WITHDRAWN),
    (S.ACCEPTED, S.WITHDRAWN),  # the applicant declines the seat they were given
}
ALLOWED = {(source, target) for source, targets in APPLICATION_MOVES.items() for target in targets}
REFUSED = sorted(set(itertools.product(S, S)) - ALLOWED)

# The services staff and applicants call; moves into the interview states come with the interviews issue.
SERVICE_FOR_TARGET = {
    S.SHORTLISTED: application_shortlist,
    S.WAITLISTED: application_waitlist,
    S.REJECTED: application_reject,
    S.ACCEPTED: application_accept,
    S.WITHDRAWN: application_withdraw,
}
DECISIONS = {S.ACCEPTED, S.WAITLISTED, S.REJECTED}
EARLIER = NOW - dt.timedelta(days=3)


def application_data(**overrides) -> dict:
    data = {
        "motivation": "Clean water matters where I live.",
        "relevant_experience": "Time series forecasting at work.",
        "skills": "Python, pandas",
        "experience_level": "beginner",
        "country": "NG",
        "time_zone": "Africa/Lagos",
        "weekly_hours": 15,
        "commits_to_hours": True,
        "github_username": "ada-applies",
    }
    data.update(overrides)
    return data


def in_state(state: str, **kwargs) -> Application:
    """An application already in `state`, as if reviewed three days ago when it has left the queue."""
    reviewed = None if state == S.SUBMITTED else EARLIER
    return ApplicationFactory(status=state, reviewed_at=reviewed, **kwargs)


def actor_for(target: str, application: Application, staff: User) -> User:
    return application.person if target == S.WITHDRAWN else staff


# --- the moves table ---------------------------------------------------------------------------


def test_moves_table_matches_the_design():
    assert ALLOWED == DESIGN_MOVES


@pytest.mark.parametrize(("source", "target"), sorted((s, t) for s, t in ALLOWED if t in SERVICE_FOR_TARGET))
@time_machine.travel(NOW, tick=False)
def test_allowed_move_writes_the_state_its_times_and_one_audit_row(staff, source, target):
    application = in_state(source)
    actor = actor_for(target, application, staff)

    result = SERVICE_FOR_TARGET[target](application=application, by=actor, note="checked the motivation")

    application.refresh_from_db()
    assert application.status == result.status == target
    entry = history_for(subject=application).get()
    assert (entry.actor, entry.verb, entry.from_state, entry.to_state, entry.note) == (
        actor,
        f"application.{SERVICE_FOR_TARGET[target].__name__.removeprefix('application_')}",
        source,
        target,
        "checked the motivation",
    )
    # reviewed_at marks the first time the application left the queue; later moves keep it.
    assert application.reviewed_at == (NOW if source == S.SUBMITTED else EARLIER)
    assert application.decided_at == (NOW if target in DECISIONS else None)
    assert Membership.objects.filter(person=application.person).count() == (1 if target == S.ACCEPTED else 0)


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_refused_move_raises_changes_nothing_and_writes_no_audit_row(staff, source, target):
    application = in_state(source)
    # The services where one exists; otherwise the same guard with the same table they use.
    if target in SERVICE_FOR_TARGET:

        def attempt():
            SERVICE_FOR_TARGET[target](application=application, by=staff, note="no")
    else:

        def attempt():
            transition(instance=application, to_state=target, allowed=APPLICATION_MOVES, by=staff, verb="test")

    with pytest.raises(TransitionNotAllowed) as refused:
        attempt()

    application.refresh_from_db()
    assert application.status == source
    assert (refused.value.from_state, refused.value.to_state) == (source, target)
    assert not AuditEntry.objects.exists()
    assert not Membership.objects.exists()


def test_accept_creates_exactly_one_membership_linked_to_the_application(staff):
    application = in_state(S.SHORTLISTED)

    application_accept(application=application, by=staff)
    with pytest.raises(TransitionNotAllowed):
        application_accept(application=application, by=staff)

    membership = Membership.objects.get()
    assert (membership.person, membership.challenge, membership.application) == (
        application.person,
        application.challenge,
        application,
    )
    assert membership.status == MembershipStatus.ACTIVE


def test_accept_from_the_waitlist_when_a_seat_frees(staff):
    application = in_state(S.WAITLISTED)

    application_accept(application=application, by=staff, note="a seat freed up")

    assert Membership.objects.filter(application=application).count() == 1


def test_bulk_review_moves_the_movable_and_reports_the_rest(staff):
    challenge = ChallengeFactory()
    waiting = ApplicationFactory.create_batch(3, challenge=challenge)
    withdrawn = ApplicationFactory(challenge=challenge, status=S.WITHDRAWN)

    result = applications_bulk_review(applications=[*waiting, withdrawn], action="shortlist", by=staff, note="batch")

    assert [a.pk for a in result.done] == [a.pk for a in waiting]
    assert [(a.pk, "withdrawn" in reason) for a, reason in result.refused] == [(withdrawn.pk, True)]
    assert Application.objects.filter(status=S.SHORTLISTED).count() == 3
    assert AuditEntry.objects.filter(verb="application.shortlist", note="batch").count() == 3


def test_review_scores_one_per_reviewer_updated_in_place(staff):
    application = ApplicationFactory()
    other_reviewer = UserFactory(is_staff=True)

    review_score_set(application=application, reviewer=staff, score=3, note="ok")
    review_score_set(application=application, reviewer=staff, score=5, note="strong GitHub")
    review_score_set(application=application, reviewer=other_reviewer, score=4)

    assert sorted(ReviewScore.objects.values_list("reviewer__email", "score")) == sorted(
        [(staff.email, 5), (other_reviewer.email, 4)]
    )
    with pytest.raises(ValidationError) as refused:
        review_score_set(application=application, reviewer=staff, score=6)
    assert "score" in refused.value.message_dict


# --- submit ------------------------------------------------------------------------------------


def test_submit_puts_a_standard_application_in_the_queue_with_an_audit_row(open_challenge):
    person = UserFactory()

    application = application_submit(person=person, challenge=open_challenge, data=application_data())

    application.refresh_from_db()
    assert (application.status, application.priority, application.referral_code) == (
        S.SUBMITTED,
        QueuePriority.STANDARD,
        None,
    )
    assert (application.country.code, application.weekly_hours, application.github_username) == (
        "NG",
        15,
        "ada-applies",
    )
    entry = history_for(subject=application).get()
    assert (entry.actor, entry.verb, entry.to_state) == (person, "application.submit", S.SUBMITTED)
    assert queue_position(application=application) == 1


def test_a_blank_referral_code_is_a_standard_application(open_challenge):
    application = application_submit(
        person=UserFactory(), challenge=open_challenge, data=application_data(), referral_code="   "
    )

    assert application.priority == QueuePriority.STANDARD


def test_duplicate_application_is_refused_on_the_challenge_field(open_challenge):
    person = UserFactory()
    application_submit(person=person, challenge=open_challenge, data=application_data())

    with pytest.raises(ValidationError) as refused:
        application_submit(person=person, challenge=open_challenge, data=application_data(motivation="again"))

    assert "already applied" in refused.value.message_dict["challenge"][0]
    assert Application.objects.filter(person=person).count() == 1
    assert AuditEntry.objects.filter(verb="application.submit").count() == 1


def test_deadline_passed_is_refused():
    challenge = ChallengeFactory(application_deadline=NOW + dt.timedelta(days=2))
    person = UserFactory()

    with (
        time_machine.travel(NOW + dt.timedelta(days=2, seconds=1), tick=False),
        pytest.raises(ValidationError) as refused,
    ):
        application_submit(person=person, challenge=challenge, data=application_data())

    assert "not accepting applications" in refused.value.message_dict["challenge"][0]
    assert not Application.objects.exists()
    # The same challenge one second before its deadline still accepts.
    with time_machine.travel(NOW + dt.timedelta(days=2, seconds=-1), tick=False):
        application_submit(person=person, challenge=challenge, data=application_data())


@pytest.mark.parametrize(
    "status",
    [ChallengeStatus.DRAFT, ChallengeStatus.RUNNING, ChallengeStatus.COMPLETED, ChallengeStatus.CANCELLED],
)
def test_only_open_challenges_accept_applications(status):
    challenge = ChallengeFactory(status=status)

    with pytest.raises(ValidationError) as refused:
        application_submit(person=UserFactory(), challenge=challenge, data=application_data())

    assert set(refused.value.message_dict) == {"challenge"}
    assert not Application.objects.exists()


def test_submit_needs_the_fifteen_hours_commitment(open_challenge):
    with pytest.raises(ValidationError) as refused:
        application_submit(
            person=UserFactory(), challenge=open_challenge, data=application_data(commits_to_hours=False)
        )

    assert set(refused.value.message_dict) == {"commits_to_hours"}
    assert not Application.objects.exists()


def test_a_person_removed_for_inactivity_may_apply_to_a_future_challenge(open_challenge):
    person = UserFactory()
    MembershipFactory(person=person, status=MembershipStatus.REMOVED, removal_reason="inactivity", left_at=NOW)

    application = application_submit(person=person, challenge=open_challenge, data=application_data())

    assert application.status == S.SUBMITTED


# --- withdraw ----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", sorted(OPEN_APPLICATION_STATES))
def test_applicant_withdraws_from_every_open_state(state):
    application = in_state(state)

    application_withdraw(application=application, by=application.person, note="found a job")

    application.refresh_from_db()
    assert application.status == S.WITHDRAWN
    entry = history_for(subject=application).get()
    assert (entry.actor, entry.from_state, entry.note) == (application.person, state, "found a job")
    assert queue_position(application=application) is None


@pytest.mark.parametrize("state", [S.REJECTED, S.WITHDRAWN])
def test_a_closed_application_cannot_be_withdrawn(state):
    application = in_state(state)

    with pytest.raises(TransitionNotAllowed):
        application_withdraw(application=application, by=application.person)


# --- transfer ----------------------------------------------------------------------------------


def test_transfer_keeps_the_submission_time_and_hence_the_place(staff):
    source = ChallengeFactory(title="Water pumps")
    target = ChallengeFactory(title="Flood warnings")
    for days in (10, 5, 1):
        ApplicationFactory(challenge=target, submitted_at=NOW - dt.timedelta(days=days))
    ApplicationFactory(challenge=target, submitted_at=NOW, priority=QueuePriority.REFERRAL)
    application = ApplicationFactory(challenge=source, submitted_at=NOW - dt.timedelta(days=7))

    moved = application_transfer(application=application, to_challenge=target, by=staff, note="better fit")

    application.refresh_from_db()
    assert application.challenge == target
    assert application.submitted_at == NOW - dt.timedelta(days=7)
    # After the referral and the 10-day-old application, before the 5-day-old one.
    assert queue_position(application=application) == queue_position(application=moved) == 3
    entry = history_for(subject=application).get()
    assert entry.verb == "application.transfer"
    assert (entry.actor, entry.from_state, entry.to_state) == (staff, S.SUBMITTED, S.SUBMITTED)
    assert "Water pumps" in entry.note and "Flood warnings" in entry.note and "better fit" in entry.note


def test_transfer_keeps_a_referral_priority(staff):
    target = ChallengeFactory()
    ApplicationFactory(challenge=target, submitted_at=NOW - dt.timedelta(days=30))
    application = ApplicationFactory(priority=QueuePriority.REFERRAL, submitted_at=NOW)

    application_transfer(application=application, to_challenge=target, by=staff)

    application.refresh_from_db()
    assert application.priority == QueuePriority.REFERRAL
    assert queue_position(application=application) == 1


@pytest.mark.parametrize("state", sorted(set(S) - TRANSFERABLE_STATES))
def test_transfer_is_refused_for_an_application_that_is_not_waiting(staff, state):
    application = in_state(state)
    target = ChallengeFactory()

    with pytest.raises(ValidationError) as refused:
        application_transfer(application=application, to_challenge=target, by=staff)

    assert set(refused.value.message_dict) == {"status"}
    application.refresh_from_db()
    assert application.challenge != target
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "target_kwargs",
    [
        {"status": ChallengeStatus.RUNNING},
        {"status": ChallengeStatus.DRAFT},
        {"application_deadline": NOW - dt.timedelta(days=1)},
    ],
    ids=["running", "draft", "deadline-passed"],
)
def test_transfer_is_refused_to_a_challenge_that_is_not_open(staff, target_kwargs):
    application = ApplicationFactory()
    source = application.challenge
    target = ChallengeFactory(**target_kwargs)

    with time_machine.travel(NOW, tick=False), pytest.raises(ValidationError) as refused:
        application_transfer(application=application, to_challenge=target, by=staff)

    assert set(refused.value.message_dict) == {"challenge"}
    application.refresh_from_db()
    assert application.challenge == source


def test_transfer_is_refused_when_the_person_already_applied_there(staff):
    application = ApplicationFactory()
    target = ChallengeFactory()
    ApplicationFactory(person=application.person, challenge=target, status=S.REJECTED)

    with pytest.raises(ValidationError) as refused:
        application_transfer(application=application, to_challenge=target, by=staff)

    assert "already applied" in refused.value.message_dict["challenge"][0]


def test_transfer_to_the_same_challenge_is_refused(staff):
    application = ApplicationFactory()

    with pytest.raises(ValidationError):
        application_transfer(application=application, to_challenge=application.challenge, by=staff)


# --- emails ------------------------------------------------------------------------------------


def assert_one_email(application: Application, status_label: str) -> None:
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    title = application.challenge.title
    assert email.to == [application.person.email]
    assert title in email.subject
    assert title in email.body and status_label in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert title in html and status_label in html


def test_submit_sends_one_email_after_commit(open_challenge, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = application_submit(person=UserFactory(), challenge=open_challenge, data=application_data())

    assert_one_email(application, "In the queue")
    assert "We received your application" in mail.outbox[0].subject


@pytest.mark.parametrize(("source", "target"), sorted((s, t) for s, t in ALLOWED if t in SERVICE_FOR_TARGET))
def test_each_move_sends_one_email_naming_the_challenge_and_new_status(
    staff, source, target, django_capture_on_commit_callbacks
):
    application = in_state(source, challenge=ChallengeFactory(title="Detecting poachers"))

    with django_capture_on_commit_callbacks(execute=True):
        moved = SERVICE_FOR_TARGET[target](application=application, by=actor_for(target, application, staff))

    assert_one_email(moved, str(S(target).label))


def test_transfer_sends_one_email_naming_the_new_challenge(staff, django_capture_on_commit_callbacks):
    application = ApplicationFactory()
    target = ChallengeFactory(title="Flood warnings for Nairobi")

    with django_capture_on_commit_callbacks(execute=True):
        moved = application_transfer(application=application, to_challenge=target, by=staff)

    assert_one_email(moved, "In the queue")
    assert "Flood warnings for Nairobi" in mail.outbox[0].subject


def test_a_refused_move_sends_nothing(staff, django_capture_on_commit_callbacks):
    application = in_state(S.REJECTED)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(TransitionNotAllowed):
        application_shortlist(application=application, by=staff)

    assert callbacks == []
    assert mail.outbox == []


def test_a_rolled_back_submit_sends_nothing(open_challenge, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        application_submit(person=UserFactory(), challenge=open_challenge, data=application_data())
        raise RuntimeError("the request failed after the submit")

    assert callbacks == []
    assert mail.outbox == []
    assert not Application.objects.exists()


def test_a_refused_submit_sends_nothing(open_challenge, django_capture_on_commit_callbacks):
    person = UserFactory()
    ApplicationFactory(person=person, challenge=open_challenge)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        application_submit(person=person, challenge=open_challenge, data=application_data())

    assert callbacks == []
    assert mail.outbox == []


# --- demo data ---------------------------------------------------------------------------------


def demo_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Challenge, Application, Membership, ReviewScore, ReferralCode, AuditEntry)
    }


def test_seed_demo_twice_duplicates_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    first = demo_counts()
    call_command("seed_demo", stdout=io.StringIO())

    assert demo_counts() == first
    assert first["Application"] >= 250
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {S.SUBMITTED, S.SHORTLISTED, S.WAITLISTED, S.REJECTED, S.ACCEPTED} <= statuses
    referrals = Application.objects.filter(priority=QueuePriority.REFERRAL)
    assert referrals.count() == Application.objects.exclude(referral_code=None).count() > 0
    assert ReviewScore.objects.exists()

    # The demo applicant sees a place in the queue (with a referral) and a shortlisted application.
    applicant = User.objects.get(email="applicant@demo.omdena.test")
    mine = {a.status: a for a in Application.objects.filter(person=applicant)}
    assert set(mine) == {S.SUBMITTED, S.SHORTLISTED}
    assert mine[S.SUBMITTED].priority == QueuePriority.REFERRAL
    assert queue_position(application=mine[S.SUBMITTED]) >= 1
    # Every state an application is in was reached through a service: it has an audit row to show.
    assert AuditEntry.objects.filter(verb="application.submit").count() == first["Application"]
    # History pages have a removal to show.
    removed = Membership.objects.get(status=MembershipStatus.REMOVED)
    assert removed.removal_reason == "inactivity" and removed.left_at is not None
