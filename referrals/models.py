"""Referral codes: a past collaborator's invitation that puts an application ahead in the queue."""

import secrets
import string

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

CODE_LENGTH = 14
CODE_ALPHABET = string.ascii_uppercase + string.digits
DEFAULT_MAX_USES = 5


def generate_code() -> str:
    """Fourteen upper-case letters and digits from a cryptographic source (36^14 ≈ 6e21 codes)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """Codes are case-insensitive on input; people paste them with spaces or dashes."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


class DeactivationReason(models.TextChoices):
    STAFF = "staff", _("Deactivated by staff")
    OWNER_REMOVED = "owner_removed", _("Owner removed for inactivity")


class ReferralCode(models.Model):
    code = models.CharField(_("code"), max_length=CODE_LENGTH, unique=True, default=generate_code, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referral_codes")
    max_uses = models.PositiveSmallIntegerField(_("maximum uses"), default=DEFAULT_MAX_USES)
    uses = models.PositiveSmallIntegerField(_("uses"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    challenge = models.ForeignKey(
        "challenges.Challenge",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referral_codes",
        help_text=_("The completed challenge the code was issued for, if any."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deactivation_reason = models.CharField(max_length=16, choices=DeactivationReason.choices, blank=True)

    class Meta:
        verbose_name = _("referral code")
        verbose_name_plural = _("referral codes")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(uses__lte=models.F("max_uses")), name="referral_uses_within_max"),
            models.CheckConstraint(condition=models.Q(code__regex=r"^[A-Z0-9]{14}$"), name="referral_code_format"),
            models.UniqueConstraint(
                fields=["owner", "challenge"],
                condition=models.Q(challenge__isnull=False),
                name="referral_one_code_per_completed_challenge",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def uses_left(self) -> int:
        return max(self.max_uses - self.uses, 0)
