"""activity.slack through the real slack-sdk WebClient against the fake Slack server (no mocks)."""

import datetime as dt

import pytest
import time_machine

from activity import slack
from activity.integrations import NotFound, PermanentError, Provider, RateLimited, TransientError

CHANNEL = "C0WATER01"
NOW = dt.datetime(2026, 11, 9, 12, 0, tzinfo=dt.UTC)
CURSOR = (NOW - dt.timedelta(days=7)).timestamp()  # last week's sync


def ts(moment: dt.datetime) -> float:
    return moment.timestamp()


@pytest.fixture
def workspace(fake_slack):
    fake_slack.add_user("U0CAM", email="cam@example.org", name="cam")
    fake_slack.add_user("U0ADA", email="ada@example.org", name="ada")
    fake_slack.add_channel(CHANNEL, name="water-pumps", members=("U0ADA",))
    return fake_slack


# -- onboarding ---------------------------------------------------------------------------------------------------


def test_lookup_by_email_finds_a_workspace_member(workspace):
    user = slack.lookup_user_by_email("Cam@Example.org")

    assert (user.id, user.team_id, user.name, user.is_bot, user.deleted) == ("U0CAM", "T0OMDENA", "cam", False, False)
    assert workspace.calls("users.lookupByEmail") == 1


def test_lookup_of_someone_not_in_the_workspace_is_none(workspace):
    assert slack.lookup_user_by_email("stranger@example.org") is None


def test_invite_adds_the_member_and_a_second_invite_is_still_success(workspace):
    assert slack.invite_to_channel(CHANNEL, "U0CAM") == "invited"
    assert slack.invite_to_channel(CHANNEL, "U0CAM") == "already_in_channel"

    assert workspace.members(CHANNEL) == {"U0ADA", "U0CAM"}
    assert workspace.calls("conversations.invite") == 2


def test_inviting_an_unknown_user_is_not_found(workspace):
    with pytest.raises(NotFound) as raised:
        slack.invite_to_channel(CHANNEL, "U0NOBODY")
    assert (raised.value.message, raised.value.source) == ("user_not_found", Provider.SLACK)


def test_inviting_into_a_channel_the_bot_is_not_in_is_a_permanent_error(workspace):
    workspace.add_channel("C0PRIVATE", bot=False)

    with pytest.raises(PermanentError, match="not_in_channel"):
        slack.invite_to_channel("C0PRIVATE", "U0CAM")


def test_remove_from_channel_is_idempotent(workspace):
    assert slack.remove_from_channel(CHANNEL, "U0ADA") == "removed"
    assert slack.remove_from_channel(CHANNEL, "U0ADA") == "not_in_channel"
    assert workspace.members(CHANNEL) == set()


def test_direct_message_opens_the_conversation_and_posts(workspace):
    ts_sent = slack.send_direct_message("U0CAM", "Welcome to the water pumps challenge!")

    assert workspace.dms_to("U0CAM") == ["Welcome to the water pumps challenge!"]
    assert workspace.dms[0]["ts"] == ts_sent
    assert (workspace.calls("conversations.open"), workspace.calls("chat.postMessage")) == (1, 1)


def test_a_rejected_token_is_a_permanent_error(workspace):
    workspace.tokens = {"xoxb-the-real-one"}

    with pytest.raises(PermanentError, match="invalid_auth"):
        slack.lookup_user_by_email("cam@example.org")


# -- rate limits and faults ---------------------------------------------------------------------------------------


def test_429_is_rate_limited_until_retry_after(workspace):
    workspace.rate_limit_next(retry_after=30, method="chat.postMessage")

    with time_machine.travel(NOW, tick=False), pytest.raises(RateLimited) as raised:
        slack.send_direct_message("U0CAM", "hello")

    assert raised.value.retry_at == NOW + dt.timedelta(seconds=30)
    assert (raised.value.status, raised.value.source) == (429, Provider.SLACK)
    assert workspace.dms_to("U0CAM") == []
    # Nothing retried inside the client; the caller's retry then succeeds.
    assert workspace.calls("chat.postMessage") == 1
    slack.send_direct_message("U0CAM", "hello")
    assert workspace.dms_to("U0CAM") == ["hello"]


def test_a_5xx_is_transient(workspace):
    workspace.break_next(status=503)

    with pytest.raises(TransientError, match="service_unavailable"):
        slack.lookup_user_by_email("cam@example.org")


def test_an_internal_error_answer_is_transient(workspace):
    workspace.error_next("internal_error")

    with pytest.raises(TransientError):
        slack.invite_to_channel(CHANNEL, "U0CAM")


def test_an_unreachable_server_is_transient(workspace):
    workspace.stop()

    with pytest.raises(TransientError):
        slack.lookup_user_by_email("cam@example.org")


# -- activity -----------------------------------------------------------------------------------------------------


