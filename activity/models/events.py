"""Activity: where it comes from (sources with sync cursors), the events, weekly scores and the do-ocracy policy."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    GITHUB_REPOSITORY = "github_repository", _("GitHub repository")
    SLACK_CHANNEL = "slack_channel", _("Slack channel")


class SyncStatus(models.TextChoices):
    NEVER = "never", _("Never synced")
    RUNNING = "running", _("Running")
    OK = "ok", _("Up to date")
    RATE_LIMITED = "rate_limited", _("Rate limited: resumes later")
    FAILED = "failed", _("Failed")


class ActivitySource(models.Model):
    """One GitHub repository or Slack channel of a challenge, with the cursor its next sync starts from."""

    challenge = models.ForeignKey("challenges.Challenge", on_delete=models.CASCADE, related_name="activity_sources")
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    identifier = models.CharField(_("repository or channel"), max_length=200)
    # Everything up to `cursor` is stored; a sync only advances it after all its events are written.
    cursor = models.DateTimeField(_("synced up to"), null=True, blank=True)
    # Where an interrupted sync resumes (e.g. Slack's next_cursor, a GitHub page): empty when none.
    resume_state = models.JSONField(_("resume state"), default=dict, blank=True)
    # The ETag of the last complete listing: an unchanged repository then costs one free 304.
    etag = models.CharField(_("ETag"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=SyncStatus.choices, default=SyncStatus.NEVER)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_run_events = models.PositiveIntegerField(_("events in the last run"), default=0)
    last_run_requests = models.PositiveIntegerField(_("requests in the last run"), default=0)

    class Meta:
        verbose_name = _("activity source")
        verbose_name_plural = _("activity sources")
        ordering = ["challenge", "kind", "identifier"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "kind", "identifier"], name="activity_source_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.identifier}"


class EventKind(models.TextChoices):
    PR_OPENED = "pr_opened", _("Pull request opened")
    PR_MERGED = "pr_merged", _("Pull request merged")
    REVIEW = "review", _("Review given")
    MESSAGE = "message", _("Slack message")
    REPLY = "reply", _("Slack thread reply")
    MEETING = "meeting", _("Meeting attended")
    MANUAL = "manual", _("Manual entry")


class ActivityEvent(models.Model):
    """One outside event, stored once: re-running a sync never double counts (unique source + external id)."""

    challenge = models.ForeignKey("challenges.Challenge", on_delete=models.CASCADE, related_name="activity_events")
    source_key = models.CharField(
        _("source"), max_length=220, help_text=_("e.g. github:OmdenaAI/floods, slack:C012AB3CD, manual")
    )
    external_id = models.CharField(_("external id"), max_length=200)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="activity_events"
    )
    # Who it was outside, kept for matching later (a person may link their GitHub or Slack account afterwards).
    actor_github_id = models.BigIntegerField(null=True, blank=True)
    actor_login = models.CharField(max_length=100, blank=True)
    actor_slack_id = models.CharField(max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    url = models.URLField(_("link"), max_length=500, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True, help_text=_("For manual entries."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")
        ordering = ["-occurred_at"]
        constraints = [models.UniqueConstraint(fields=["source_key", "external_id"], name="activity_event_once")]
        indexes = [
            models.Index(fields=["challenge", "occurred_at"], name="activity_event_challenge_time"),
            models.Index(fields=["person", "occurred_at"], name="activity_event_person_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.external_id}"


class ScoringPolicy(models.Model):
    """The weights and the threshold of one challenge (defaults from DESIGN.md / the activity issue)."""

    challenge = models.OneToOneField("challenges.Challenge", on_delete=models.CASCADE, related_name="scoring_policy")
    pr_opened = models.PositiveSmallIntegerField(default=10)
    pr_merged = models.PositiveSmallIntegerField(default=6)
    review = models.PositiveSmallIntegerField(default=8)
    message = models.PositiveSmallIntegerField(default=1)
    reply = models.PositiveSmallIntegerField(default=1)
    # Messages and replies together count at most this many a week: noise is not work.
    message_cap = models.PositiveSmallIntegerField(default=10)
    meeting = models.PositiveSmallIntegerField(default=5)
    manual = models.PositiveSmallIntegerField(default=10)
    active_threshold = models.PositiveSmallIntegerField(default=10)
    remove_automatically = models.BooleanField(
        default=False, help_text=_("Remove still-inactive members at the date without asking staff.")
    )

    class Meta:
        verbose_name = _("scoring policy")
        verbose_name_plural = _("scoring policies")

    def __str__(self) -> str:
        return f"Scoring of {self.challenge}"


class WeeklyScore(models.Model):
    """A member's points for one ISO week (UTC), with the breakdown that explains them."""

    membership = models.ForeignKey("collaborators.Membership", on_delete=models.CASCADE, related_name="weekly_scores")
    week = models.CharField(_("ISO week"), max_length=8, help_text=_("e.g. 2026-W48"))
    points = models.PositiveIntegerField(_("points"), default=0)
    breakdown = models.JSONField(_("breakdown"), default=dict)
    threshold = models.PositiveSmallIntegerField(_("threshold"), default=10)
    active = models.BooleanField(_("active"), default=False)
    excused = models.BooleanField(_("excused"), default=False)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("weekly score")
        verbose_name_plural = _("weekly scores")
        ordering = ["membership", "week"]
        constraints = [models.UniqueConstraint(fields=["membership", "week"], name="weekly_score_once")]

    def __str__(self) -> str:
        return f"{self.membership} {self.week}: {self.points}"


class ExcuseStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for staff")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class Excuse(models.Model):
    """Declared leave for a run of ISO weeks: those weeks are neither warned nor held against the member."""

    membership = models.ForeignKey("collaborators.Membership", on_delete=models.CASCADE, related_name="excuses")
    first_week = models.CharField(_("first week"), max_length=8)
    last_week = models.CharField(_("last week"), max_length=8)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=ExcuseStatus.choices, default=ExcuseStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("excuse")
        verbose_name_plural = _("excuses")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.membership}: {self.first_week} to {self.last_week}"


class WarningStatus(models.TextChoices):
    OPEN = "open", _("Warned")
    LIFTED = "lifted", _("Lifted: active again")
    REMOVAL_PROPOSED = "removal_proposed", _("Removal proposed")
    REMOVED = "removed", _("Removed")
    CANCELLED = "cancelled", _("Cancelled by staff")


class InactivityWarning(models.Model):
    """A warning for an inactive, unexcused week; unique per member and week, so a re-run sends nothing twice."""

    membership = models.ForeignKey("collaborators.Membership", on_delete=models.CASCADE, related_name="warnings")
    week = models.CharField(_("inactive week"), max_length=8)
    removal_due_on = models.DateField(_("removal date"))
    status = models.CharField(_("status"), max_length=20, choices=WarningStatus.choices, default=WarningStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("inactivity warning")
        verbose_name_plural = _("inactivity warnings")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["membership", "week"], name="warning_once_per_week")]
        indexes = [models.Index(fields=["status", "removal_due_on"], name="warning_due")]

    def __str__(self) -> str:
        return f"{self.membership} warned for {self.week}"
