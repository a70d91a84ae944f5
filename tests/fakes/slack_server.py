"""A fake Slack Web API: the methods `activity/slack.py` calls, with Slack's payload and error shapes.

Follows https://docs.slack.dev/reference/methods closely enough for slack-sdk's `WebClient`: every method is a
POST to `<base>/api/<method>` with form fields or JSON; answers are HTTP 200 with `{"ok": true, ...}` or
`{"ok": false, "error": "<code>"}`; a rate limit is HTTP 429 with `Retry-After`; lists page with `cursor` and
`response_metadata.next_cursor`. `conversations.history` returns channel messages and thread parents (with
`reply_count` / `latest_reply`), `conversations.replies` a thread's parent and its replies.

    fake = FakeSlack().start()           # or the `fake_slack` fixture, which also points settings at it
    fake.add_user("U0CAM", email="cam@example.org")
    fake.add_channel("C0WATER")
    fake.post("C0WATER", user="U0CAM", text="hello")
    fake.rate_limit_next(retry_after=30, method="conversations.history")
    fake.members("C0WATER"), fake.dms_to("U0CAM"), fake.calls("conversations.history")
"""

import base64
import itertools
import json
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from . import FakeService, Request, Response

BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
TEAM_ID = "T0OMDENA"
DEFAULT_LIMIT = 100
MAX_LIMIT = 999


def ok(**payload: Any) -> Response:
    return Response(200, {"ok": True, **payload})


def error(code: str, **payload: Any) -> Response:
    return Response(200, {"ok": False, "error": code, **payload})


def _encode_cursor(ts: str) -> str:
    return base64.b64encode(f"next_ts:{ts}".encode()).decode()


def _decode_cursor(cursor: str) -> Decimal:
    return Decimal(base64.b64decode(cursor).decode().removeprefix("next_ts:"))


@dataclass
class Channel:
    id: str
    name: str
    members: set[str] = field(default_factory=set)
    messages: list[dict] = field(default_factory=list)  # parents and replies, in posting order


