"""Public verification of certificates (valid, revoked, unknown), revoking, API and admin."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from challenges.enums import ChallengeStatus
from collaborators.enums import MembershipStatus
from collaborators.models import Certificate
from collaborators.services.certificates import certificate_issue
from tests.factories import ChallengeFactory, MembershipFactory, UserFactory


@pytest.fixture
def certificate(db):
    challenge = ChallengeFactory(
        title="Mapping solar potential",
        status=ChallengeStatus.COMPLETED,
        start_date=dt.date(2026, 5, 4),
    )
    person = UserFactory(display_name="Kofi Mensah", email="kofi@private.example")
    membership = MembershipFactory(person=person, challenge=challenge, status=MembershipStatus.COMPLETED)
    return certificate_issue(membership=membership, by=None)


def test_a_valid_certificate_is_verified_by_anyone(client, certificate):
    response = client.get(f"/certificates/{certificate.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Valid certificate" in page
    assert "Kofi Mensah" in page and "Mapping solar potential" in page
    assert "kofi@private.example" not in page
    assert reverse("certificate_pdf", args=[certificate.pk]) in page
    assert "Revoke" not in page  # no staff panel for a visitor


def test_a_revoked_certificate_says_so_and_why(client, staff, certificate):
    client.force_login(staff)
    response = client.post(reverse("certificate_revoke", args=[certificate.pk]), {"reason": "Identity not confirmed"})
    assert response.status_code == 302
    client.logout()

    page = client.get(f"/certificates/{certificate.pk}/").content.decode()
    assert "This certificate was revoked" in page
    assert "Identity not confirmed" in page
    assert "Valid certificate" not in page
    entry = AuditEntry.objects.get(verb="certificate.revoke")
    assert (entry.actor, entry.from_state, entry.to_state) == (staff, "valid", "revoked")


@pytest.mark.parametrize("raw", [str(uuid.uuid4()), "not-a-certificate", "12"])
def test_an_unknown_id_is_a_clear_404(client, db, raw):
    response = client.get(f"/certificates/{raw}/")
    assert response.status_code == 404
    assert "No certificate has this id" in response.content.decode()


def test_revoking_needs_a_reason(client, staff, certificate):
    client.force_login(staff)
    response = client.post(reverse("certificate_revoke", args=[certificate.pk]), {"reason": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_only_staff_revoke(client, certificate):
    client.force_login(certificate.membership.person)
    response = client.post(reverse("certificate_revoke", args=[certificate.pk]), {"reason": "I want to"})
    assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_revoke_is_csrf_protected(staff, certificate):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    response = strict.post(reverse("certificate_revoke", args=[certificate.pk]), {"reason": "x"})
    assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_the_holder_sees_the_linkedin_link_on_the_verification_page(client, certificate):
    client.force_login(certificate.membership.person)
    page = client.get(f"/certificates/{certificate.pk}/").content.decode()
    assert "linkedin.com/profile/add" in page


# --- API -----------------------------------------------------------------------------------------


def test_api_verifies_by_id_without_signing_in(api_client, certificate):
    response = api_client.get(f"/api/v1/certificates/{certificate.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["holder_name"] == "Kofi Mensah"
    assert body["is_valid"] is True
    assert body["verification_url"].endswith(f"/certificates/{certificate.pk}/")
    assert "email" not in str(body)


def test_api_unknown_id_is_404(api_client, db):
    assert api_client.get(f"/api/v1/certificates/{uuid.uuid4()}/").status_code == 404


def test_api_list_is_your_own(api_client, certificate):
    other = MembershipFactory(status=MembershipStatus.COMPLETED, challenge=certificate.membership.challenge)
    certificate_issue(membership=other, by=None)

    api_client.force_authenticate(certificate.membership.person)
    names = [row["holder_name"] for row in api_client.get("/api/v1/certificates/").json()["results"]]
    assert names == ["Kofi Mensah"]

    api_client.force_authenticate(None)
    assert api_client.get("/api/v1/certificates/").status_code in (401, 403)


def test_api_revoke(api_client, staff, certificate):
    url = f"/api/v1/certificates/{certificate.pk}/revoke/"
    api_client.force_authenticate(certificate.membership.person)
    assert api_client.post(url, {"reason": "x"}, format="json").status_code == 403

    api_client.force_authenticate(staff)
    missing = api_client.post(url, {}, format="json")
    assert missing.status_code == 400
    assert "reason" in missing.json()

    done = api_client.post(url, {"reason": "Duplicate account"}, format="json")
    assert done.status_code == 200
    assert done.json()["is_valid"] is False
    assert done.json()["pdf_url"] == ""
    assert Certificate.objects.get().revocation_reason == "Duplicate account"


def test_admin_revoke_action_asks_for_a_reason(client, staff, certificate):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    url = reverse("admin:collaborators_certificate_changelist")
    ask = client.post(url, {"action": "revoke", "_selected_action": [str(certificate.pk)]})
    assert ask.status_code == 200
    assert "Revoke certificates" in ask.content.decode()

    client.post(url, {"action": "revoke", "_selected_action": [str(certificate.pk)], "reason": "Fraud"})
    certificate.refresh_from_db()
    assert certificate.revocation_reason == "Fraud"
    assert client.get(url).status_code == 200
