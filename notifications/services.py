"""Queueing and sending outbox messages: email and Slack DM, once per idempotency key, retried with backoff."""

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from email.message import Message as EmailHeaders
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEText
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .enums import Channel, OutboxStatus
from .models import OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# Wait before attempt 2, 3, …: a provider outage of a few hours loses nothing.
BACKOFF = [dt.timedelta(minutes=m) for m in (1, 5, 15, 60, 240)]


class DeliveryError(Exception):
    """A message could not be delivered now; `retry_at` says when to try again (None: use the backoff)."""

    def __init__(self, message: str, *, retry_at: dt.datetime | None = None):
        super().__init__(message)
        self.retry_at = retry_at


def outbox_enqueue(
    *,
    recipient,
    template: str,
    context: Mapping[str, Any],
    key: str,
    subject: str = "",
    channels: Iterable[str] = (Channel.EMAIL,),
) -> list[OutboxMessage]:
    """Write one message per channel (once per key) and send it after the surrounding transaction commits."""
    from .tasks import send_outbox_message

    messages = []
    for channel in channels:
        message, created = OutboxMessage.objects.get_or_create(
            idempotency_key=f"{key}:{channel}",
            defaults={
                "recipient": recipient,
                "channel": channel,
                "template": template,
                "context": dict(context),
                "subject": str(subject)[:200],
            },
        )
        if created:
            message_id = message.pk
            transaction.on_commit(lambda message_id=message_id: send_outbox_message.delay(message_id))
        messages.append(message)
    return messages


def _render(message: OutboxMessage, suffix: str) -> str:
    context = {**message.context, "recipient_name": message.recipient.name, "site_url": settings.SITE_URL.rstrip("/")}
    return render_to_string(f"notifications/{message.template}.{suffix}", context).strip()


def _attachment(spec: Mapping[str, str]) -> SafeMIMEText:
    """A text file kept in the message's context (`{"filename", "content", "mimetype"}`, the mimetype may carry
    parameters such as an invite's `method=REQUEST`); rendered when queued, so a retry sends the same file."""
    header = EmailHeaders()
    header["Content-Type"] = spec["mimetype"]
    part = SafeMIMEText(spec["content"], header.get_content_subtype(), "utf-8")
    for name, value in header.get_params()[1:]:
        if name.lower() != "charset":
            part.set_param(name, value)
    part.add_header("Content-Disposition", "attachment", filename=spec["filename"])
    return part


def _deliver_email(message: OutboxMessage) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject or _render(message, "subject.txt"),
        body=_render(message, "txt"),
        to=[message.recipient.email],
    )
    email.attach_alternative(_render(message, "html"), "text/html")
    for spec in message.context.get("attachments", ()):
        email.attach(_attachment(spec))
    try:
        email.send()
    except OSError as error:  # SMTP refused or unreachable: try again later
        raise DeliveryError(f"email: {error}") from error


def _deliver_slack(message: OutboxMessage) -> bool:
    """Send a Slack DM; False when the person has no Slack id yet (nothing to send to)."""
    from activity import slack

    if not message.recipient.slack_user_id:
        return False
    try:
        slack.send_direct_message(message.recipient.slack_user_id, _render(message, "slack.txt"))
    except slack.RateLimited as error:
        raise DeliveryError(f"slack: rate limited until {error.retry_at:%H:%M:%S}", retry_at=error.retry_at) from error
    except slack.IntegrationError as error:
        raise DeliveryError(f"slack: {error}") from error
    return True


def outbox_send(*, message_id: int) -> OutboxMessage:
    """Send one pending message; on failure record the error and schedule the next attempt. Safe to call twice."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().select_related("recipient").get(pk=message_id)
        if message.status != OutboxStatus.PENDING:
            return message
        message.attempts += 1
        try:
            if message.channel == Channel.EMAIL:
                _deliver_email(message)
                delivered = True
            else:
                delivered = _deliver_slack(message)
        except DeliveryError as error:
            message.last_error = str(error)[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.FAILED
                logger.error(
                    "outbox: giving up on message %s after %s attempts: %s", message.pk, message.attempts, error
                )
            else:
                delay = BACKOFF[min(message.attempts - 1, len(BACKOFF) - 1)]
                message.next_attempt_at = error.retry_at or timezone.now() + delay
                logger.warning("outbox: message %s failed (attempt %s): %s", message.pk, message.attempts, error)
        else:
            message.status = OutboxStatus.SENT if delivered else OutboxStatus.SKIPPED
            message.sent_at = timezone.now() if delivered else None
            message.last_error = "" if delivered else "no Slack user id on the profile"
        message.save(update_fields=["status", "attempts", "last_error", "next_attempt_at", "sent_at"])
    return message


def outbox_retry(*, message: OutboxMessage, by) -> OutboxMessage:
    """Staff put a failed message back in the queue (e.g. after fixing an address)."""
    from .tasks import send_outbox_message

    with transaction.atomic():
        updated = OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.FAILED).update(
            status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        if updated:
            transaction.on_commit(lambda: send_outbox_message.delay(message.pk))
    message.refresh_from_db()
    return message


def outbox_due_ids(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    return list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now or timezone.now())
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
