"""Score and police one ISO week by hand: `score_week [--challenge SLUG] [--week YYYY-Www]`."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from activity.doocracy import policy_run
from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from omdena.weeks import is_iso_week_label, last_finished_week


class Command(BaseCommand):
    help = "Score a finished ISO week and apply the do-ocracy policy (warnings, lifts, removal proposals)."

    def add_arguments(self, parser):
        parser.add_argument("--challenge", metavar="SLUG", help="One challenge (default: every running one).")
        parser.add_argument("--week", metavar="YYYY-Www", help="The ISO week (default: the last finished week).")

    def handle(self, *args, challenge=None, week=None, **options):
        week = week or last_finished_week(timezone.now())
        if not is_iso_week_label(week):
            raise CommandError(f"“{week}” is not an ISO week: write it as YYYY-Www, e.g. 2026-W48.")
        if challenge:
            challenges = list(Challenge.objects.filter(slug=challenge))
            if not challenges:
                raise CommandError(f"No challenge with the slug “{challenge}”.")
        else:
            challenges = list(Challenge.objects.filter(status=ChallengeStatus.RUNNING).order_by("slug"))
        for each in challenges:
            try:
                result = policy_run(challenge=each, week=week)
            except ValueError as error:
                raise CommandError(str(error)) from error
            if result.skipped:
                self.stdout.write(f"{each.slug} {week}: skipped, {result.skipped}.")
                continue
            if result.held:
                self.stdout.write(f"{each.slug} {week}: {result.scored} scored; {result.held}.")
                continue
            self.stdout.write(
                f"{each.slug} {week}: {result.scored} scored, {result.warned} warned, {result.lifted} lifted, "
                f"{result.proposed} removals proposed, {result.removed} removed."
            )
