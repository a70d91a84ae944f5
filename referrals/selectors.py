"""Reads of referral codes."""

from django.db.models import Count, F, Q, Sum

from .models import ReferralCode


def referral_codes_by_challenge(*, owner) -> dict[int, ReferralCode]:
    """The codes a person earned by completing challenges, keyed by challenge id (one query)."""
    codes = ReferralCode.objects.filter(owner=owner, challenge__isnull=False)
    return {code.challenge_id: code for code in codes}


def referral_summary(*, owner) -> dict[str, int]:
    """How many of a person's codes still work and how many uses they have left (one query)."""
    working = Q(is_active=True, uses__lt=F("max_uses"))
    totals = ReferralCode.objects.filter(owner=owner).aggregate(
        codes=Count("pk"),
        working=Count("pk", filter=working),
        uses_left=Sum(F("max_uses") - F("uses"), filter=working),
    )
    return {key: value or 0 for key, value in totals.items()}
