import pytest
from django.urls import reverse

from audit.selectors import history_for
from collaborators.services import profile_link_social_account

pytestmark = pytest.mark.django_db


def test_profile_page_needs_login(client):
    response = client.get(reverse("profile_edit"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_profile_saves_and_confirms(client, collaborator):
    client.force_login(collaborator)

    response = client.post(
        reverse("profile_edit"),
        {
            "display_name": "Cam C.",
            "country": "BR",
            "time_zone": "America/Sao_Paulo",
            "experience_level": "beginner",
            "weekly_hours": "18",
            "skills": "Python, NLP",
            "github_username": " @cam-codes ",
            "slack_user_id": "u012ab3cd",
            "profile_url": "https://example.org/cam",
        },
        follow=True,
    )

    assert "Your profile is saved." in response.content.decode()
    collaborator.refresh_from_db()
    assert (collaborator.country.code, collaborator.github_username, collaborator.slack_user_id) == (
        "BR",
        "cam-codes",
        "U012AB3CD",
    )
    assert collaborator.skill_list == ["Python", "NLP"]
    assert "github_username" in history_for(subject=collaborator).get().note


def test_profile_shows_field_errors_and_keeps_the_old_values(client, collaborator):
    client.force_login(collaborator)

    response = client.post(
        reverse("profile_edit"),
        {
            "display_name": "",
            "country": "BR",
            "time_zone": "Mars/Base",
            "weekly_hours": "500",
            "github_username": "-bad-",
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"display_name", "time_zone", "weekly_hours", "github_username", "experience_level"}
    assert "Please correct the fields marked below." in response.content.decode()
    collaborator.refresh_from_db()
    assert collaborator.display_name == "Cam Collaborator"


def test_dashboard_asks_to_finish_the_profile(client, db):
    from tests.factories import UserFactory

    person = UserFactory(display_name="", country="", experience_level="", weekly_hours=None)
    client.force_login(person)

    html = client.get(reverse("dashboard")).content.decode()

    assert "Finish your profile" in html
    assert "display name, country, experience level, weekly hours" in html


def test_github_account_fills_id_and_login(collaborator):
    profile_link_social_account(person=collaborator, provider="github", uid="583231", extra_data={"login": "octocat"})

    collaborator.refresh_from_db()
    assert (collaborator.github_user_id, collaborator.github_username) == (583231, "octocat")


def test_slack_account_fills_user_and_team_ids(collaborator):
    profile_link_social_account(
        person=collaborator,
        provider="slack",
        uid="T0TEAM_U0USER1",
        extra_data={"https://slack.com/user_id": "U0USER1", "https://slack.com/team_id": "T0TEAM"},
    )

    collaborator.refresh_from_db()
    assert (collaborator.slack_user_id, collaborator.slack_team_id) == ("U0USER1", "T0TEAM")
