"""The platform's public address, for links that leave a request: emails, Slack messages, PDFs, calendar files."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` (from reverse() or get_absolute_url()) on SITE_URL."""
    return settings.SITE_URL.rstrip("/") + path
