"""Completing a challenge: seats complete, certificates and referral codes are issued once, people are told."""

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEntry
from challenges.enums import ChallengeStatus, TaskRole, TaskStatus
from challenges.models import Task, TaskMember
from challenges.services import challenge_complete
from collaborators.enums import CertificateRole, MembershipRole, MembershipStatus, RemovalReason
from collaborators.models import Certificate
from collaborators.services.memberships import membership_remove
from notifications.models import OutboxMessage
from referrals.models import ReferralCode
from referrals.services import ReferralCodeError, referral_code_check
from tests.factories import ChallengeFactory, MembershipFactory, ReferralCodeFactory, UserFactory

START = dt.date(2026, 9, 7)  # a Monday; 8 weeks end on Sunday 1 November 2026
AFTER_END = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)
BEFORE_START = dt.datetime(2026, 8, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _seats_taken_before_the_start():
    """Rows made by the set-up are dated before the start, as they would be; each test travels on from there."""
    with time_machine.travel(BEFORE_START, tick=True):
        yield


@pytest.fixture
def running(client_organisation):
    return ChallengeFactory(
        title="Clean water for Kisumu",
        organisation=client_organisation,
        status=ChallengeStatus.RUNNING,
        start_date=START,
    )


@pytest.fixture
def seats(running):
    def seat(name, status=MembershipStatus.ACTIVE, **extra):
        person = UserFactory(display_name=name)
        return MembershipFactory(person=person, challenge=running, status=status, **extra)

    return {
        "active": seat("Amina Yusuf"),
        "warned": seat("Bruno Díaz", status=MembershipStatus.WARNED),
        "mentor": seat("Chen Wei", role=MembershipRole.MENTOR),
        "removed": seat("Dmitri Ivanov", status=MembershipStatus.REMOVED, removal_reason=RemovalReason.INACTIVITY),
    }


@pytest.fixture
def complete(django_capture_on_commit_callbacks):
    """Complete as staff two days after the end, sending what the change enqueued once it commits."""

    def run(challenge, staff):
        with time_machine.travel(AFTER_END, tick=False), django_capture_on_commit_callbacks(execute=True):
            return challenge_complete(challenge=challenge, by=staff)

    return run


def test_completing_completes_held_seats_and_issues_one_certificate_and_code_each(running, seats, staff, complete):
    challenge = complete(running, staff)

    assert challenge.status == ChallengeStatus.COMPLETED
    for key in ("active", "warned", "mentor"):
        seats[key].refresh_from_db()
        assert seats[key].status == MembershipStatus.COMPLETED
    seats["removed"].refresh_from_db()
    assert seats["removed"].status == MembershipStatus.REMOVED

    holders = set(Certificate.objects.values_list("holder_name", flat=True))
    assert holders == {"Amina Yusuf", "Bruno Díaz", "Chen Wei"}
    codes = ReferralCode.objects.filter(challenge=running)
    assert sorted(code.owner.name for code in codes) == ["Amina Yusuf", "Bruno Díaz", "Chen Wei"]
    assert {code.max_uses for code in codes} == {5}
    assert {code.is_active for code in codes} == {True}

    # One email each, with their certificate link and their own code.
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        seats[key].person.email for key in ("active", "warned", "mentor")
    )
    amina = next(message for message in mail.outbox if message.to == [seats["active"].person.email])
    certificate = seats["active"].certificate
    assert f"/certificates/{certificate.pk}/" in amina.body
    assert ReferralCode.objects.get(owner=seats["active"].person).code in amina.body


def test_completing_twice_issues_and_sends_nothing_more(running, seats, staff, complete):
    complete(running, staff)
    counts = (
        Certificate.objects.count(),
        ReferralCode.objects.count(),
        OutboxMessage.objects.count(),
        AuditEntry.objects.count(),
        len(mail.outbox),
    )

    again = complete(running, staff)

    assert again.status == ChallengeStatus.COMPLETED
    assert counts == (
        Certificate.objects.count(),
        ReferralCode.objects.count(),
        OutboxMessage.objects.count(),
        AuditEntry.objects.count(),
        len(mail.outbox),
    )
    assert counts[0] == 3


def test_a_repeat_finishes_what_an_interrupted_run_left(running, seats, staff, complete):
    complete(running, staff)
    # As if the run had stopped before this seat's certificate and code were written.
    lost = seats["warned"]
    Certificate.objects.filter(membership=lost).delete()
    ReferralCode.objects.filter(owner=lost.person).delete()

    complete(running, staff)

    assert Certificate.objects.filter(membership=lost).exists()
    assert ReferralCode.objects.filter(owner=lost.person, challenge=running).count() == 1
    assert Certificate.objects.count() == 3


def test_certificate_role_and_dates(running, seats, staff, complete):
    leader = seats["active"]
    task = Task.objects.create(challenge=running, title="Data pipeline", goal="Clean data", status=TaskStatus.DONE)
    TaskMember.objects.create(task=task, membership=leader, role=TaskRole.LEADER)

    complete(running, staff)

    by_name = {c.holder_name: c for c in Certificate.objects.all()}
    assert by_name["Amina Yusuf"].role == CertificateRole.TASK_LEADER
    assert by_name["Bruno Díaz"].role == CertificateRole.COLLABORATOR
    assert by_name["Chen Wei"].role == CertificateRole.MENTOR
    # Completed two days late: the certificate still ends on the challenge's last day.
    assert by_name["Bruno Díaz"].started_on == START
    assert by_name["Bruno Díaz"].ended_on == dt.date(2026, 11, 1)


