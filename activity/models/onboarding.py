"""Onboarding and access revocation, one row per thing to do for a seat (a Slack channel, a GitHub repository...)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OnboardingDirection(models.TextChoices):
    GRANT = "grant", _("Grant access")
    REVOKE = "revoke", _("Revoke access")


class OnboardingKind(models.TextChoices):
    SLACK_CHANNEL = "slack_channel", _("Slack channel")
    # Nobody can be added to the workspace by API on ordinary plans: the person gets the invite link by email.
    SLACK_WORKSPACE_INVITE = "slack_workspace_invite", _("Slack workspace invite link")
    SLACK_WELCOME_DM = "slack_welcome_dm", _("Slack welcome message")
    GITHUB_TEAM = "github_team", _("GitHub team")
    GITHUB_REPOSITORY = "github_repository", _("GitHub repository")


class OnboardingStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    # GitHub answered 201 (or team state "pending"): access starts when the person accepts the invitation.
    INVITATION_PENDING = "invitation_pending", _("Invitation sent")
    WAITING_FOR_PERSON = "waiting_for_person", _("Waiting for the person")
    RATE_LIMITED = "rate_limited", _("Rate limited")
    FAILED = "failed", _("Failed")
    # A grant that had not happened yet when the seat was removed.
    CANCELLED = "cancelled", _("Cancelled")


# States a run may start from; the rest are outcomes that only staff (retry) or a new schedule reopen.
RUNNABLE_STATES = frozenset(
    {OnboardingStatus.PENDING, OnboardingStatus.RATE_LIMITED, OnboardingStatus.WAITING_FOR_PERSON}
)
# States that staff see on the onboarding page: something is wrong or somebody has to act.
ATTENTION_STATES = (
    OnboardingStatus.FAILED,
    OnboardingStatus.RATE_LIMITED,
    OnboardingStatus.WAITING_FOR_PERSON,
    OnboardingStatus.INVITATION_PENDING,
)
# Staff may put these back in the queue (an invitation pending for long may have expired: GitHub's last 7 days).
RETRYABLE_STATES = frozenset(ATTENTION_STATES)


class OnboardingStep(models.Model):
    """One grant or revoke of one thing for one seat, with the provider's last answer; unique so re-runs add none."""

    membership = models.ForeignKey(
        "collaborators.Membership", on_delete=models.CASCADE, related_name="onboarding_steps"
    )
    direction = models.CharField(
        _("direction"), max_length=8, choices=OnboardingDirection.choices, default=OnboardingDirection.GRANT
    )
    kind = models.CharField(_("kind"), max_length=24, choices=OnboardingKind.choices)
    # Slack channel id, repository "owner/name" or team "org/slug"; empty for the welcome DM and the invite link.
    target = models.CharField(_("target"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OnboardingStatus.choices, default=OnboardingStatus.PENDING
    )
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    detail = models.CharField(_("outcome"), max_length=500, blank=True, help_text=_("What happened, in words."))
    last_error = models.TextField(_("last error"), blank=True, help_text=_("The provider's own message."))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # Set when GitHub created an invitation (201, or a pending team membership): today's count per repository
    # and per organisation is what keeps us under GitHub's daily invitation limits.
    invitation_sent_at = models.DateTimeField(_("invitation sent"), null=True, blank=True)
    # GitHub invitations expire after 7 days unaccepted: how many were sent, so that the re-sending stops.
    invitations_sent = models.PositiveSmallIntegerField(_("invitations sent"), default=0)
    # The GitHub login a grant was made for: the revocation removes that account, even if the person has
    # changed the username on their profile since.
    account = models.CharField(_("account"), max_length=39, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("onboarding step")
        verbose_name_plural = _("onboarding steps")
        ordering = ["membership", "direction", "kind", "target"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "direction", "kind", "target"], name="onboarding_step_once_per_target"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="onboarding_step_due"),
            models.Index(fields=["kind", "target", "invitation_sent_at"], name="onboarding_invitations_per_day"),
        ]

    def __str__(self) -> str:
        target = f" {self.target}" if self.target else ""
        return f"{self.get_direction_display()}: {self.get_kind_display()}{target} ({self.get_status_display()})"
