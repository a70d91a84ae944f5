"""Public collaborator profiles: opt-in from the profile form, a generated handle, and only what may be shown."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.selectors import history_for
from challenges.enums import ChallengeStatus, ChapterRole
from collaborators.enums import CertificateRole, MembershipStatus, Tier
from collaborators.models import Certificate
from collaborators.public_profiles import public_handle_new
from collaborators.services import profile_update
from tests.factories import ChallengeFactory, ChapterFactory, ChapterMemberFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE_FORM = {
    "display_name": "Ada Lovelace",
    "country": "GB",
    "time_zone": "Europe/London",
    "experience_level": "experienced",
    "weekly_hours": "20",
    "skills": "Python",
    "github_username": "ada",
    "slack_user_id": "U012AB3CD",
    "profile_url": "",
}


@pytest.fixture
def ada(db):
    return UserFactory(
        email="ada.secret@example.org",
        display_name="Ada Lovelace",
        country="GB",
        slack_user_id="U0SECRET99",
        github_username="ada-gh",
        tier=Tier.ML_ENGINEER,
        profile_public=True,
        public_handle="ada-lovelace",
    )


def completed_with_certificate(person, *, title, revoked=False):
    challenge = ChallengeFactory(title=title, status=ChallengeStatus.COMPLETED, start_date=dt.date(2026, 3, 2))
    membership = MembershipFactory(person=person, challenge=challenge, status=MembershipStatus.COMPLETED)
    return Certificate.objects.create(
        membership=membership,
        holder_name=person.display_name,
        challenge_title=title,
        organisation_name=challenge.organisation.name,
        role=CertificateRole.COLLABORATOR,
        started_on=challenge.start_date,
        ended_on=challenge.end_date,
        revoked_at=timezone.now() if revoked else None,
    )


# Switching it on


def test_switching_on_without_a_handle_makes_one_from_the_display_name(client, collaborator):
    client.force_login(collaborator)

    response = client.post(reverse("profile_edit"), {**PROFILE_FORM, "profile_public": "on"}, follow=True)

    collaborator.refresh_from_db()
    assert collaborator.profile_public and collaborator.public_handle == "ada-lovelace"
    assert "/people/ada-lovelace/" in response.content.decode()
    assert "profile_public" in history_for(subject=collaborator).first().note


def test_a_taken_handle_gets_a_short_suffix(ada, collaborator):
    handle = public_handle_new(name="Ada Lovelace", exclude_pk=collaborator.pk)

    assert handle.startswith("ada-lovelace-") and len(handle) == len("ada-lovelace-") + 4
    assert public_handle_new(name="Ada Lovelace", exclude_pk=ada.pk) == "ada-lovelace"  # her own is not a clash
    assert public_handle_new(name="  ", exclude_pk=None) == "collaborator"  # never made from the email


def test_a_chosen_handle_is_kept_lower_case_and_must_be_free(client, ada, collaborator):
    client.force_login(collaborator)

    taken = client.post(
        reverse("profile_edit"), {**PROFILE_FORM, "profile_public": "on", "public_handle": "Ada-Lovelace"}
    )
    chosen = client.post(reverse("profile_edit"), {**PROFILE_FORM, "profile_public": "on", "public_handle": "Cam-C"})

    assert "Someone else has this address" in taken.content.decode()
    assert chosen.status_code == 302
    collaborator.refresh_from_db()
    assert collaborator.public_handle == "cam-c"


def test_switching_on_through_the_service_also_makes_a_handle(collaborator):
    person = profile_update(person=collaborator, by=collaborator, data={"profile_public": True})
    assert person.public_handle == "cam-collaborator"


# The page


def test_the_page_shows_what_was_agreed_and_nothing_else(client, ada):
    completed_with_certificate(ada, title="Flood mapping")
    MembershipFactory(person=ada, status=MembershipStatus.REMOVED, challenge=ChallengeFactory(title="Left early"))
    ChapterMemberFactory(person=ada, chapter=ChapterFactory(name="London chapter"), role=ChapterRole.LEAD)

    response = client.get(reverse("public_profile", args=["ada-lovelace"]))

    page = response.content.decode()
    assert response.status_code == 200
    for shown in ("Ada Lovelace", "United Kingdom", "ML engineer", "Flood mapping", "London chapter"):
        assert shown in page
    for hidden in ("ada.secret", "example.org", "U0SECRET99", "ada-gh", "Left early"):
        assert hidden not in page


def test_revoked_certificates_are_hidden(client, ada):
    valid = completed_with_certificate(ada, title="Flood mapping")
    revoked = completed_with_certificate(ada, title="Crop disease", revoked=True)

    page = client.get(reverse("public_profile", args=["ada-lovelace"])).content.decode()

    assert valid.get_absolute_url() in page
    assert revoked.get_absolute_url() not in page


@pytest.mark.parametrize(
    "change",
    [{"profile_public": False}, {"is_active": False}],
    ids=["not opted in", "deactivated account"],
)
def test_a_profile_that_is_not_public_is_a_404_like_an_unknown_one(client, api_client, ada, change):
    for name, value in change.items():
        setattr(ada, name, value)
    ada.save()

    assert client.get(reverse("public_profile", args=["ada-lovelace"])).status_code == 404
    assert client.get(reverse("public_profile", args=["nobody-here"])).status_code == 404
    assert api_client.get("/api/v1/people/ada-lovelace/").status_code == 404


def test_the_handle_in_the_address_is_case_insensitive(client, ada):
    assert client.get("/people/Ada-Lovelace/").status_code == 200


def test_the_page_takes_a_constant_number_of_queries(client, ada, django_assert_max_num_queries):
    for number in range(5):
        completed_with_certificate(ada, title=f"Challenge {number}")
        ChapterMemberFactory(person=ada)

    with django_assert_max_num_queries(5):
        response = client.get(reverse("public_profile", args=["ada-lovelace"]))

    assert response.content.decode().count("issued") == 5


# The API


def test_api_returns_the_public_fields_only(api_client, ada):
    certificate = completed_with_certificate(ada, title="Flood mapping")
    completed_with_certificate(ada, title="Crop disease", revoked=True)

    response = api_client.get("/api/v1/people/ada-lovelace/")

    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"handle", "name", "country", "tier", "completed_challenges", "certificates", "chapters"}
    assert (body["handle"], body["name"], body["country"], body["tier"]) == (
        "ada-lovelace",
        "Ada Lovelace",
        "GB",
        "ml_engineer",
    )
    assert [c["challenge_title"] for c in body["certificates"]] == ["Flood mapping"]
    assert body["certificates"][0]["verify_url"].endswith(certificate.get_absolute_url())
    assert len(body["completed_challenges"]) == 2
    assert "secret" not in response.content.decode() and "U0SECRET99" not in response.content.decode()
