"""Issuing and revoking certificates."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record

from ..enums import CertificateRole, MembershipRole, MembershipStatus
from ..models import Certificate, Membership

# A seat's role says what the certificate says; a collaborator who led a task team is printed as task leader.
ROLE_ON_CERTIFICATE = {
    MembershipRole.TASK_LEADER: CertificateRole.TASK_LEADER,
    MembershipRole.PROJECT_MANAGER: CertificateRole.PROJECT_MANAGER,
    MembershipRole.MENTOR: CertificateRole.MENTOR,
}


def certificate_role_for(*, membership: Membership) -> str:
    from challenges.enums import TaskRole

    role = ROLE_ON_CERTIFICATE.get(membership.role)
    if role:
        return role
    if membership.task_memberships.filter(role=TaskRole.LEADER).exists():
        return CertificateRole.TASK_LEADER
    return CertificateRole.COLLABORATOR


def certificate_issue(*, membership: Membership, by, on: dt.date | None = None) -> Certificate:
    """The certificate of one completed seat; a second call returns the one already issued."""
    if membership.status != MembershipStatus.COMPLETED:
        raise ValidationError(_("Only a completed seat earns a certificate."))
    existing = Certificate.objects.filter(membership=membership).first()
    if existing is not None:
        return existing
    challenge = membership.challenge
    today = on or timezone.localdate(timezone=dt.UTC)
    joined = timezone.localdate(membership.joined_at, timezone=dt.UTC)
    started_on = max(filter(None, [challenge.start_date, joined]))
    # A challenge completed late still ends on its planned last day; one completed early ends today.
    ended_on = min(filter(None, [challenge.end_date, today]))
    with transaction.atomic():
        certificate, created = Certificate.objects.get_or_create(
            membership=membership,
            defaults={
                "holder_name": membership.person.name,
                "challenge_title": challenge.title,
                "organisation_name": challenge.organisation.name,
                "role": certificate_role_for(membership=membership),
                "started_on": started_on,
                "ended_on": max(ended_on, started_on),
                "issued_by": by if by is not None and by.is_authenticated else None,
            },
        )
        if created:
            audit_record(actor=by, verb="certificate.issue", subject=certificate, to_state="valid")
    return certificate


def certificate_revoke(*, certificate: Certificate, by, reason: str) -> Certificate:
    """Staff withdraw a certificate; its public page then says it is revoked, and why. Idempotent."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked; the verification page shows it.")})
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.revoked_by = by if by is not None and by.is_authenticated else None
        locked.revocation_reason = reason[:300]
        locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        audit_record(
            actor=by, verb="certificate.revoke", subject=locked, from_state="valid", to_state="revoked", note=reason
        )
    return locked
