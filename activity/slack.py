"""Slack, through slack-sdk: channel membership and direct messages for onboarding, messages for activity.

The only module that imports slack-sdk. Every function takes plain values and returns plain dataclasses; every
failure is one of the exceptions of `activity.integrations`. Base URL and bot token come from settings
(`SLACK_API_URL`, `SLACK_BOT_TOKEN`), so tests and the local demo point it at a fake server.

Nobody can be added to the workspace through the public API on ordinary plans: the person joins through the
workspace invite link first, then the bot (already in the channel) invites their user id to the channel.

API documentation relied on:
- https://docs.slack.dev/reference/methods/users.lookupByEmail (users_not_found)
- https://docs.slack.dev/reference/methods/conversations.invite (already_in_channel, user_not_found)
- https://docs.slack.dev/reference/methods/conversations.kick (not_in_channel)
- https://docs.slack.dev/reference/methods/conversations.open and .../chat.postMessage
- https://docs.slack.dev/reference/methods/conversations.history (thread parents only; oldest, cursor)
- https://docs.slack.dev/reference/methods/conversations.replies (replies of one thread)
- https://docs.slack.dev/apis/web-api/pagination (response_metadata.next_cursor)
- https://docs.slack.dev/apis/web-api/rate-limits (429 with Retry-After; Tier 3 for history and replies)
- https://docs.slack.dev/reference/events/message (subtypes: bot_message, channel_join, ...)
- slack-sdk: https://docs.slack.dev/tools/python-slack-sdk/web
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.utils import timezone
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from .integrations import IntegrationError, NotFound, PermanentError, Provider, RateLimited, TransientError

__all__ = [
    "HistoryPage",
    "IntegrationError",
    "NotFound",
    "PermanentError",
    "RateLimited",
    "SlackMessage",
    "SlackUser",
    "TransientError",
    "channel_history",
    "invite_to_channel",
    "is_activity",
    "lookup_user_by_email",
    "remove_from_channel",
    "send_direct_message",
    "thread_replies",
]

TIMEOUT_SECONDS = 15
# Up to 999 messages a call for an internal app; 200 is Slack's recommendation and keeps answers small.
PAGE_SIZE = 200
DEFAULT_RETRY_AFTER = 60  # seconds, when a 429 arrives without Retry-After
TRANSIENT_ERRORS = {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}
NOT_FOUND_ERRORS = {"users_not_found", "user_not_found", "channel_not_found"}
# Message subtypes that are someone's own words; the rest are joins, leaves, topic changes, bots and such.
ACTIVITY_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}


@dataclass(frozen=True)
class SlackUser:
    id: str
    team_id: str
    name: str
    real_name: str
    is_bot: bool
    deleted: bool


@dataclass(frozen=True)
class SlackMessage:
    ts: str  # Slack's id of a message within its channel; kept as text, a float loses the last digits
    user: str | None
    subtype: str | None
    bot_id: str | None
    thread_ts: str | None
    reply_count: int
    latest_reply: str | None

    @property
    def occurred_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(float(self.ts), tz=dt.UTC)

    @property
    def is_thread_parent(self) -> bool:
        return self.reply_count > 0 and self.thread_ts == self.ts


@dataclass(frozen=True)
class HistoryPage:
    messages: list[SlackMessage]  # newest first, as Slack sends them
    next_cursor: str | None  # None on the last page


def _client() -> WebClient:
    base_url = settings.SLACK_API_URL
    return WebClient(
        token=settings.SLACK_BOT_TOKEN or None,
        base_url=base_url if base_url.endswith("/") else f"{base_url}/",  # slack-sdk urljoins the method name
        timeout=TIMEOUT_SECONDS,
        # No retries inside the client: the Celery task is the one retry policy (reschedule on 429, backoff
        # otherwise), and a blind retry of chat.postMessage after a reset connection could send a DM twice.
        retry_handlers=[],
    )


def _retry_at(headers: dict[str, Any]) -> dt.datetime:
    value = next((str(v) for k, v in (headers or {}).items() if k.lower() == "retry-after"), "")
    seconds = int(value) if value.isdigit() else DEFAULT_RETRY_AFTER
    return timezone.now() + dt.timedelta(seconds=seconds)


def _translate(error: SlackApiError) -> IntegrationError:
    response = error.response
    status = response.status_code
    data = response.data if isinstance(response.data, dict) else {}
    code = str(data.get("error") or f"HTTP {status}")
    if status == 429 or code == "ratelimited":
        return RateLimited(code, source=Provider.SLACK, status=status, retry_at=_retry_at(response.headers))
    if status >= 500 or code in TRANSIENT_ERRORS:
        return TransientError(code, source=Provider.SLACK, status=status)
    if code in NOT_FOUND_ERRORS:
        return NotFound(code, source=Provider.SLACK, status=status)
    return PermanentError(code, source=Provider.SLACK, status=status)


@contextmanager
def _calling_slack() -> Iterator[None]:
    try:
        yield
    except SlackApiError as error:  # an HTTP failure or `ok: false`
        raise _translate(error) from error
    except OSError as error:  # refused, reset, timed out (urllib's URLError is an OSError)
        raise TransientError(str(error), source=Provider.SLACK) from error
    except SlackClientError as error:
        raise PermanentError(str(error), source=Provider.SLACK) from error


def _call(method: str, **params: Any) -> dict[str, Any]:
    """Call one Web API method with form fields, as slack-sdk's own read methods do."""
    with _calling_slack():
        return _client().api_call(method, params=params).data  # type: ignore[return-value]


