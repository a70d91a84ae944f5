"""Referral-code checks are throttled per IP and per user, so codes cannot be guessed.

One counter pair in the cache serves the landing page, the application form and the API.
"""

from rest_framework.throttling import BaseThrottle

from omdena.ratelimit import scope_allowed, scoped_rate

SCOPE = "referral_check"


def referral_check_allowed(request) -> bool:
    """Count one code check for this IP and this user; False once either is over the limit."""
    return scope_allowed(request, scope=SCOPE)


class ReferralCheckThrottle(BaseThrottle):
    """DRF face of the same counters."""

    def allow_request(self, request, view):
        return referral_check_allowed(request)

    def wait(self):
        return scoped_rate(SCOPE)[1]
