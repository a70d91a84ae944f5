"""Reads of referral codes."""

from .models import ReferralCode


def referral_codes_by_challenge(*, owner) -> dict[int, ReferralCode]:
    """The codes a person earned by completing challenges, keyed by challenge id (one query)."""
    codes = ReferralCode.objects.filter(owner=owner, challenge__isnull=False)
    return {code.challenge_id: code for code in codes}
