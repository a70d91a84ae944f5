"""The referral link /referrals/<code>/: who invited you, and the code pre-filled when you apply."""

import pytest
from django.urls import reverse

from referrals.services import referral_code_deactivate, referral_code_issue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def referrer(db):
    return UserFactory(display_name="Rita Referrer", email="rita@example.org")


def test_landing_shows_the_referrer_by_display_name_only(client, referrer, open_challenge):
    code = referral_code_issue(owner=referrer).code

    html = client.get(reverse("referral_landing", args=[code.lower()])).content.decode()

    assert "Rita Referrer invited you" in html
    assert "rita@example.org" not in html
    assert open_challenge.title in html


def test_landing_pre_fills_the_code_on_the_application_form(client, referrer, collaborator, open_challenge):
    code = referral_code_issue(owner=referrer).code
    client.force_login(collaborator)

    client.get(reverse("referral_landing", args=[code]))
    form = client.get(reverse("apply", args=[open_challenge.slug])).context["form"]

    assert form.initial["referral_code"] == code


@pytest.mark.parametrize("state", ["unknown", "deactivated"])
def test_bad_code_gets_a_clear_page(client, referrer, state):
    code = "ZZZZZZZZZZZZZZ"
    if state == "deactivated":
        referral = referral_code_issue(owner=referrer)
        referral_code_deactivate(code=referral, by=None)
        code = referral.code

    response = client.get(reverse("referral_landing", args=[code]))

    assert response.status_code == 404
    assert "This referral link does not work" in response.content.decode()


def test_landing_checks_are_throttled_per_ip(client, referrer):
    statuses = [client.get(reverse("referral_landing", args=[f"GUESS{n:09d}"])).status_code for n in range(12)]
    assert statuses[:10] == [404] * 10
    assert statuses[10:] == [429, 429]
