from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


def normalise_github_username(value: str) -> str:
    """People paste '@octocat' or ' octocat '; GitHub's login is the bare name."""
    return value.strip().lstrip("@")


def normalise_slack_user_id(value: str) -> str:
    return value.strip().upper()


class GitHubUsernameField(forms.CharField):
    def to_python(self, value):
        return normalise_github_username(super().to_python(value))


class SlackUserIdField(forms.CharField):
    def to_python(self, value):
        return normalise_slack_user_id(super().to_python(value))


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "display_name",
            "country",
            "time_zone",
            "experience_level",
            "weekly_hours",
            "skills",
            "github_username",
            "slack_user_id",
            "profile_url",
        ]
        field_classes = {"github_username": GitHubUsernameField, "slack_user_id": SlackUserIdField}
        help_texts = {
            "display_name": _("Shown to your team and on certificates."),
            "time_zone": _("Every date and time on the platform is shown in this zone."),
            "weekly_hours": _("Challenges ask for at least 15 hours a week for 8 weeks."),
            "github_username": _("Used to add you to the challenge's repositories and to count your pull requests."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("display_name", "country", "experience_level", "weekly_hours"):
            self.fields[name].required = True
