"""Video interviews of shortlisted applicants: offered slots, the scheduled time, and the interviewer's scorecard."""

import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import OPEN_INTERVIEW_STATES, InterviewStatus, Recommendation

DEFAULT_DURATION_MINUTES = 30
MAX_SLOTS = 5
SCORE_RANGE = range(1, 6)
SCORE_FIELDS = ("technical", "communication", "collaboration", "commitment")


def new_ical_uid() -> str:
    """The calendar identity of an interview: set once, so every update and cancel hits the same event."""
    return f"{uuid.uuid4()}@omdena-challenges"


class Interview(models.Model):
    application = models.ForeignKey(
        "collaborators.Application", on_delete=models.CASCADE, related_name="interviews", verbose_name=_("application")
    )
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="interviews_given",
        limit_choices_to={"is_staff": True},
        verbose_name=_("interviewer"),
    )
    status = models.CharField(
        _("status"), max_length=24, choices=InterviewStatus.choices, default=InterviewStatus.OFFERED
    )
    scheduled_at = models.DateTimeField(_("time"), null=True, blank=True, help_text=_("Stored in UTC."))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=DEFAULT_DURATION_MINUTES)
    video_link = models.URLField(_("video link"), max_length=500)
    # RFC 5545: the UID never changes; SEQUENCE goes up with every new time or cancellation, so calendars
    # replace the event they hold instead of adding a second one.
    uid = models.CharField(_("calendar UID"), max_length=120, unique=True, default=new_ical_uid, editable=False)
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    applicant_message = models.TextField(_("applicant's message"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status__in=sorted(OPEN_INTERVIEW_STATES)),
                name="interview_one_open_per_application",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=InterviewStatus.SCHEDULED) | models.Q(scheduled_at__isnull=False),
                name="interview_scheduled_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=10, duration_minutes__lte=240),
                name="interview_duration_10_to_240",
            ),
        ]
        indexes = [
            # The reminder sweep: scheduled interviews starting soon that have had no reminder.
            models.Index(fields=["status", "scheduled_at"], name="interview_due"),
        ]

    def __str__(self) -> str:
        return f"Interview of {self.application.person}"

    @property
    def ends_at(self) -> dt.datetime | None:
        if self.scheduled_at is None:
            return None
        return self.scheduled_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_INTERVIEW_STATES


class InterviewSlot(models.Model):
    """One of the times offered to the applicant; they pick one, or ask for another."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts"))

    class Meta:
        verbose_name = _("interview slot")
        verbose_name_plural = _("interview slots")
        ordering = ["starts_at", "id"]
        constraints = [models.UniqueConstraint(fields=["interview", "starts_at"], name="interview_slot_unique_time")]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} UTC"


def _score_field(label, help_text):
    return models.PositiveSmallIntegerField(
        label, help_text=help_text, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


class Scorecard(models.Model):
    """The interviewer's assessment; it feeds the accept, waitlist or reject decision."""

    interview = models.OneToOneField(Interview, on_delete=models.CASCADE, related_name="scorecard")
    technical = _score_field(_("technical"), _("Python, data and machine-learning basics; how they solve a problem."))
    communication = _score_field(_("communication"), _("Explains clearly in English; listens and asks."))
    collaboration = _score_field(_("collaboration"), _("Works in a self-organising team of 50 across time zones."))
    commitment = _score_field(_("commitment"), _("Can give 15 hours a week for 8 weeks."))
    notes = models.TextField(_("notes"), max_length=3000, blank=True)
    recommendation = models.CharField(_("recommendation"), max_length=16, choices=Recommendation.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(**{f"{name}__gte": 1, f"{name}__lte": 5}), name=f"scorecard_{name}_1_to_5"
            )
            for name in SCORE_FIELDS
        ] + [
            models.CheckConstraint(
                condition=models.Q(recommendation__in=Recommendation.values), name="scorecard_recommendation_valid"
            )
        ]

    def __str__(self) -> str:
        return f"Scorecard: {self.get_recommendation_display()}"

    @property
    def scores(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in SCORE_FIELDS}

    @property
    def total(self) -> int:
        return sum(self.scores.values())
