"""Referral-code checks are throttled per IP and per user, so codes cannot be guessed.

One counter pair in the cache serves the landing page, the application form and the API.
"""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from omdena.ratelimit import request_allowed

WINDOW_SECONDS = 60


def _limit() -> int:
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["referral_check"]
    return int(rate.split("/")[0])


def referral_check_allowed(request) -> bool:
    """Count one code check for this IP and this user; False once either is over the limit a minute."""
    return request_allowed(request, scope="referral-check", limit=_limit(), window_seconds=WINDOW_SECONDS)


class ReferralCheckThrottle(BaseThrottle):
    """DRF face of the same counters."""

    def allow_request(self, request, view):
        return referral_check_allowed(request)

    def wait(self):
        return WINDOW_SECONDS
