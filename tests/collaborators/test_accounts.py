"""Sign-up, sign-in and the social login buttons (django-allauth)."""

import pytest
from django.core import mail
from django.test import override_settings

from collaborators.models import User

pytestmark = pytest.mark.django_db

GITHUB_AND_SLACK = {
    "github": {"APPS": [{"client_id": "gh-client", "secret": "gh-secret"}]},
    "slack": {"APPS": [{"client_id": "slack-client", "secret": "slack-secret"}]},
}


def test_social_login_buttons_are_hidden_without_client_ids(client):
    html = client.get("/accounts/login/").content.decode()
    assert "GitHub" not in html and "Slack" not in html


@override_settings(SOCIALACCOUNT_PROVIDERS=GITHUB_AND_SLACK, GITHUB_OAUTH_CLIENT_ID="gh-client")
def test_social_login_buttons_show_when_configured(client):
    html = client.get("/accounts/login/").content.decode()
    assert "GitHub" in html and "Slack" in html


def test_sign_up_sends_a_verification_email_and_blocks_sign_in_until_verified(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "Fresh@Example.org", "password1": "an-unusual-passphrase", "password2": "an-unusual-passphrase"},
    )

    assert response.status_code == 302
    person = User.objects.get()
    assert person.email == "fresh@example.org"
    assert "confirm-email" in mail.outbox[-1].body
    response = client.post("/accounts/login/", {"login": "fresh@example.org", "password": "an-unusual-passphrase"})
    assert response.status_code == 302 and "confirm-email" in response["Location"]


def test_sign_up_with_a_taken_email_reveals_nothing_and_warns_the_owner(client, collaborator):
    """allauth's enumeration protection: the page looks the same; the owner gets an email."""
    response = client.post(
        "/accounts/signup/",
        {"email": "CAM@example.org", "password1": "an-unusual-passphrase", "password2": "an-unusual-passphrase"},
    )
    assert response.status_code == 302
    assert User.objects.count() == 1
    assert mail.outbox[-1].to == ["cam@example.org"]


def test_sign_in_with_email_and_password(client, collaborator, password):
    response = client.post("/accounts/login/", {"login": "cam@example.org", "password": password})

    assert response.status_code == 302
    assert client.get("/me/").status_code == 200


def test_repeated_failed_sign_ins_are_throttled(client, collaborator, password):
    pages = [
        client.post("/accounts/login/", {"login": "cam@example.org", "password": "wrong"}).content.decode()
        for _ in range(6)
    ]
    assert "Too many failed login attempts" not in pages[0]
    assert "Too many failed login attempts" in pages[-1]
    # Even the right password is refused while the limit holds.
    response = client.post("/accounts/login/", {"login": "cam@example.org", "password": password})
    assert response.status_code == 200 and "Too many failed login attempts" in response.content.decode()


def test_sign_in_attempts_are_rate_limited_per_ip_across_accounts(client, db):
    statuses = [
        client.post("/accounts/login/", {"login": f"guess{n}@example.org", "password": "x"}).status_code
        for n in range(35)
    ]
    assert statuses[0] == 200
    assert statuses[-1] == 429


def test_logout_is_a_post(client, collaborator):
    client.force_login(collaborator)
    client.post("/accounts/logout/")
    assert client.get("/me/").status_code == 302


@override_settings(EMAIL_BACKEND="tests.fakes.unreachable_smtp.UnreachableSMTPBackend")
def test_sign_up_while_the_mail_server_is_down_keeps_the_account_and_says_so(client, caplog):
    response = client.post(
        "/accounts/signup/",
        {"email": "fresh@example.org", "password1": "an-unusual-passphrase", "password2": "an-unusual-passphrase"},
        follow=True,
    )

    assert response.status_code == 200
    assert User.objects.filter(email="fresh@example.org").exists()
    assert "could not send" in response.content.decode()
    assert any(record.levelname == "ERROR" and "fresh@example.org" in record.getMessage() for record in caplog.records)


@override_settings(EMAIL_BACKEND="tests.fakes.unreachable_smtp.UnreachableSMTPBackend")
def test_password_reset_while_the_mail_server_is_down_says_so(client, collaborator):
    response = client.post("/accounts/password/reset/", {"email": "cam@example.org"}, follow=True)

    assert response.status_code == 200
    assert "could not send" in response.content.decode()
