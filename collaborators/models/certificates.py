"""Certificates: what a person who completed a challenge can show, and anyone can verify.

What is printed is copied onto the row when the certificate is issued, so a later change of
name, title or organisation does not change a certificate someone already shared.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..enums import CertificateRole


class Certificate(models.Model):
    # A random UUID (122 bits) is the public id: the verification URL cannot be guessed or enumerated.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    membership = models.OneToOneField("collaborators.Membership", on_delete=models.PROTECT, related_name="certificate")
    holder_name = models.CharField(_("name"), max_length=120)
    challenge_title = models.CharField(_("challenge"), max_length=160)
    organisation_name = models.CharField(_("organisation"), max_length=120)
    role = models.CharField(_("role"), max_length=20, choices=CertificateRole.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"))
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revocation_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.holder_name}: {self.challenge_title}"

    def get_absolute_url(self) -> str:
        return reverse("certificate_verify", args=[self.id])

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None
