"""Applying is throttled per IP and per user (bots, and people double-clicking a slow form)."""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from omdena.ratelimit import request_allowed

WINDOW_SECONDS = 3600


def _limit() -> int:
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["application_submit"]
    return int(rate.split("/")[0])


def application_submit_allowed(request) -> bool:
    return request_allowed(request, scope="application-submit", limit=_limit(), window_seconds=WINDOW_SECONDS)


class ApplicationSubmitThrottle(BaseThrottle):
    """DRF face of the same counters; only POSTs count."""

    def allow_request(self, request, view):
        if request.method != "POST":
            return True
        return application_submit_allowed(request)

    def wait(self):
        return WINDOW_SECONDS
