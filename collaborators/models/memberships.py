"""A collaborator's seat in a challenge."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import MembershipRole, MembershipStatus, RemovalReason


class Membership(models.Model):
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    challenge = models.ForeignKey("challenges.Challenge", on_delete=models.PROTECT, related_name="memberships")
    application = models.OneToOneField(
        "collaborators.Application", null=True, blank=True, on_delete=models.SET_NULL, related_name="membership"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.COLLABORATOR
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    removal_reason = models.CharField(_("removal reason"), max_length=16, choices=RemovalReason.choices, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "challenge"], name="membership_one_per_person_and_challenge"),
        ]
        indexes = [models.Index(fields=["challenge", "status"], name="membership_challenge_status")]

    def __str__(self) -> str:
        return f"{self.person} in {self.challenge}"
