"""`/api/v1/referral-codes/`: the throttled check, own codes for collaborators, issuing and deactivating for staff."""

import pytest
from django.conf import settings

from referrals.models import DeactivationReason, ReferralCode
from referrals.services import referral_code_deactivate
from tests.factories import ReferralCodeFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/referral-codes/"
CHECK = f"{LIST}check/"
CHECK_LIMIT = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["referral_check"].split("/")[0])


@pytest.fixture
def rita(db):
    return UserFactory(email="rita@example.org", display_name="Rita Referrer")


@pytest.fixture
def code(rita):
    return ReferralCodeFactory(owner=rita, code="ABCDEFGH234567")


# Checking a code


def test_check_a_valid_code_anonymously_shows_the_owners_name_only(api_client, code):
    response = api_client.post(CHECK, {"code": " abcd-efgh-2345 67 "}, format="json")

    assert response.status_code == 200
    assert response.json() == {"valid": True, "code": "ABCDEFGH234567", "owner_name": "Rita Referrer"}
    assert "rita@example.org" not in response.content.decode()


def _inactive(code, collaborator):
    referral_code_deactivate(code=code)


def _owner_removed(code, collaborator):
    referral_code_deactivate(code=code, reason=DeactivationReason.OWNER_REMOVED)


def _exhausted(code, collaborator):
    ReferralCode.objects.filter(pk=code.pk).update(uses=code.max_uses)


def _own_code(code, collaborator):
    ReferralCode.objects.filter(pk=code.pk).update(owner=collaborator)


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_inactive, "This referral code has been deactivated."),
        (_owner_removed, "This referral code stopped working because its owner is no longer an active collaborator."),
        (_exhausted, "This referral code has already been used 5 times, its limit."),
        (_own_code, "You cannot use your own referral code: share it with a friend."),
    ],
    ids=["inactive", "owner_removed", "exhausted", "own_code"],
)
def test_every_code_error_is_a_400_on_code(api_client, collaborator, code, spoil, message):
    spoil(code, collaborator)
    api_client.force_authenticate(collaborator)

    response = api_client.post(CHECK, {"code": code.code}, format="json")

    assert response.status_code == 400
    assert response.json() == {"code": [message]}


def test_an_unknown_code_is_a_400_on_code(api_client, db):
    response = api_client.post(CHECK, {"code": "nope"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["code"]
    assert response.json()["code"][0].startswith("No referral code “")


def test_a_blank_code_is_a_400(api_client, db):
    assert api_client.post(CHECK, {"code": ""}, format="json").status_code == 400


def test_checks_are_throttled_per_ip(api_client, code):
    statuses = [api_client.post(CHECK, {"code": "GUESS"}, format="json").status_code for _ in range(CHECK_LIMIT)]

    response = api_client.post(CHECK, {"code": code.code}, format="json")

    assert statuses == [400] * CHECK_LIMIT
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_checks_are_throttled_per_user_across_addresses(api_client, collaborator, code):
    api_client.force_authenticate(collaborator)
    for number in range(CHECK_LIMIT):
        api_client.post(CHECK, {"code": "GUESS"}, format="json", REMOTE_ADDR=f"10.0.0.{number}")

    response = api_client.post(CHECK, {"code": code.code}, format="json", REMOTE_ADDR="10.0.1.1")

    assert response.status_code == 429


def test_the_landing_page_and_the_api_share_one_limit(client, api_client, code):
    for _ in range(CHECK_LIMIT):
        client.get(f"/referrals/{code.code}/")

    assert api_client.post(CHECK, {"code": code.code}, format="json").status_code == 429


# Listing own codes


def test_a_collaborator_lists_only_their_own_codes_with_share_links(api_client, rita, code):
    ReferralCodeFactory()  # someone else's
    api_client.force_authenticate(rita)

    results = api_client.get(LIST).json()["results"]

    assert len(results) == 1
    assert results[0]["code"] == "ABCDEFGH234567"
    assert results[0]["share_url"] == "http://testserver/referrals/ABCDEFGH234567/"
    assert (results[0]["uses"], results[0]["max_uses"], results[0]["uses_left"], results[0]["is_active"]) == (
        0,
        5,
        5,
        True,
    )


def test_another_persons_code_is_404(api_client, collaborator, code):
    api_client.force_authenticate(collaborator)
    assert api_client.get(f"{LIST}{code.pk}/").status_code == 404


def test_listing_needs_an_account(api_client, code):
    assert api_client.get(LIST).status_code in (401, 403)


def test_staff_list_every_code_and_search(api_client, staff, code):
    ReferralCodeFactory()
    api_client.force_authenticate(staff)

    assert api_client.get(LIST).json()["count"] == 2
    results = api_client.get(f"{LIST}?search=rita@").json()["results"]
    assert [r["owner"]["email"] for r in results] == ["rita@example.org"]


def test_list_query_count_is_constant(api_client, staff, django_assert_max_num_queries):
    ReferralCodeFactory.create_batch(30)
    api_client.force_authenticate(staff)
    with django_assert_max_num_queries(2):
        assert len(api_client.get(f"{LIST}?page_size=100").json()["results"]) == 30


# Issuing and deactivating (staff)


@pytest.mark.parametrize("owner_key", ["email", "id"])
def test_staff_issue_a_code_by_email_or_id(api_client, staff, rita, owner_key):
    api_client.force_authenticate(staff)
    owner = "RITA@example.org" if owner_key == "email" else str(rita.pk)

    response = api_client.post(LIST, {"owner": owner, "max_uses": 3}, format="json")

    assert response.status_code == 201
    issued = ReferralCode.objects.get(code=response.json()["code"])
    assert (issued.owner, issued.max_uses, issued.created_by) == (rita, 3, staff)
    assert response.json()["owner"]["email"] == "rita@example.org"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"owner": "nobody@example.org"}, "owner"),
        ({"owner": "999999999999999999999"}, "owner"),
        ({"owner": "rita@example.org", "max_uses": 0}, "max_uses"),
        ({}, "owner"),
    ],
)
def test_issuing_with_bad_input_is_a_400(api_client, staff, rita, payload, field):
    api_client.force_authenticate(staff)

    response = api_client.post(LIST, payload, format="json")

    assert response.status_code == 400 and field in response.json()
    assert not ReferralCode.objects.exists()


def test_collaborators_cannot_issue_or_deactivate(api_client, rita, code):
    api_client.force_authenticate(rita)

    assert api_client.post(LIST, {"owner": "rita@example.org"}, format="json").status_code == 403
    assert api_client.post(f"{LIST}{code.pk}/deactivate/").status_code == 403
    assert ReferralCode.objects.get().is_active


def test_staff_deactivate_a_code_and_it_stops_working(api_client, staff, code):
    api_client.force_authenticate(staff)

    response = api_client.post(f"{LIST}{code.pk}/deactivate/")
    again = api_client.post(f"{LIST}{code.pk}/deactivate/")

    assert response.status_code == 200 and again.status_code == 200
    assert response.json()["is_active"] is False and response.json()["deactivation_reason"] == "staff"
    code.refresh_from_db()
    assert (code.is_active, code.deactivated_by) == (False, staff)
    assert api_client.post(CHECK, {"code": code.code}, format="json").json() == {
        "code": ["This referral code has been deactivated."]
    }