def _post_json(method: str, **body: Any) -> dict[str, Any]:
    """chat.postMessage takes JSON (so blocks and attachments keep their structure)."""
    with _calling_slack():
        return _client().api_call(method, json=body).data  # type: ignore[return-value]


def _message(raw: dict[str, Any]) -> SlackMessage:
    return SlackMessage(
        ts=raw["ts"],
        user=raw.get("user"),
        subtype=raw.get("subtype"),
        bot_id=raw.get("bot_id"),
        thread_ts=raw.get("thread_ts"),
        reply_count=int(raw.get("reply_count") or 0),
        latest_reply=raw.get("latest_reply"),
    )


def _ts_param(value: float | str) -> str:
    return f"{value:.6f}" if isinstance(value, float | int) else str(value)


def is_activity(message: SlackMessage) -> bool:
    """A person's own message or reply; not bots, joins, leaves, topic changes or other channel notices."""
    return bool(message.user) and message.bot_id is None and message.subtype in ACTIVITY_SUBTYPES


def lookup_user_by_email(email: str) -> SlackUser | None:
    """The workspace member with this email, or None when they have not joined the workspace yet."""
    try:
        data = _call("users.lookupByEmail", email=email)
    except NotFound as error:
        if error.message == "users_not_found":
            return None
        raise
    user = data["user"]
    return SlackUser(
        id=user["id"],
        team_id=user.get("team_id", ""),
        name=user.get("name", ""),
        real_name=user.get("real_name") or user.get("profile", {}).get("real_name", ""),
        is_bot=bool(user.get("is_bot")),
        deleted=bool(user.get("deleted")),
    )


def invite_to_channel(channel_id: str, user_id: str) -> Literal["invited", "already_in_channel"]:
    """Add a workspace member to a channel the bot is in; inviting someone already there is success."""
    try:
        _call("conversations.invite", channel=channel_id, users=user_id)
    except PermanentError as error:
        if error.message == "already_in_channel":
            return "already_in_channel"
        raise
    return "invited"


def remove_from_channel(channel_id: str, user_id: str) -> Literal["removed", "not_in_channel"]:
    """Remove a member from a channel; removing someone who already left is success."""
    try:
        _call("conversations.kick", channel=channel_id, user=user_id)
    except PermanentError as error:
        if error.message == "not_in_channel":
            return "not_in_channel"
        raise
    return "removed"


def send_direct_message(user_id: str, text: str) -> str:
    """Send a DM from the bot and return its `ts` (the message id)."""
    channel = _call("conversations.open", users=user_id)["channel"]["id"]
    return _post_json("chat.postMessage", channel=channel, text=text)["ts"]


def channel_history(
    channel_id: str, oldest: float | str, cursor: str | None = None, limit: int = PAGE_SIZE
) -> HistoryPage:
    """One page of a channel's messages newer than `oldest` (thread parents only, not their replies).

    Pass the returned `next_cursor` back to read the next page; the caller stores it so a sync interrupted by a
    rate limit resumes where it stopped.
    """
    params: dict[str, Any] = {"channel": channel_id, "oldest": _ts_param(oldest), "limit": limit}
    if cursor:
        params["cursor"] = cursor
    data = _call("conversations.history", **params)
    next_cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
    return HistoryPage(messages=[_message(raw) for raw in data.get("messages", [])], next_cursor=next_cursor)


def thread_replies(channel_id: str, thread_ts: str, oldest: float | str) -> list[SlackMessage]:
    """Replies in one thread newer than `oldest`, oldest first, without the parent message.

    History returns thread parents only, so new replies on an older thread are found by calling this for each
    parent whose `latest_reply` is newer than the cursor.
    """
    oldest_ts = Decimal(_ts_param(oldest))
    replies: list[SlackMessage] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"channel": channel_id, "ts": thread_ts, "oldest": str(oldest_ts), "limit": PAGE_SIZE}
        if cursor:
            params["cursor"] = cursor
        data = _call("conversations.replies", **params)
        for raw in data.get("messages", []):
            if raw["ts"] != thread_ts and Decimal(raw["ts"]) > oldest_ts:
                replies.append(_message(raw))
        cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return replies
