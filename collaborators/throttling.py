"""Applying is throttled per IP and per user (bots, and people double-clicking a slow form)."""

from rest_framework.throttling import BaseThrottle

from omdena.ratelimit import scope_allowed, scoped_rate

SCOPE = "application_submit"


def application_submit_allowed(request) -> bool:
    return scope_allowed(request, scope=SCOPE)


class ApplicationSubmitThrottle(BaseThrottle):
    """DRF face of the same counters; only POSTs count."""

    def allow_request(self, request, view):
        if request.method != "POST":
            return True
        return application_submit_allowed(request)

    def wait(self):
        return scoped_rate(SCOPE)[1]
