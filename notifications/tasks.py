from celery import shared_task

from .services import outbox_due_ids, outbox_send


@shared_task(acks_late=True)
def send_outbox_message(message_id: int) -> None:
    outbox_send(message_id=message_id)


@shared_task(acks_late=True)
def send_due_outbox() -> int:
    """Beat, every few minutes: retry messages whose next attempt is due."""
    ids = outbox_due_ids()
    for message_id in ids:
        outbox_send(message_id=message_id)
    return len(ids)
