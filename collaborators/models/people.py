"""People: the user account and the profile a collaborator keeps.

The profile lives on the user row (one person, one row): every page shows a name and a
time zone, and applications pre-fill from the profile, so a separate table would only add joins.
"""

import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from ..enums import ExperienceLevel, Tier

TIME_ZONE_CHOICES = [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]

github_username_validator = RegexValidator(
    r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$",
    _("A GitHub username has up to 39 letters, digits or single hyphens, and cannot start with a hyphen."),
)
slack_user_id_validator = RegexValidator(
    r"^[UW][A-Z0-9]{6,20}$",
    _("A Slack user id looks like U012AB3CD (find it in Slack: your profile, ⋮, Copy member ID)."),
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    is_staff = models.BooleanField(_("staff"), default=False, help_text=_("Runs challenges and reviews applications."))
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    # Profile
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    country = CountryField(_("country"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    skills = models.CharField(
        _("skills"), max_length=300, blank=True, help_text=_("Comma-separated, e.g. Python, NLP, computer vision.")
    )
    experience_level = models.CharField(
        _("experience level"), max_length=16, choices=ExperienceLevel.choices, blank=True
    )
    weekly_hours = models.PositiveSmallIntegerField(
        _("hours available per week"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(80)],
    )
    github_username = models.CharField(
        _("GitHub username"), max_length=39, blank=True, validators=[github_username_validator]
    )
    github_user_id = models.BigIntegerField(
        _("GitHub user id"), null=True, blank=True, help_text=_("Set by signing in with GitHub; stable across renames.")
    )
    slack_user_id = models.CharField(
        _("Slack user id"), max_length=32, blank=True, validators=[slack_user_id_validator]
    )
    slack_team_id = models.CharField(_("Slack team id"), max_length=32, blank=True)
    profile_url = models.URLField(_("LinkedIn or portfolio URL"), blank=True)

    # Community
    tier = models.CharField(
        _("tier"),
        max_length=20,
        choices=Tier.choices,
        blank=True,
        help_text=_("Granted by staff (the platform suggests one from the person's history)."),
    )
    tier_granted_at = models.DateTimeField(_("tier granted"), null=True, blank=True)
    profile_public = models.BooleanField(
        _("public profile"),
        default=False,
        help_text=_("Show my tier, completed challenges, certificates and chapter on a public page."),
    )
    public_handle = models.SlugField(
        _("public profile address"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The last part of your public profile's address, e.g. ada-lovelace."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["email"]
        indexes = [models.Index(fields=["github_username"], name="user_github_username")]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def name(self) -> str:
        """What other people see: the display name, or the part of the email before the @."""
        return self.display_name or self.email.split("@", 1)[0]

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name

    @property
    def skill_list(self) -> list[str]:
        return [s.strip() for s in self.skills.split(",") if s.strip()]

    @property
    def profile_missing(self) -> list[str]:
        """Profile fields an applicant still has to fill before applying."""
        required = {
            "display_name": _("display name"),
            "country": _("country"),
            "experience_level": _("experience level"),
            "weekly_hours": _("weekly hours"),
        }
        return [str(label) for field, label in required.items() if not getattr(self, field)]
