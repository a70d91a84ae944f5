from django.shortcuts import render
from django.utils.translation import gettext as _

from challenges.enums import ChallengeStatus
from challenges.selectors import challenge_catalogue

from .services import ReferralCodeError, referral_code_check
from .throttling import referral_check_allowed

SESSION_KEY = "referral_code"  # read by the application form to pre-fill the code


def landing(request, code):
    """A friend's link: who referred you (display name only), and the open challenges to apply to."""
    if not referral_check_allowed(request):
        return render(
            request,
            "referrals/landing.html",
            {"error": _("Too many referral code checks from your connection. Please wait a minute and try again.")},
            status=429,
        )
    try:
        referral = referral_code_check(raw_code=code, applicant=request.user if request.user.is_authenticated else None)
    except ReferralCodeError as error:
        return render(request, "referrals/landing.html", {"error": error.messages[0], "code": code}, status=404)
    request.session[SESSION_KEY] = referral.code
    open_challenges = [
        c for c in challenge_catalogue(user=request.user).filter(status=ChallengeStatus.OPEN) if c.accepts_applications
    ]
    return render(
        request,
        "referrals/landing.html",
        {"referral": referral, "referrer_name": referral.owner.name, "open_challenges": open_challenges},
    )
