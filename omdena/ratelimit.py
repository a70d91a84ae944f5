"""Fixed-window counters in the cache, for the throttles the pages and the API share."""

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle


def client_ip(request) -> str:
    # Behind the production proxy, REMOTE_ADDR is set from X-Forwarded-For by the proxy itself.
    return request.META.get("REMOTE_ADDR", "unknown")


def hit(*, key: str, limit: int, window_seconds: int) -> bool:
    """Count one hit on `key`; True while the count within the window is at most `limit`."""
    cache.add(key, 0, window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, window_seconds)
        count = 1
    return count <= limit


def request_allowed(request, *, scope: str, limit: int, window_seconds: int) -> bool:
    """One hit per IP and, when signed in, per user; allowed only while both are under the limit."""
    keys = [f"rl:{scope}:ip:{client_ip(request)}"]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        keys.append(f"rl:{scope}:user:{user.pk}")
    results = [hit(key=key, limit=limit, window_seconds=window_seconds) for key in keys]
    return all(results)


def scoped_rate(scope: str) -> tuple[int, int]:
    """(limit, window in seconds) of a rate in DEFAULT_THROTTLE_RATES, e.g. "10/minute" -> (10, 60)."""
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]
    limit, window = SimpleRateThrottle.parse_rate(None, rate)
    return limit, window


def scope_allowed(request, *, scope: str) -> bool:
    """One hit on a named rate of DEFAULT_THROTTLE_RATES, per IP and per user; the pages and the API share it."""
    limit, window = scoped_rate(scope)
    return request_allowed(request, scope=scope, limit=limit, window_seconds=window)
