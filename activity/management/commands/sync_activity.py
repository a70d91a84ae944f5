"""`manage.py sync_activity [--challenge SLUG] [--since YYYY-MM-DD]`: sync activity sources now, in this process.

Runs each source once through the same service the tasks call, printing a progress bar per source and the
totals. A rate-limited or failing source is reported and left for the beat; the others still run.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from activity.ingestion import challenge_sources_ensure, source_cursor_reset, source_sync
from activity.integrations import IntegrationError
from activity.models import SyncStatus
from challenges.enums import ChallengeStatus
from challenges.models import Challenge

BAR_WIDTH = 20


class Command(BaseCommand):
    help = "Pull GitHub and Slack activity into the event store now (every running challenge, or one)."

    def add_arguments(self, parser):
        parser.add_argument("--challenge", metavar="SLUG", help="Only this challenge (any status).")
        parser.add_argument(
            "--since",
            metavar="YYYY-MM-DD",
            type=dt.date.fromisoformat,
            help="Sync again from this day (UTC): resets the cursor of the selected sources first.",
        )

    def handle(self, *args, challenge=None, since=None, **options):
        if challenge:
            challenges = list(Challenge.objects.filter(slug=challenge))
            if not challenges:
                raise CommandError(f"No challenge with the slug {challenge!r}.")
        else:
            challenges = list(Challenge.objects.filter(status=ChallengeStatus.RUNNING).order_by("slug"))
        sources = [source for item in challenges for source in challenge_sources_ensure(challenge=item)]
        if since is not None:
            moment = dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC)
            for source in sources:
                source_cursor_reset(source=source, since=moment)
            self.stdout.write(f"Cursor of {len(sources)} source(s) reset to {since.isoformat()}.")
        events = requests = 0
        outcomes = {SyncStatus.OK: 0, SyncStatus.RATE_LIMITED: 0, SyncStatus.FAILED: 0}
        for index, source in enumerate(sources, start=1):
            try:
                source = source_sync(source_id=source.pk)
            except IntegrationError:
                source.refresh_from_db()  # recorded by the service: rate limited or failed for now
            events += source.last_run_events
            requests += source.last_run_requests
            outcomes[source.status] = outcomes.get(source.status, 0) + 1
            self.stdout.write(f"{_bar(index, len(sources))} {source.challenge.slug} {source}: {_outcome(source)}")
        self.stdout.write(
            f"Done: {len(sources)} source(s), {events} new event(s), {requests} request(s); "
            f"{outcomes[SyncStatus.OK]} ok, {outcomes[SyncStatus.RATE_LIMITED]} rate limited, "
            f"{outcomes[SyncStatus.FAILED]} failed."
        )


def _bar(done: int, total: int) -> str:
    filled = BAR_WIDTH * done // total
    return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}"


def _outcome(source) -> str:
    counts = f"{source.last_run_events} new event(s), {source.last_run_requests} request(s)"
    if source.status == SyncStatus.OK:
        return f"ok, {counts}"
    if source.status == SyncStatus.RATE_LIMITED:
        return f"rate limited until {source.next_attempt_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC, {counts}"
    return f"{source.get_status_display().lower()}: {source.last_error or '-'}"