def test_a_removed_members_codes_stop_working_and_they_get_no_new_one(running, staff, complete):
    earlier = ChallengeFactory(status=ChallengeStatus.COMPLETED)
    person = UserFactory(display_name="Eve Moreau")
    old_code = ReferralCodeFactory(owner=person, challenge=earlier)
    seat = MembershipFactory(person=person, challenge=running)
    friend = UserFactory()
    assert referral_code_check(raw_code=old_code.code, applicant=friend) == old_code

    membership_remove(membership=seat, by=staff, reason=RemovalReason.INACTIVITY)
    complete(running, staff)

    with pytest.raises(ReferralCodeError):
        referral_code_check(raw_code=old_code.code, applicant=friend)
    assert not ReferralCode.objects.filter(owner=person, challenge=running).exists()
    assert not Certificate.objects.filter(membership__person=person).exists()


def test_staff_complete_from_the_challenge_page(client, running, seats, staff, django_capture_on_commit_callbacks):
    with time_machine.travel(AFTER_END, tick=False), django_capture_on_commit_callbacks(execute=True):
        client.force_login(staff)
        response = client.post(reverse("challenge_transition", args=[running.slug, "complete"]), follow=True)
    assert "is now Completed" in response.content.decode()
    assert Certificate.objects.count() == 3


def test_a_collaborator_cannot_complete_a_challenge(client, running, seats):
    client.force_login(seats["active"].person)
    response = client.post(reverse("challenge_transition", args=[running.slug, "complete"]))
    assert response.status_code in (403, 404)
    running.refresh_from_db()
    assert running.status == ChallengeStatus.RUNNING
    assert not Certificate.objects.exists()


def test_staff_complete_through_the_api(api_client, running, seats, staff, django_capture_on_commit_callbacks):
    api_client.force_authenticate(staff)
    with time_machine.travel(AFTER_END, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/api/v1/challenges/{running.slug}/transition/", {"action": "complete"}, format="json"
        )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    assert Certificate.objects.count() == 3


# --- the person's view ---------------------------------------------------------------------------


def test_my_challenges_offers_the_certificate_linkedin_and_the_referral_code(client, running, seats, staff, complete):
    complete(running, staff)
    person = seats["active"].person
    certificate = Certificate.objects.get(membership__person=person)
    client.force_login(person)

    page = client.get(reverse("my_challenges")).content.decode()

    assert reverse("certificate_pdf", args=[certificate.pk]) in page
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in page
    assert f"certId={certificate.pk}" in page
    assert ReferralCode.objects.get(owner=person).code in page
    assert "5 uses left" in page


def test_a_removed_person_sees_no_certificate(client, running, seats, staff, complete):
    complete(running, staff)
    client.force_login(seats["removed"].person)
    page = client.get(reverse("my_challenges")).content.decode()
    assert "Download certificate" not in page
    assert "removed for inactivity" in page


# --- the PDF -------------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_carries_name_challenge_role_dates_and_verification_url(client, running, staff, complete):
    person = UserFactory(display_name="Zoë Ñúñez-Øberg")
    MembershipFactory(person=person, challenge=running)
    complete(running, staff)
    certificate = Certificate.objects.get()

    response = client.get(reverse("certificate_pdf", args=[certificate.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="certificate-zoe-nunez-')
    text = pdf_text(response.content)
    assert "Zoë Ñúñez-Øberg" in text
    assert "Clean water for Kisumu" in text
    assert "collaborator" in text
    assert "7 September 2026" in text and "1 November 2026" in text
    assert f"/certificates/{certificate.pk}/" in text.replace("\n", "")
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1


def test_a_revoked_certificate_has_no_pdf(client, running, seats, staff, complete):
    complete(running, staff)
    certificate = Certificate.objects.first()
    client.force_login(staff)
    client.post(reverse("certificate_revoke", args=[certificate.pk]), {"reason": "Plagiarised work"})
    client.logout()

    response = client.get(reverse("certificate_pdf", args=[certificate.pk]))

    assert response.status_code == 410
    assert "This certificate was revoked" in response.content.decode()


def test_staff_see_certificates_still_being_issued_and_can_issue_the_missing_ones(
    client, running, seats, staff, django_capture_on_commit_callbacks
):
    with time_machine.travel(AFTER_END, tick=False):
        client.force_login(staff)
        # The seats complete in the request; the certificates follow in a task after the commit (not run here).
        challenge_complete(challenge=running, by=staff)
        page = client.get(running.get_absolute_url()).content.decode()
        assert "being issued: 0 of 3 so far" in page
        assert Certificate.objects.count() == 0

        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("challenge_transition", args=[running.slug, "complete"]))
        page = client.get(running.get_absolute_url()).content.decode()

    assert Certificate.objects.count() == 3
    assert "being issued" not in page
    assert "3 certificates issued" in page


def test_the_dashboard_sums_up_certificates_codes_tier_and_chapters(client, running, seats, staff, complete):
    from challenges.chapter_services import chapter_join
    from tests.factories import ChapterFactory

    complete(running, staff)
    person = seats["active"].person
    chapter = ChapterFactory(name="Kisumu Chapter", slug="kisumu", country="KE")
    chapter_join(chapter=chapter, person=person, by=person)
    certificate = Certificate.objects.get(membership__person=person)
    client.force_login(person)

    page = client.get(reverse("dashboard")).content.decode()

    assert reverse("certificate_pdf", args=[certificate.pk]) in page
    assert "5 uses left" in page
    assert "Kisumu Chapter" in page
    assert "Show a public profile" in page
