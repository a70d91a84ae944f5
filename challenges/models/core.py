"""Client organisations and their challenges."""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from omdena.weeks import ChallengeWeek, challenge_week

from ..enums import ChallengeStatus

github_repository_validator = RegexValidator(
    r"^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}$", _("Write each repository as owner/name.")
)
slack_channel_validator = RegexValidator(r"^[CG][A-Z0-9]{6,20}$", _("A Slack channel id looks like C012AB3CD."))


class Organisation(models.Model):
    """A client: an NGO or impact startup that brings a problem."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    logo = models.ImageField(_("logo"), upload_to="organisations/", blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="organisations",
        verbose_name=_("client users"),
        help_text=_("People of this organisation who may follow its challenges' progress."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisation_detail", args=[self.slug])


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)
    slug = models.SlugField(_("slug"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Challenge(models.Model):
    """An 8-week collaborative AI challenge run for one organisation."""

    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="challenges", verbose_name=_("organisation")
    )
    summary = models.CharField(_("summary"), max_length=300)
    problem_statement = models.TextField(_("problem statement"), blank=True)
    goals = models.TextField(_("goals"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="challenges", verbose_name=_("tags"))
    status = models.CharField(
        _("status"), max_length=16, choices=ChallengeStatus.choices, default=ChallengeStatus.DRAFT, db_index=True
    )
    application_deadline = models.DateTimeField(_("application deadline"), null=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    duration_weeks = models.PositiveSmallIntegerField(
        _("duration in weeks"), default=8, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    capacity = models.PositiveSmallIntegerField(
        _("seats"), default=50, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    slack_channel_ids = models.JSONField(
        _("Slack channel ids"), default=list, blank=True, help_text=_('A list such as ["C012AB3CD"].')
    )
    github_repositories = models.JSONField(
        _("GitHub repositories"), default=list, blank=True, help_text=_('A list such as ["OmdenaAI/ngo-floods"].')
    )
    github_organisation = models.CharField(
        _("GitHub organisation"),
        max_length=39,
        blank=True,
        help_text=_("Owner of the challenge's team, e.g. OmdenaAI."),
    )
    github_team_slug = models.CharField(
        _("GitHub team"),
        max_length=100,
        blank=True,
        help_text=_("Members join this team (access to every team repository); empty: added to each repository."),
    )
    slack_invite_url = models.URLField(
        _("Slack workspace invite link"),
        blank=True,
        help_text=_("Emailed to accepted people who are not in the workspace yet (Slack cannot add them by API)."),
    )
    auto_promote_waitlist = models.BooleanField(
        _("fill freed seats automatically"),
        default=False,
        help_text=_(
            "When a seat frees before the start or in the first two weeks, accept the next waitlisted person "
            "without asking staff."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        indexes = [models.Index(fields=["status", "application_deadline"], name="challenge_status_deadline")]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="challenge_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("challenge_detail", args=[self.slug])

    @property
    def end_date(self) -> dt.date | None:
        if self.start_date is None:
            return None
        return self.start_date + dt.timedelta(weeks=self.duration_weeks) - dt.timedelta(days=1)

    def week(self, today: dt.date | None = None) -> ChallengeWeek | None:
        """Week N of M while running; None when the challenge has no start date."""
        return challenge_week(
            start_date=self.start_date,
            duration_weeks=self.duration_weeks,
            today=today or timezone.localdate(timezone=dt.UTC),
        )

    @property
    def accepts_applications(self) -> bool:
        """Open and before the deadline (no deadline means open until staff start it)."""
        if self.status != ChallengeStatus.OPEN:
            return False
        return self.application_deadline is None or timezone.now() < self.application_deadline
