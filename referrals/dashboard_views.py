"""A collaborator's referral dashboard: their codes, the share link, and who applied with each code."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import referral_codes_with_uses, referral_share_url


@login_required
def my_referrals(request):
    """Only the signed-in person's own codes: the selector filters by owner, so there is no id to guess."""
    codes = list(referral_codes_with_uses(owner=request.user))
    for code in codes:
        code.share_url = referral_share_url(request=request, code=code)
    return render(request, "referrals/my_referrals.html", {"codes": codes})
