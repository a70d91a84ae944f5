from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import Tier
from .models import Application, User


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
            "profile_public",
            "public_handle",
        ]
        field_classes = {"github_username": GitHubUsernameField, "slack_user_id": SlackUserIdField}
        error_messages = {"public_handle": {"unique": _("Someone else has this address: try another one.")}}
        labels = {
            "profile_public": _("Show a public profile page"),
            "public_handle": _("Public profile address"),
        }
        help_texts = {
            "display_name": _("Shown to your team and on certificates."),
            "profile_public": _(
                "Anyone with the link (and search engines) can then see your display name, country, tier, "
                "completed challenges, certificates and chapters. Never your email, Slack id or applications. "
                "Switch it off at any time: the page then disappears."
            ),
            "public_handle": _(
                "Letters, digits and hyphens, e.g. ada-lovelace. Leave it empty and we make one from your display name."
            ),
            "time_zone": _("Every date and time on the platform is shown in this zone."),
            "weekly_hours": _("Challenges ask for at least 15 hours a week for 8 weeks."),
            "github_username": _("Used to add you to the challenge's repositories and to count your pull requests."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("display_name", "country", "experience_level", "weekly_hours"):
            self.fields[name].required = True

    def clean_public_handle(self):
        # Addresses are case-insensitive to people: store them lower-case so /people/Ada/ and /people/ada/ agree.
        return (self.cleaned_data["public_handle"] or "").strip().lower() or None


class TierGrantForm(forms.Form):
    """Staff grant a tier (or clear it); the service decides, the form checks the shape."""

    tier = forms.ChoiceField(label=_("Tier"), choices=[("", _("No tier")), *Tier.choices], required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ApplicationForm(forms.ModelForm):
    """The application: answers plus the 15-hours commitment and an optional referral code (shape only)."""

    referral_code = forms.CharField(
        label=_("Referral code (optional)"),
        required=False,
        max_length=40,
        help_text=_("From a past collaborator: applications with a referral code are reviewed first."),
    )

    class Meta:
        model = Application
        fields = [
            "motivation",
            "relevant_experience",
            "skills",
            "experience_level",
            "country",
            "time_zone",
            "weekly_hours",
            "github_username",
            "commits_to_hours",
        ]
        field_classes = {"github_username": GitHubUsernameField}
        widgets = {
            "motivation": forms.Textarea(attrs={"rows": 5}),
            "relevant_experience": forms.Textarea(attrs={"rows": 5}),
        }
        labels = {
            "motivation": _("Why do you want to join this challenge?"),
            "relevant_experience": _("What relevant experience do you bring?"),
            "commits_to_hours": _("I commit to at least 15 hours a week for the 8 weeks of the challenge."),
        }
        help_texts = {
            "weekly_hours": _("At least 15."),
            "github_username": _("We add you to the challenge's repositories with it if you are accepted."),
        }

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commits_to_hours"].required = True
        if person is not None and not self.is_bound:
            for name in ("skills", "experience_level", "country", "time_zone", "weekly_hours", "github_username"):
                value = getattr(person, name)
                if value:
                    self.initial.setdefault(name, value.code if name == "country" else value)

    def clean_referral_code(self):
        return self.cleaned_data["referral_code"].strip()
