"""Onboarding tasks: thin, take ids, safe to run twice; the services in `activity.onboarding` do the work."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from .integrations import TransientError
from .models import RUNNABLE_STATES
from .onboarding import onboarding_step_run
from .selectors import onboarding_due_step_ids

MAX_TRANSIENT_RETRIES = 5
# A rate-limited or paced step comes back by itself (a task with an ETA) when the wait is short. Longer waits
# (tomorrow's invitations, someone who has not joined Slack yet) are left to the beat: an ETA task held past the
# Redis broker's visibility timeout (an hour by default) would be delivered twice.
LONGEST_ETA = dt.timedelta(minutes=30)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(TransientError,),  # network errors and 5xx only; rate limits are rescheduled, refusals recorded
    max_retries=MAX_TRANSIENT_RETRIES,
    retry_backoff=30,
    retry_backoff_max=600,
)
def run_onboarding_step(self, step_id: int) -> str | None:
    try:
        step = onboarding_step_run(step_id=step_id, give_up_on_transient=self.request.retries >= self.max_retries)
    except TransientError:
        if not self.request.is_eager:
            raise  # autoretry: backoff, at most MAX_TRANSIENT_RETRIES times, then the service records the failure
        # Eager runs (tests, the local demo): Celery's eager retry re-raises to the caller while
        # task_eager_propagates is on, so run again in place, without waiting, as an eager retry would.
        return self.apply(args=[step_id], retries=self.request.retries + 1).result
    if step is None:
        return None
    wait_until = step.next_attempt_at
    # Eager runs (tests, the local demo) ignore the ETA and would loop at once: the beat picks those steps up.
    comes_back_soon = wait_until is not None and wait_until - timezone.now() <= LONGEST_ETA
    if step.status in RUNNABLE_STATES and comes_back_soon and not self.request.is_eager:
        self.apply_async(args=[step_id], eta=wait_until)  # never sleep in a worker
    return step.status


@shared_task(acks_late=True)
def run_due_onboarding_steps() -> int:
    """Beat, every few minutes: the safety net for steps whose time has come (rate limits over, deferred
    invitations, people who may have joined Slack since) and for task messages that were lost."""
    ids = onboarding_due_step_ids()
    for step_id in ids:
        run_onboarding_step.delay(step_id)
    return len(ids)
