"""The outbox: one message per key, sent after commit, retried with backoff, visible to staff and to the person."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.enums import Channel, OutboxStatus
from notifications.models import OutboxMessage
from notifications.services import MAX_ATTEMPTS, outbox_enqueue, outbox_retry, outbox_send
from notifications.tasks import send_due_outbox
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTEXT = {
    "message": "Your application is in the queue.",
    "challenge_title": "Floods",
    "status_display": "In the queue",
    "url": "http://testserver/me/",
}


def enqueue(person, key="application:1:submitted", channels=(Channel.EMAIL,)):
    return outbox_enqueue(
        recipient=person, template="application_update", subject="Hello", key=key, context=CONTEXT, channels=channels
    )


def test_message_is_sent_after_commit_with_text_and_html(collaborator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [message] = enqueue(collaborator)
        assert mail.outbox == []  # nothing leaves before the commit

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.sent_at is not None
    [email] = mail.outbox
    assert email.to == ["cam@example.org"] and "Your application is in the queue." in email.body
    assert "Floods" in email.alternatives[0][0]


def test_same_key_sends_once(collaborator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(collaborator)
        enqueue(collaborator)
    outbox_send(message_id=OutboxMessage.objects.get().pk)  # a duplicate task run

    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1


def test_smtp_failure_is_retried_with_backoff_then_reported(collaborator, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # nothing listens there
    [message] = enqueue(collaborator)

    message = outbox_send(message_id=message.pk)
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert "email:" in message.last_error
    assert message.next_attempt_at > timezone.now() + dt.timedelta(seconds=50)

    assert send_due_outbox() == 0  # not due yet
    for _ in range(MAX_ATTEMPTS - 1):
        with time_machine.travel(message.next_attempt_at + dt.timedelta(seconds=1)):
            send_due_outbox()
        message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, MAX_ATTEMPTS)


def test_staff_retry_a_failed_message_and_it_goes_out(client, staff, collaborator, django_capture_on_commit_callbacks):
    [message] = enqueue(collaborator)
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.FAILED, attempts=6, last_error="email: down")
    client.force_login(staff)

    page = client.get(reverse("staff_outbox"), {"status": "failed"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff_outbox_retry", args=[message.pk]), follow=True)

    assert "email: down" in page
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert "is queued again" in response.content.decode()


def test_slack_message_goes_to_the_person_by_dm(fake_slack, collaborator, django_capture_on_commit_callbacks):
    fake_slack.add_user("U0CAM123", email=collaborator.email)
    collaborator.slack_user_id = "U0CAM123"
    collaborator.save()

    with django_capture_on_commit_callbacks(execute=True):
        [message] = enqueue(collaborator, channels=(Channel.SLACK,))

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert any("Floods" in text for text in fake_slack.dms_to("U0CAM123"))


def test_slack_rate_limit_waits_for_retry_after(fake_slack, collaborator):
    fake_slack.add_user("U0CAM123", email=collaborator.email)
    collaborator.slack_user_id = "U0CAM123"
    collaborator.save()
    fake_slack.rate_limit_next(retry_after=120, method="chat.postMessage")
    [message] = enqueue(collaborator, channels=(Channel.SLACK,))

    before = timezone.now()
    message = outbox_send(message_id=message.pk)

    assert message.status == OutboxStatus.PENDING and "rate limited" in message.last_error
    assert before + dt.timedelta(seconds=100) < message.next_attempt_at < before + dt.timedelta(seconds=200)


def test_slack_message_is_skipped_without_a_slack_id(collaborator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [message] = enqueue(collaborator, channels=(Channel.SLACK,))
    message.refresh_from_db()
    assert message.status == OutboxStatus.SKIPPED and "no Slack user id" in message.last_error


def test_people_see_only_their_own_notifications(client, collaborator):
    enqueue(collaborator, key="mine")
    enqueue(UserFactory(display_name="Someone Else"), key="theirs")
    client.force_login(collaborator)

    page = client.get(reverse("my_notifications"))
    api = client.get("/api/v1/outbox/").json()

    assert len(page.context["page"].object_list) == 1
    assert [m["recipient"] for m in api["results"]] == ["Cam Collaborator"]


@pytest.mark.parametrize("who", ["collaborator", "client_user"])
def test_outbox_page_and_retry_are_staff_only(client, request, who, collaborator):
    [message] = enqueue(collaborator)
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("staff_outbox")).status_code == 403
    assert client.post(reverse("staff_outbox_retry", args=[message.pk])).status_code == 403
    assert client.post(f"/api/v1/outbox/{message.pk}/retry/").status_code in (403, 404)


def test_retry_of_a_message_that_did_not_fail_changes_nothing(staff, collaborator):
    [message] = enqueue(collaborator)
    assert outbox_retry(message=message, by=staff).status == OutboxStatus.PENDING
