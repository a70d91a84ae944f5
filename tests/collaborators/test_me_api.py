import pytest
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def test_me_needs_authentication(api_client):
    assert api_client.get(ME).status_code in (401, 403)


def test_me_with_a_token(api_client, collaborator):
    token = Token.objects.create(user=collaborator)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    data = api_client.get(ME).json()

    assert data["email"] == "cam@example.org" and data["display_name"] == "Cam Collaborator"


def test_patch_updates_the_profile(api_client, collaborator):
    api_client.force_authenticate(collaborator)

    response = api_client.patch(ME, {"weekly_hours": 25, "slack_user_id": "u0abc123"}, format="json")

    assert response.status_code == 200
    assert response.json()["weekly_hours"] == 25
    collaborator.refresh_from_db()
    assert (collaborator.weekly_hours, collaborator.slack_user_id) == (25, "U0ABC123")


def test_patch_with_bad_values_is_400_with_field_messages(api_client, collaborator):
    api_client.force_authenticate(collaborator)

    response = api_client.patch(
        ME, {"weekly_hours": 500, "time_zone": "Mars/Base", "country": "XX", "github_username": "-x-"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"weekly_hours", "time_zone", "country", "github_username"}
    collaborator.refresh_from_db()
    assert collaborator.weekly_hours == 20


def test_read_only_fields_cannot_be_changed(api_client, collaborator):
    api_client.force_authenticate(collaborator)

    api_client.patch(ME, {"is_staff": True, "email": "boss@example.org", "github_user_id": 1}, format="json")

    collaborator.refresh_from_db()
    assert not collaborator.is_staff and collaborator.email == "cam@example.org" and collaborator.github_user_id is None
