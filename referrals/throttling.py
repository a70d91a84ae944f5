"""Referral-code checks are throttled per IP and per user, so codes cannot be guessed.

One counter pair in the cache serves the landing page, the application form and the API.
"""

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

WINDOW_SECONDS = 60


def _limit() -> int:
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["referral_check"]
    return int(rate.split("/")[0])


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def referral_check_allowed(request) -> bool:
    """Count one code check for this IP and this user; False once either is over the limit a minute."""
    keys = [f"referral-check:ip:{_client_ip(request)}"]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        keys.append(f"referral-check:user:{user.pk}")
    allowed = True
    for key in keys:
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)
            count = 1
        allowed = allowed and count <= _limit()
    return allowed


class ReferralCheckThrottle(BaseThrottle):
    """DRF face of the same counters."""

    def allow_request(self, request, view):
        return referral_check_allowed(request)

    def wait(self):
        return WINDOW_SECONDS
