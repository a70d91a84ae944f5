"""Applications to a challenge, their place in the queue, and reviewers' scores."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from ..enums import ApplicationStatus, ExperienceLevel, QueuePriority
from .people import TIME_ZONE_CHOICES, github_username_validator

MIN_WEEKLY_HOURS = 15  # the commitment every challenge asks for, for its 8 weeks


class Application(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications", verbose_name=_("applicant")
    )
    challenge = models.ForeignKey(
        "challenges.Challenge", on_delete=models.PROTECT, related_name="applications", verbose_name=_("challenge")
    )
    status = models.CharField(
        _("status"), max_length=24, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    priority = models.PositiveSmallIntegerField(
        _("queue priority"), choices=QueuePriority.choices, default=QueuePriority.STANDARD
    )
    referral_code = models.ForeignKey(
        "referrals.ReferralCode",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
        verbose_name=_("referral code"),
    )
    # The place in the queue: kept when staff move the application to another challenge.
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    # When the application first left the queue (reviewed); the review pace is measured from it.
    reviewed_at = models.DateTimeField(_("first reviewed"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What the applicant wrote (a snapshot: later profile edits do not change it).
    motivation = models.TextField(_("why this challenge"), max_length=3000)
    relevant_experience = models.TextField(_("relevant experience"), max_length=3000)
    skills = models.CharField(_("skills"), max_length=300)
    experience_level = models.CharField(_("experience level"), max_length=16, choices=ExperienceLevel.choices)
    country = CountryField(_("country"))
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES)
    weekly_hours = models.PositiveSmallIntegerField(
        _("hours per week"), validators=[MinValueValidator(MIN_WEEKLY_HOURS), MaxValueValidator(80)]
    )
    commits_to_hours = models.BooleanField(_("commits to at least 15 hours a week for 8 weeks"), default=False)
    github_username = models.CharField(_("GitHub username"), max_length=39, validators=[github_username_validator])

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["priority", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "challenge"], name="application_one_per_person_and_challenge"),
            models.CheckConstraint(
                condition=models.Q(weekly_hours__gte=MIN_WEEKLY_HOURS), name="application_min_weekly_hours"
            ),
            models.CheckConstraint(condition=models.Q(commits_to_hours=True), name="application_commitment_given"),
        ]
        indexes = [
            # The queue order: a position is one COUNT over this index of the rows ahead.
            models.Index(fields=["challenge", "status", "priority", "submitted_at", "id"], name="application_queue"),
            models.Index(fields=["status", "priority", "submitted_at", "id"], name="application_queue_all"),
            models.Index(fields=["challenge", "reviewed_at"], name="application_review_pace"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.challenge}"

    @property
    def is_referral(self) -> bool:
        return self.priority == QueuePriority.REFERRAL

    @property
    def days_waiting(self) -> int:
        return (timezone.now() - self.submitted_at).days


class ReviewScore(models.Model):
    """One reviewer's score of one application (1-5); several reviewers may score it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_scores")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review score")
        verbose_name_plural = _("review scores")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="review_score_one_per_reviewer"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="review_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 by {self.reviewer}"
