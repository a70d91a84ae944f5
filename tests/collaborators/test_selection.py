"""Selection up to capacity, the waitlist, membership moves, and the staff selection page."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.selectors import history_for
from challenges.enums import ChallengeStatus
from collaborators.enums import ApplicationStatus, MembershipStatus, QueuePriority, RemovalReason
from collaborators.models import Application, Membership
from collaborators.services.applications import (
    application_accept,
    application_decline,
    applications_bulk_review,
)
from collaborators.services.memberships import (
    NoSeatLeft,
    membership_reactivate,
    membership_remove,
    membership_warn,
    seat_freed,
)
from omdena.errors import TransitionNotAllowed
from referrals.services import referral_code_check, referral_code_issue
from tests.factories import ApplicationFactory, ChallengeFactory, UserFactory

pytestmark = pytest.mark.django_db


def shortlisted(challenge, **kwargs):
    return ApplicationFactory(challenge=challenge, status=ApplicationStatus.SHORTLISTED, **kwargs)


def test_accept_creates_the_seat(staff):
    challenge = ChallengeFactory(capacity=2)
    application = application_accept(application=shortlisted(challenge), by=staff)

    membership = Membership.objects.get()
    assert (membership.person, membership.challenge, membership.status) == (application.person, challenge, "active")
    assert membership.application == application


def test_accept_is_refused_when_the_challenge_is_full(staff):
    challenge = ChallengeFactory(capacity=1, title="Floods")
    application_accept(application=shortlisted(challenge), by=staff)
    late = shortlisted(challenge)

    with pytest.raises(NoSeatLeft) as refused:
        application_accept(application=late, by=staff)

    assert "No seat left: all 1 seats of “Floods” are taken. Waitlist the applicant instead." in refused.value.messages
    late.refresh_from_db()
    assert late.status == ApplicationStatus.SHORTLISTED
    assert Membership.objects.count() == 1
    assert isinstance(refused.value, ValidationError)


def test_bulk_accept_stops_at_capacity_and_reports_the_rest(staff):
    challenge = ChallengeFactory(capacity=2)
    applications = [shortlisted(challenge) for _ in range(4)]

    result = applications_bulk_review(applications=applications, action="accept", by=staff)

    assert len(result.done) == 2 and len(result.refused) == 2
    assert all("No seat left" in message for _application, message in result.refused)
    assert Membership.objects.filter(challenge=challenge).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_accepts_for_the_last_seat_give_exactly_one(staff):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    challenge = ChallengeFactory(capacity=5)
    for _ in range(4):
        application_accept(application=shortlisted(challenge), by=staff)
    contenders = [shortlisted(challenge) for _ in range(20)]
    barrier = threading.Barrier(len(contenders))
    outcomes = []

    def accept(application):
        try:
            barrier.wait()
            application_accept(application=application, by=staff)
            outcomes.append("accepted")
        except NoSeatLeft:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(a,)) for a in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("accepted") == 1 and outcomes.count("full") == 19
    assert Membership.objects.filter(challenge=challenge).count() == 5
    assert Application.objects.filter(challenge=challenge, status=ApplicationStatus.ACCEPTED).count() == 5


def waitlisted(challenge, *, days_ago, referral=False):
    return ApplicationFactory(
        challenge=challenge,
        status=ApplicationStatus.WAITLISTED,
        priority=QueuePriority.REFERRAL if referral else QueuePriority.STANDARD,
        submitted_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def test_freed_seat_goes_to_the_waitlist_in_queue_order(staff, django_capture_on_commit_callbacks):
    challenge = ChallengeFactory(capacity=1, auto_promote_waitlist=True)
    holder = application_accept(application=shortlisted(challenge), by=staff)
    oldest_standard = waitlisted(challenge, days_ago=40)
    newer_referral = waitlisted(challenge, days_ago=3, referral=True)

    with django_capture_on_commit_callbacks(execute=True):
        membership_remove(membership=holder.membership, by=staff, reason=RemovalReason.LEFT)

    newer_referral.refresh_from_db()
    oldest_standard.refresh_from_db()
    assert newer_referral.status == ApplicationStatus.ACCEPTED  # referrals first, then the oldest
    assert oldest_standard.status == ApplicationStatus.WAITLISTED
    assert Membership.objects.get(person=newer_referral.person).status == MembershipStatus.ACTIVE


def test_without_automatic_promotion_staff_confirm_on_the_selection_page(client, staff):
    challenge = ChallengeFactory(capacity=1, slug="floods")
    holder = application_accept(application=shortlisted(challenge), by=staff)
    candidate = waitlisted(challenge, days_ago=10)
    membership_remove(membership=holder.membership, by=staff, reason=RemovalReason.LEFT)
    candidate.refresh_from_db()
    assert candidate.status == ApplicationStatus.WAITLISTED
    client.force_login(staff)

    page = client.get(reverse("staff:selection", args=["floods"])).content.decode()
    assert "A seat is free. Next on the waitlist" in page and candidate.person.name in page

    response = client.post(
        reverse("staff:selection_decide", args=["floods", candidate.pk]), {"decision": "accept"}, follow=True
    )
    candidate.refresh_from_db()
    assert candidate.status == ApplicationStatus.ACCEPTED
    assert "Accepted. They get an email." in response.content.decode()


def test_no_promotion_after_the_second_week(staff):
    challenge = ChallengeFactory(
        capacity=1,
        auto_promote_waitlist=True,
        status=ChallengeStatus.RUNNING,
        start_date=timezone.now().date() - dt.timedelta(days=15),
    )
    candidate = waitlisted(challenge, days_ago=30)

    assert seat_freed(challenge=challenge, by=staff) is None
    candidate.refresh_from_db()
    assert candidate.status == ApplicationStatus.WAITLISTED


def test_declining_a_seat_frees_it(staff, django_capture_on_commit_callbacks):
    challenge = ChallengeFactory(capacity=1, auto_promote_waitlist=True)
    accepted = application_accept(application=shortlisted(challenge), by=staff)
    next_one = waitlisted(challenge, days_ago=5)

    with django_capture_on_commit_callbacks(execute=True):
        application_decline(application=accepted, by=accepted.person, note="new job")

    accepted.refresh_from_db()
    next_one.refresh_from_db()
    assert accepted.status == ApplicationStatus.WITHDRAWN
    assert Membership.objects.get(person=accepted.person).status == MembershipStatus.REMOVED
    assert next_one.status == ApplicationStatus.ACCEPTED


def test_membership_moves_and_their_audit(staff):
    membership = application_accept(application=shortlisted(ChallengeFactory()), by=staff).membership

    membership_warn(membership=membership, by=None, note="week 3 inactive")
    membership_reactivate(membership=membership, by=None, note="active again")
    removed = membership_remove(membership=membership, by=staff, reason=RemovalReason.INACTIVITY)

    assert removed.status == MembershipStatus.REMOVED and removed.left_at is not None
    moves = [(e.from_state, e.to_state) for e in history_for(subject=membership)]
    assert moves == [("active", "removed"), ("warned", "active"), ("active", "warned")]
    with pytest.raises(TransitionNotAllowed):
        membership_reactivate(membership=removed, by=staff)


def test_removal_for_inactivity_stops_the_persons_referral_codes(staff):
    membership = application_accept(application=shortlisted(ChallengeFactory()), by=staff).membership
    code = referral_code_issue(owner=membership.person)

    membership_remove(membership=membership, by=staff, reason=RemovalReason.INACTIVITY)

    with pytest.raises(ValidationError) as refused:
        referral_code_check(raw_code=code.code, applicant=UserFactory())
    assert refused.value.code == "owner_removed"


def test_my_challenges_shows_seats_and_the_reapply_rule(client, staff):
    person = UserFactory()
    active = application_accept(application=shortlisted(ChallengeFactory(title="Floods"), person=person), by=staff)
    gone = application_accept(application=shortlisted(ChallengeFactory(title="Air quality"), person=person), by=staff)
    membership_remove(membership=gone.membership, by=staff, reason=RemovalReason.INACTIVITY)
    client.force_login(person)

    html = client.get(reverse("my_challenges")).content.decode()

    assert "Floods" in html and "Air quality" in html
    assert "You were removed for inactivity. To join a future challenge, apply again." in html
    assert active.membership.get_status_display() in html


@pytest.mark.parametrize("who", ["collaborator", "client_user"])
def test_selection_page_is_staff_only(client, request, who):
    ChallengeFactory(slug="floods")
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("staff:selection", args=["floods"])).status_code == 403


def test_selection_refuses_the_seat_beyond_capacity_with_a_message(client, staff):
    challenge = ChallengeFactory(capacity=1, slug="floods")
    application_accept(application=shortlisted(challenge), by=staff)
    late = shortlisted(challenge)
    client.force_login(staff)

    response = client.post(
        reverse("staff:selection_decide", args=["floods", late.pk]), {"decision": "accept"}, follow=True
    )

    html = response.content.decode()
    assert "No seat left" in html and "waitlist instead" in html.lower()
    late.refresh_from_db()
    assert late.status == ApplicationStatus.SHORTLISTED
