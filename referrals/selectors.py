"""Reads of referral codes: a person's codes, what they earned, and who applied with them.

The referrer sees the applicant's display name, the challenge, the date and the outcome, never
an email address or anything else from the application.
"""

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.urls import reverse

from collaborators.models import Application

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


def referral_codes_with_uses(*, owner) -> QuerySet[ReferralCode]:
    """The owner's codes (working ones first, then the newest), each with the applications that used it.

    Three queries in all, whatever the number of codes and applications."""
    applications = Application.objects.select_related("person", "challenge").order_by("-submitted_at", "-pk")
    return (
        ReferralCode.objects.filter(owner=owner)
        .select_related("challenge")
        .prefetch_related(Prefetch("applications", queryset=applications, to_attr="referred_applications"))
        .order_by("-is_active", "-created_at", "-pk")
    )


def referral_share_url(*, request, code: ReferralCode) -> str:
    """The absolute address of the landing page that pre-fills the code."""
    return request.build_absolute_uri(reverse("referral_landing", args=[code.code]))
