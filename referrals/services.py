"""Issuing, checking, using and deactivating referral codes."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record

from .models import DEFAULT_MAX_USES, DeactivationReason, ReferralCode, generate_code, normalise_code


class ReferralCodeError(ValidationError):
    """A code that cannot be used; `code` says why (unknown, inactive, owner_removed, exhausted, own_code)."""


@dataclass(frozen=True)
class CheckedCode:
    code: ReferralCode

    @property
    def owner_name(self) -> str:
        return self.code.owner.name


def referral_code_issue(*, owner, by=None, max_uses: int = DEFAULT_MAX_USES, challenge=None) -> ReferralCode:
    """Issue a new code to `owner`; retries on the (astronomically unlikely) clash of random codes."""
    for _attempt in range(5):
        value = generate_code()
        try:
            with transaction.atomic():
                code = ReferralCode.objects.create(
                    code=value, owner=owner, max_uses=max_uses, challenge=challenge, created_by=by
                )
                audit_record(actor=by, verb="referral.issue", subject=code, note=f"to {owner.email}")
                return code
        except IntegrityError:
            if ReferralCode.objects.filter(code=value).exists():
                continue  # the random code clashed: draw another
            raise  # another constraint (one code per completed challenge) is the caller's to handle
    raise RuntimeError("Could not generate a unique referral code.")


def referral_code_issue_for_completion(*, owner, challenge, by=None) -> tuple[ReferralCode, bool]:
    """The one code a person gets for completing `challenge`; (code, created). A repeat returns the same code,
    and the (owner, challenge) unique constraint makes a second one impossible even under a race."""
    existing = ReferralCode.objects.filter(owner=owner, challenge=challenge).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return referral_code_issue(owner=owner, by=by, challenge=challenge), True
    except IntegrityError:
        return ReferralCode.objects.get(owner=owner, challenge=challenge), False


def referral_code_deactivate(
    *, code: ReferralCode, by=None, reason: str = DeactivationReason.STAFF, note: str = ""
) -> ReferralCode:
    """Stop a code from working (staff decision, or its owner was removed for inactivity). Idempotent."""
    with transaction.atomic():
        locked = ReferralCode.objects.select_for_update().get(pk=code.pk)
        if not locked.is_active:
            return locked
        locked.is_active = False
        locked.deactivated_at = timezone.now()
        locked.deactivated_by = by if by is not None and by.is_authenticated else None
        locked.deactivation_reason = reason
        locked.save(update_fields=["is_active", "deactivated_at", "deactivated_by", "deactivation_reason"])
        audit_record(
            actor=by,
            verb="referral.deactivate",
            subject=locked,
            from_state="active",
            to_state="inactive",
            note=note or reason,
        )
    return locked


def referral_codes_deactivate_for_owner(*, owner, by=None, reason: str = DeactivationReason.OWNER_REMOVED) -> int:
    """Deactivate every active code of one person (on removal for inactivity)."""
    codes = list(ReferralCode.objects.filter(owner=owner, is_active=True))
    for code in codes:
        referral_code_deactivate(code=code, by=by, reason=reason)
    return len(codes)


def referral_code_check(*, raw_code: str, applicant=None) -> ReferralCode:
    """Find a usable code or raise ReferralCodeError with a message the applicant can act on."""
    value = normalise_code(raw_code or "")
    code = ReferralCode.objects.select_related("owner").filter(code=value).first() if value else None
    if code is None:
        raise ReferralCodeError(
            _("No referral code “%(code)s” exists. Check it with the person who gave it to you.")
            % {"code": value or raw_code.strip()},
            code="unknown",
        )
    if not code.is_active:
        if code.deactivation_reason == DeactivationReason.OWNER_REMOVED:
            raise ReferralCodeError(
                _("This referral code stopped working because its owner is no longer an active collaborator."),
                code="owner_removed",
            )
        raise ReferralCodeError(_("This referral code has been deactivated."), code="inactive")
    if code.uses >= code.max_uses:
        raise ReferralCodeError(
            _("This referral code has already been used %(count)d times, its limit.") % {"count": code.max_uses},
            code="exhausted",
        )
    if applicant is not None and code.owner_id == applicant.pk:
        raise ReferralCodeError(_("You cannot use your own referral code: share it with a friend."), code="own_code")
    return code


def referral_code_use(*, code: ReferralCode) -> None:
    """Take one use with a conditional UPDATE, so two applicants never take the last use together."""
    taken = ReferralCode.objects.filter(pk=code.pk, is_active=True, uses__lt=F("max_uses")).update(uses=F("uses") + 1)
    if not taken:
        raise ReferralCodeError(
            _("This referral code was just used up by someone else. Apply without it or ask for another code."),
            code="exhausted",
        )
