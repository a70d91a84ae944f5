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


# Weekly do-ocracy: scoring and the policy. The services in `activity.doocracy` do the work.


@shared_task(bind=True, acks_late=True)
def score_and_police_week(self, challenge_id: int, week: str) -> dict:
    """Score one finished ISO week of one challenge and apply the policy; safe to run twice. While a source
    has not synced the whole week, the warnings wait: the task comes back in half an hour."""
    from dataclasses import asdict

    from challenges.models import Challenge

    from .doocracy import policy_run

    challenge = Challenge.objects.get(pk=challenge_id)
    result = policy_run(challenge=challenge, week=week)
    if result.held and not self.request.is_eager:
        self.apply_async(args=[challenge_id, week], countdown=LONGEST_ETA.total_seconds())
    return asdict(result)


@shared_task(acks_late=True)
def weekly_doocracy() -> int:
    """Beat, Monday morning: score and police the week that just ended, one task per running challenge."""
    from challenges.enums import ChallengeStatus
    from challenges.models import Challenge
    from omdena.weeks import last_finished_week

    week = last_finished_week(timezone.now())
    ids = list(Challenge.objects.filter(status=ChallengeStatus.RUNNING).values_list("id", flat=True))
    for challenge_id in ids:
        score_and_police_week.delay(challenge_id, week)
    return len(ids)


# -- activity ingestion: thin tasks over `activity.ingestion` ------------------------------------------------------

# Sources of one challenge start this many seconds apart: a challenge's repositories and channels never burst
# (GitHub's secondary limits punish concurrency; Slack's Tier 3 bucket is shared by every channel of the workspace).
SOURCE_SPACING_SECONDS = 5


def sources_queue(source_ids) -> int:
    """Queue a sync of each source, SOURCE_SPACING_SECONDS apart; returns how many."""
    source_ids = list(source_ids)
    for index, source_id in enumerate(source_ids):
        sync_source.apply_async(args=[source_id], countdown=index * SOURCE_SPACING_SECONDS)
    return len(source_ids)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(TransientError,),  # 5xx and network errors only; rate limits reschedule, refusals are recorded
    max_retries=MAX_TRANSIENT_RETRIES,
    retry_backoff=30,
    retry_backoff_max=600,
)
def sync_source(self, source_id: int) -> str:
    """Sync one source from its cursor; a rate limit brings the task back at the provider's time."""
    from .ingestion import source_sync
    from .integrations import RateLimited

    try:
        source = source_sync(source_id=source_id)
    except RateLimited as error:
        # Eager runs ignore the ETA and would loop at once; long waits outlive the broker's visibility timeout.
        # Both are left to the beat, which picks the source up when its next_attempt_at is due.
        if not self.request.is_eager and error.retry_at - timezone.now() <= LONGEST_ETA:
            self.apply_async(args=[source_id], eta=error.retry_at)
        return "rate_limited"
    except TransientError:
        if not self.request.is_eager:
            raise  # autoretry with backoff; past the last retry the beat tries again (next_attempt_at)
        if self.request.retries >= self.max_retries:
            return "failed"
        return self.apply(args=[source_id], retries=self.request.retries + 1).result
    return source.status


@shared_task(acks_late=True)
def sync_challenge(challenge_id: int) -> int:
    """Staff's "sync now" for one challenge: its sources, queued a few seconds apart."""
    from challenges.models import Challenge

    from .ingestion import challenge_sources_ensure

    sources = challenge_sources_ensure(challenge=Challenge.objects.get(pk=challenge_id))
    return sources_queue(source.pk for source in sources)


@shared_task(acks_late=True)
def sync_due_sources() -> int:
    """Beat, every 15 minutes: retries that are due, and weekly syncs at each challenge's own minute."""
    from .ingestion import due_source_ids

    return sources_queue(due_source_ids())
