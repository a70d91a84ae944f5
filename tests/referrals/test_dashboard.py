"""A collaborator's referral dashboard (`/me/referrals/`) and its API (`/api/v1/me/referrals/`)."""

import pytest
from django.urls import reverse

from challenges.enums import ChallengeStatus
from collaborators.enums import ApplicationStatus
from referrals.models import DeactivationReason
from tests.factories import ApplicationFactory, ChallengeFactory, ReferralCodeFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("my_referrals")
API = "/api/v1/me/referrals/"


@pytest.fixture
def rita(db):
    return UserFactory(email="rita@example.org", display_name="Rita Referrer")


@pytest.fixture
def code(rita):
    earned_in = ChallengeFactory(title="Flood mapping", status=ChallengeStatus.COMPLETED)
    return ReferralCodeFactory(owner=rita, code="ABCDEFGH234567", challenge=earned_in, uses=2)


@pytest.fixture
def referred(code, open_challenge):
    queued = ApplicationFactory(
        person=UserFactory(display_name="Quinn Queued", email="quinn.private@example.org"),
        challenge=open_challenge,
        referral_code=code,
    )
    accepted = ApplicationFactory(
        person=UserFactory(display_name="Ali Accepted", email="ali.private@example.org"),
        referral_code=code,
        status=ApplicationStatus.ACCEPTED,
    )
    return queued, accepted


def test_needs_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_shows_codes_share_link_and_who_applied_by_display_name_only(client, rita, code, referred):
    client.force_login(rita)

    page = client.get(PAGE).content.decode()

    assert "ABCDEFGH234567" in page
    assert 'value="http://testserver/referrals/ABCDEFGH234567/"' in page and "readonly" in page
    assert "Flood mapping" in page and "Used 2 of 5 times" in page and "3 uses left" in page
    assert "Quinn Queued" in page and "Ali Accepted" in page
    assert "In the queue" in page and "Accepted" in page  # the outcome in plain words
    assert "private@example.org" not in page
    assert "js/copy-link.js" in page


def test_another_persons_codes_are_never_shown(client, code, referred, collaborator):
    ReferralCodeFactory(owner=collaborator, code="ZZZZZZZZ234567")
    client.force_login(collaborator)

    page = client.get(PAGE).content.decode()
    body = client.get(API).json()

    assert "ZZZZZZZZ234567" in page
    assert "ABCDEFGH234567" not in page and "Quinn Queued" not in page
    assert [row["code"] for row in body["results"]] == ["ZZZZZZZZ234567"]


def test_empty_state(client, collaborator):
    client.force_login(collaborator)
    assert "You get a referral code when you complete a challenge" in client.get(PAGE).content.decode()


def test_a_deactivated_code_says_why_and_offers_no_link(client, rita, code):
    code.is_active = False
    code.deactivation_reason = DeactivationReason.OWNER_REMOVED
    code.save()
    client.force_login(rita)

    page = client.get(PAGE).content.decode()

    assert "Owner removed for inactivity" in page and "Not active" in page
    assert "/referrals/ABCDEFGH234567/" not in page


@pytest.mark.parametrize("size", [1, 8])
def test_query_count_is_constant(client, rita, django_assert_max_num_queries, size):
    for _ in range(size):
        code = ReferralCodeFactory(owner=rita, challenge=ChallengeFactory())
        ApplicationFactory.create_batch(3, referral_code=code)
    client.force_login(rita)

    with django_assert_max_num_queries(5):
        page = client.get(PAGE).content.decode()
    with django_assert_max_num_queries(6):
        body = client.get(f"{API}?page_size=100").json()

    assert page.count("In the queue") == 3 * size
    assert body["count"] == size and sum(len(row["applications"]) for row in body["results"]) == 3 * size


def test_api_returns_the_same_data(api_client, rita, code, referred):
    api_client.force_authenticate(rita)

    body = api_client.get(API).json()

    (row,) = body["results"]
    assert (row["code"], row["uses"], row["max_uses"], row["uses_left"], row["is_active"]) == (
        "ABCDEFGH234567",
        2,
        5,
        3,
        True,
    )
    assert row["challenge"]["title"] == "Flood mapping"
    assert row["share_url"] == "http://testserver/referrals/ABCDEFGH234567/"
    assert [(a["name"], a["status"], a["outcome"]) for a in row["applications"]] == [
        ("Ali Accepted", "accepted", "Accepted"),
        ("Quinn Queued", "submitted", "In the queue"),
    ]
    assert "private@example.org" not in str(body)


def test_api_needs_sign_in(api_client):
    assert api_client.get(API).status_code == 403