def test_history_pages_with_the_cursor_and_stops_at_oldest(workspace):
    workspace.post(CHANNEL, user="U0ADA", text="last month", ts=ts(NOW - dt.timedelta(days=30)))
    for minute in range(5):
        workspace.post(CHANNEL, user="U0ADA", text=f"message {minute}", ts=ts(NOW - dt.timedelta(minutes=10 - minute)))

    first = slack.channel_history(CHANNEL, oldest=CURSOR, limit=2)
    second = slack.channel_history(CHANNEL, oldest=CURSOR, cursor=first.next_cursor, limit=2)
    third = slack.channel_history(CHANNEL, oldest=CURSOR, cursor=second.next_cursor, limit=2)

    texts = [m.ts for page in (first, second, third) for m in page.messages]
    assert len(texts) == 5 and texts == sorted(texts, reverse=True)  # newest first, none twice, none missing
    assert (first.next_cursor is not None, second.next_cursor is not None, third.next_cursor) == (True, True, None)
    assert workspace.calls("conversations.history") == 3
    params = workspace.requests[-1].body.decode()
    assert f"oldest={CURSOR:.6f}" in params and "cursor=" in params


def test_an_unchanged_channel_costs_one_request(workspace):
    workspace.post(CHANNEL, user="U0ADA", text="old", ts=ts(NOW - dt.timedelta(days=30)))

    page = slack.channel_history(CHANNEL, oldest=CURSOR)

    assert (page.messages, page.next_cursor) == ([], None)
    assert workspace.request_count() == 1


def test_new_replies_on_an_old_thread_are_found_through_latest_reply(workspace):
    parent = workspace.post(CHANNEL, user="U0ADA", text="plan?", ts=ts(NOW - dt.timedelta(days=20)))
    workspace.post(CHANNEL, user="U0CAM", text="old reply", thread_ts=parent, ts=ts(NOW - dt.timedelta(days=19)))
    new_reply = workspace.post(
        CHANNEL, user="U0CAM", text="new reply", thread_ts=parent, ts=ts(NOW - dt.timedelta(days=1))
    )

    # The thread's parent is older than the cursor, so history shows nothing...
    assert slack.channel_history(CHANNEL, oldest=CURSOR).messages == []
    # ...which is why a sync keeps the threads it has seen and asks for their replies (parents as seen last time).
    seen = slack.channel_history(CHANNEL, oldest=(NOW - dt.timedelta(days=30)).timestamp()).messages[0]
    assert (seen.is_thread_parent, seen.reply_count, seen.latest_reply) == (True, 2, new_reply)
    assert float(seen.latest_reply) > CURSOR

    replies = slack.thread_replies(CHANNEL, seen.ts, oldest=CURSOR)

    assert [(reply.ts, reply.user, reply.thread_ts) for reply in replies] == [(new_reply, "U0CAM", parent)]


def test_thread_parents_in_history_carry_reply_count_and_latest_reply(workspace):
    parent = workspace.post(CHANNEL, user="U0ADA", text="who takes the EDA?", ts=ts(NOW - dt.timedelta(hours=5)))
    reply = workspace.post(CHANNEL, user="U0CAM", text="me", thread_ts=parent, ts=ts(NOW - dt.timedelta(hours=4)))

    (message,) = slack.channel_history(CHANNEL, oldest=CURSOR).messages

    assert (message.ts, message.thread_ts, message.reply_count, message.latest_reply) == (parent, parent, 1, reply)
    assert message.occurred_at == NOW - dt.timedelta(hours=5)


def test_bot_messages_joins_and_notices_are_not_activity(workspace):
    workspace.post(CHANNEL, user="U0ADA", text="pushed the baseline", ts=ts(NOW - dt.timedelta(hours=6)))
    workspace.post(
        CHANNEL, user="U0ADA", text="see thread", subtype="thread_broadcast", ts=ts(NOW - dt.timedelta(hours=5))
    )
    workspace.post(
        CHANNEL, user=None, text="CI passed", subtype="bot_message", bot_id="B0CI", ts=ts(NOW - dt.timedelta(hours=4))
    )
    workspace.post(CHANNEL, user="U0BOT", text="Weekly reminder", bot_id="B0BOT", ts=ts(NOW - dt.timedelta(hours=3)))
    workspace.post(CHANNEL, user="U0ADA", text="renamed", subtype="channel_topic", ts=ts(NOW - dt.timedelta(hours=2)))
    with time_machine.travel(NOW, tick=False):
        slack.invite_to_channel(CHANNEL, "U0CAM")  # Slack posts "<@U0CAM> has joined the channel"

    messages = slack.channel_history(CHANNEL, oldest=CURSOR).messages

    assert len(messages) == 6
    assert [m.subtype for m in messages if slack.is_activity(m)] == ["thread_broadcast", None]


def test_history_of_an_unknown_channel_is_not_found(workspace):
    with pytest.raises(NotFound, match="channel_not_found"):
        slack.channel_history("C0NOWHERE", oldest=CURSOR)


def test_a_rate_limited_history_page_can_be_resumed_from_its_cursor(workspace):
    for minute in range(4):
        workspace.post(CHANNEL, user="U0ADA", text=f"m{minute}", ts=ts(NOW - dt.timedelta(minutes=10 - minute)))
    first = slack.channel_history(CHANNEL, oldest=CURSOR, limit=2)
    workspace.rate_limit_next(retry_after=45, method="conversations.history")

    with pytest.raises(RateLimited):
        slack.channel_history(CHANNEL, oldest=CURSOR, cursor=first.next_cursor, limit=2)
    resumed = slack.channel_history(CHANNEL, oldest=CURSOR, cursor=first.next_cursor, limit=2)

    assert len(first.messages + resumed.messages) == 4
    assert resumed.next_cursor is None
