"""What a call to GitHub or Slack can fail with, in our words: callers never see PyGithub or slack-sdk exceptions.

Celery tasks decide from the class alone: `RateLimited` -> reschedule at `retry_at` (never sleep in a worker),
`TransientError` -> retry with backoff, `PermanentError` (and its `NotFound`) -> record the provider's message
for staff and stop.
"""

import datetime as dt
from enum import StrEnum


class Provider(StrEnum):
    GITHUB = "github"
    SLACK = "slack"


class IntegrationError(Exception):
    """A call to an outside service failed; `str(error)` is the provider's own message."""

    def __init__(self, message: str, *, source: Provider, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.status = status

    @property
    def provider_name(self) -> str:
        """The provider as people write it: GitHub, Slack."""
        return {Provider.GITHUB: "GitHub", Provider.SLACK: "Slack"}.get(self.source, str(self.source))


class RateLimited(IntegrationError):
    """The provider asked us to wait: try again at `retry_at` (timezone-aware, UTC)."""

    def __init__(self, message: str, *, source: Provider, retry_at: dt.datetime, status: int | None = None):
        super().__init__(message, source=source, status=status)
        self.retry_at = retry_at


class TransientError(IntegrationError):
    """A 5xx answer or a network failure: the same call may succeed later."""


class PermanentError(IntegrationError):
    """The provider refused the call for a reason that retrying will not change."""


class NotFound(PermanentError):
    """The user, repository, team or channel does not exist (or the token cannot see it)."""
