"""Granting community tiers: a staff decision, audited; the suggestion comes from collaborators/tiers.py."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from omdena import permissions

from ..enums import Tier
from ..models import User
from ..notifications import notify_tier_promotion
from ..tiers import tier_rank


def tier_grant(*, person: User, tier: str, by: User, note: str = "") -> User:
    """Set the person's tier (staff only); it may raise, lower or clear ("") it.

    Row-locked so two staff granting at once leave one consistent tier and one audit entry each
    real change; granting the tier the person already has changes and records nothing.
    """
    if not permissions.can_grant_tier(by, person):
        raise PermissionDenied(_("Only staff grant community tiers."))
    if tier and tier not in Tier.values:
        raise ValidationError({"tier": _("“%(tier)s” is not a tier.") % {"tier": tier}})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=person.pk)
        if locked.tier == tier:
            return locked
        from_tier = locked.tier
        locked.tier = tier
        locked.tier_granted_at = timezone.now() if tier else None
        locked.save(update_fields=["tier", "tier_granted_at"])
        audit_record(actor=by, verb="tier.grant", subject=locked, from_state=from_tier, to_state=tier, note=note)
        if tier_rank(tier) > tier_rank(from_tier):
            notify_tier_promotion(person=locked)
    return locked


@dataclass(frozen=True)
class SuggestedGrants:
    granted: int
    unchanged: int  # already had the suggested tier
    skipped: int  # no tier suggested


def tiers_grant_suggested(*, people: Iterable[User], by: User, note: str = "") -> SuggestedGrants:
    """Grant each person (read through `with_tier_history`) the tier their history suggests."""
    granted = unchanged = skipped = 0
    for person in people:
        if not person.suggested_tier:
            skipped += 1
        elif person.tier == person.suggested_tier:
            unchanged += 1
        else:
            tier_grant(person=person, tier=person.suggested_tier, by=by, note=note)
            granted += 1
    return SuggestedGrants(granted=granted, unchanged=unchanged, skipped=skipped)
