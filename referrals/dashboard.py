"""Reads for a collaborator's referral dashboard: their own codes and who applied with each.

The referrer sees the applicant's display name, the challenge, the date and the outcome, never
an email address or anything else from the application.
"""

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from collaborators.models import Application

from .models import ReferralCode


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