class FakeSlack(FakeService):
    """In-memory Slack workspace with one bot (`U0BOT`) that is in every channel unless told otherwise."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, autocreate: bool = False):
        super().__init__(host, port)
        # autocreate (the local demo): an unknown channel id becomes a channel the bot is in.
        self.autocreate = autocreate
        self.users: dict[str, dict] = {}
        self.channels: dict[str, Channel] = {}
        self.dm_channels: dict[str, str] = {}  # user id -> D... channel id
        self.dms: list[dict] = []  # {"channel", "user", "text", "ts"}
        self.tokens: set[str] | None = None  # None accepts any token; a set accepts only those
        self._dm_ids = itertools.count(1)
        self._last_ts = Decimal(0)

    @property
    def api_url(self) -> str:
        """What `SLACK_API_URL` should be: slack-sdk appends the method name to it."""
        return f"{self.url}/api/"

    # -- setting up ---------------------------------------------------------------------------------------------

    def add_user(self, user_id: str, *, email: str, name: str = "", is_bot: bool = False) -> dict:
        with self.lock:
            name = name or email.split("@")[0]
            user = {
                "id": user_id,
                "team_id": TEAM_ID,
                "name": name,
                "deleted": False,
                "real_name": name.title(),
                "tz": "Europe/Berlin",
                "is_bot": is_bot,
                "is_admin": False,
                "profile": {"email": email, "real_name": name.title(), "display_name": name, "team": TEAM_ID},
            }
            self.users[user_id] = user
            return user

    def add_channel(self, channel_id: str, *, name: str = "", members: tuple[str, ...] = (), bot: bool = True) -> None:
        with self.lock:
            channel = self.channels.setdefault(channel_id, Channel(id=channel_id, name=name or channel_id.lower()))
            channel.members.update(members)
            if bot:
                channel.members.add(BOT_USER_ID)

    def post(
        self,
        channel_id: str,
        *,
        user: str | None,
        text: str = "hello",
        ts: str | float | None = None,
        thread_ts: str | None = None,
        subtype: str | None = None,
        bot_id: str | None = None,
    ) -> str:
        """Put a message in a channel as if someone had written it; returns its ts."""
        with self.lock:
            if channel_id not in self.channels:
                self.add_channel(channel_id)
            channel = self.channels[channel_id]
            message: dict[str, Any] = {"type": "message", "ts": self._ts(ts), "text": text}
            if user:
                message["user"] = user
            if subtype:
                message["subtype"] = subtype
            if bot_id:
                message["bot_id"] = bot_id
            if thread_ts:
                message["thread_ts"] = thread_ts
                parent = self._find(channel, thread_ts)
                if parent is not None:
                    parent["thread_ts"] = thread_ts
                    message["parent_user_id"] = parent.get("user")
            channel.messages.append(message)
            return message["ts"]

    # -- inspecting ---------------------------------------------------------------------------------------------

    def members(self, channel_id: str) -> set[str]:
        with self.lock:
            return self.channels[channel_id].members - {BOT_USER_ID}

    def dms_to(self, user_id: str) -> list[str]:
        with self.lock:
            return [dm["text"] for dm in self.dms if dm["user"] == user_id]

    def calls(self, method: str) -> int:
        return self.request_count(f"/api/{method}")

    # -- scripted failures --------------------------------------------------------------------------------------

    def _for(self, method: str | None):
        return (lambda request: request.path == f"/api/{method}") if method else None

    def rate_limit_next(self, *, retry_after: int = 30, count: int = 1, method: str | None = None) -> None:
        """The next `count` calls (of `method`, or any) answer 429 with `Retry-After`, as Slack does."""
        self.fail_next(
            lambda: Response(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}),
            count=count,
            matches=self._for(method),
        )

    def break_next(self, *, status: int = 503, count: int = 1, method: str | None = None) -> None:
        self.fail_next(
            lambda: Response(status, {"ok": False, "error": "service_unavailable"}),
            count=count,
            matches=self._for(method),
        )

    def error_next(self, code: str, *, count: int = 1, method: str | None = None) -> None:
        self.fail_next(lambda: error(code), count=count, matches=self._for(method))

    # -- serving ------------------------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if not request.path.startswith("/api/") or request.method != "POST":
            return Response(404, {"ok": False, "error": "unknown_method"})
        method = request.path.removeprefix("/api/")
        authorization = request.headers.get("authorization", "")
        if not authorization.startswith("Bearer "):
            return error("not_authed")
        if self.tokens is not None and authorization.removeprefix("Bearer ") not in self.tokens:
            return error("invalid_auth")
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return error("unknown_method")
        with self.lock:
            return handler(self._params(request))

    def _params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        content_type = request.headers.get("content-type", "")
        if "json" in content_type:
            params.update(json.loads(request.body or b"{}"))
        elif request.body:
            params.update(parse_qsl(request.body.decode(), keep_blank_values=True))
        return params

    # -- state helpers ------------------------------------------------------------------------------------------

    def _ts(self, wanted: str | float | None = None) -> str:
        """Slack's message id: seconds with six decimals, unique and increasing within the workspace."""
        if wanted is not None:
            value = Decimal(wanted if isinstance(wanted, str) else f"{wanted:.6f}")
        else:
            value = max(Decimal(f"{time.time():.6f}"), self._last_ts + Decimal("0.000001"))
        self._last_ts = max(self._last_ts, value)
        return f"{value:.6f}"

    def _channel(self, channel_id: str) -> Channel | None:
        if channel_id not in self.channels and self.autocreate and channel_id[:1] in "CG":
            self.add_channel(channel_id)
        return self.channels.get(channel_id)

    @staticmethod
    def _find(channel: Channel, ts: str) -> dict | None:
        return next((message for message in channel.messages if message["ts"] == ts), None)

    def _with_thread(self, channel: Channel, message: dict) -> dict:
        """A parent as history shows it: with reply_count, reply_users and latest_reply."""
        if message.get("thread_ts") != message["ts"]:
            return dict(message)
        replies = [m for m in channel.messages if m.get("thread_ts") == message["ts"] and m["ts"] != message["ts"]]
        if not replies:
            return dict(message)
        users = list(dict.fromkeys(m.get("user") for m in replies if m.get("user")))
        return {
            **message,
            "reply_count": len(replies),
            "reply_users_count": len(users),
            "reply_users": users[:5],
            "latest_reply": max(replies, key=lambda m: Decimal(m["ts"]))["ts"],
            "is_locked": False,
            "subscribed": False,
        }

    @staticmethod
    def _window(params: dict[str, Any], messages: list[dict], *, newest_first: bool) -> tuple[list[dict], str]:
        """Filter by oldest/latest (exclusive unless `inclusive`), then one page after `cursor`."""
        inclusive = str(params.get("inclusive", "0")).lower() in ("1", "true")
        oldest = Decimal(str(params.get("oldest") or 0))
        latest = Decimal(str(params["latest"])) if params.get("latest") else None

        def inside(message: dict) -> bool:
            ts = Decimal(message["ts"])
            after = ts >= oldest if inclusive else ts > oldest
            before = latest is None or (ts <= latest if inclusive else ts < latest)
            return after and before

        selected = sorted((m for m in messages if inside(m)), key=lambda m: Decimal(m["ts"]), reverse=newest_first)
        if params.get("cursor"):
            start = _decode_cursor(params["cursor"])
            selected = [
                m for m in selected if (Decimal(m["ts"]) <= start if newest_first else Decimal(m["ts"]) >= start)
            ]
        limit = min(int(params.get("limit") or DEFAULT_LIMIT), MAX_LIMIT)
        page, rest = selected[:limit], selected[limit:]
        return page, _encode_cursor(rest[0]["ts"]) if rest else ""

    # -- methods ------------------------------------------------------------------------------------------------

    def _users_lookupByEmail(self, params: dict[str, Any]) -> Response:  # named after the Slack method
        email = str(params.get("email", "")).lower()
        user = next((u for u in self.users.values() if u["profile"]["email"].lower() == email), None)
        return ok(user=user) if user else error("users_not_found")

    def _conversations_invite(self, params: dict[str, Any]) -> Response:
        channel = self._channel(params.get("channel", ""))
        if channel is None:
            return error("channel_not_found")
        if BOT_USER_ID not in channel.members:
            return error("not_in_channel")
        user_ids = [u for u in str(params.get("users", "")).split(",") if u]
        for user_id in user_ids:
            if user_id == BOT_USER_ID:
                return error("cant_invite_self")
            if user_id not in self.users:
                return error("user_not_found", errors=[{"user": user_id, "ok": False, "error": "user_not_found"}])
            if user_id in channel.members:
                return error(
                    "already_in_channel", errors=[{"user": user_id, "ok": False, "error": "already_in_channel"}]
                )
        channel.members.update(user_ids)
        for user_id in user_ids:
            self.post(channel.id, user=user_id, text=f"<@{user_id}> has joined the channel", subtype="channel_join")
        return ok(channel={"id": channel.id, "name": channel.name, "is_channel": True, "is_member": True})

    def _conversations_kick(self, params: dict[str, Any]) -> Response:
        channel = self._channel(params.get("channel", ""))
        user_id = params.get("user", "")
        if channel is None:
            return error("channel_not_found")
        if user_id == BOT_USER_ID:
            return error("cant_kick_self")
        if user_id not in self.users:
            return error("user_not_found")
        if user_id not in channel.members:
            return error("not_in_channel")
        channel.members.discard(user_id)
        return ok()

    def _conversations_open(self, params: dict[str, Any]) -> Response:
        user_id = str(params.get("users", ""))
        if user_id not in self.users:
            return error("user_not_found")
        already_open = user_id in self.dm_channels
        if not already_open:
            self.dm_channels[user_id] = f"D{next(self._dm_ids):08d}"
        return ok(no_op=already_open, already_open=already_open, channel={"id": self.dm_channels[user_id]})

    def _chat_postMessage(self, params: dict[str, Any]) -> Response:  # named after the Slack method
        target = str(params.get("channel", ""))
        text = params.get("text") or ""
        if not text and not params.get("blocks"):
            return error("no_text")
        ts = self._ts()
        message = {"type": "message", "ts": ts, "text": text, "user": BOT_USER_ID, "bot_id": BOT_ID}
        dm_user = next((user for user, channel_id in self.dm_channels.items() if channel_id == target), None)
        if dm_user:
            self.dms.append({"channel": target, "user": dm_user, "text": text, "ts": ts})
        else:
            channel = self._channel(target)
            if channel is None:
                return error("channel_not_found")
            if BOT_USER_ID not in channel.members:
                return error("not_in_channel")
            channel.messages.append(message)
        return ok(channel=target, ts=ts, message=message)

    def _conversations_history(self, params: dict[str, Any]) -> Response:
        channel = self._channel(params.get("channel", ""))
        if channel is None:
            return error("channel_not_found")
        if BOT_USER_ID not in channel.members:
            return error("not_in_channel")
        # History holds channel messages and thread parents; replies only when also sent to the channel.
        visible = [
            m
            for m in channel.messages
            if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
        ]
        page, next_cursor = self._window(params, visible, newest_first=True)
        return ok(
            messages=[self._with_thread(channel, m) for m in page],
            has_more=bool(next_cursor),
            pin_count=0,
            response_metadata={"next_cursor": next_cursor},
        )

    def _conversations_replies(self, params: dict[str, Any]) -> Response:
        channel = self._channel(params.get("channel", ""))
        if channel is None:
            return error("channel_not_found")
        parent = self._find(channel, str(params.get("ts", "")))
        if parent is None:
            return error("thread_not_found")
        thread_ts = parent["ts"]
        replies = [m for m in channel.messages if m.get("thread_ts") == thread_ts and m["ts"] != thread_ts]
        page, next_cursor = self._window(params, replies, newest_first=False)
        # The parent comes first on every page, as Slack sends it.
        return ok(
            messages=[self._with_thread(channel, parent), *page],
            has_more=bool(next_cursor),
            response_metadata={"next_cursor": next_cursor},
        )
