"""Reads for the client progress dashboard and its exports, in a constant number of queries.

Whatever the number of tasks, weeks, reports and members: one query for the tasks, one for
their reports, one for their members (with people), one for the challenge's seats and one
aggregate for attendance.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, Value, When
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from collaborators.enums import SEAT_HOLDING_STATES, ExperienceLevel
from collaborators.models import Membership, User
from omdena.weeks import ChallengeWeek

from .enums import ChallengeStatus, TaskRole, TaskStatus
from .models import Challenge, Meeting, Task, TaskMember, WeeklyReport

# Proposed and declined tasks are the team's own business; the client sees the approved work.
CLIENT_VISIBLE_TASK_STATES = (TaskStatus.ACTIVE, TaskStatus.DONE, TaskStatus.DROPPED)
# People who hold or held a seat: removed people no longer count in the team.
# Only what the page shows of a person: never the email (it is loaded for `User.name`'s fallback only).
PERSON_FIELDS = ("id", "display_name", "email", "country", "experience_level")


@dataclass(frozen=True)
class TimelineEntry:
    week: int
    report: WeeklyReport | None


@dataclass(frozen=True)
class TeamMember:
    name: str
    country: str
    experience: str
    leader: bool


@dataclass
class TaskProgress:
    task: Task
    leaders: list[TeamMember]
    members: list[TeamMember]
    timeline: list[TimelineEntry]

    @property
    def leader_names(self) -> list[str]:
        return [leader.name for leader in self.leaders]

    @property
    def reports(self) -> list[WeeklyReport]:
        return [entry.report for entry in self.timeline if entry.report is not None]


@dataclass(frozen=True)
class Tally:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class WeekActivity:
    week: int
    pull_requests: int
    messages: int
    active_collaborators: int
    attendance: int


@dataclass
class ClientProgress:
    challenge: Challenge
    week: ChallengeWeek | None
    weeks_shown: int
    tasks: list[TaskProgress]
    team_size: int
    countries: list[Tally]
    experience_levels: list[Tally]
    activity: list[WeekActivity]
    # GitHub and Slack numbers come from the activity sync: measured once a source of the challenge has synced.
    activity_measured: bool = False
    reports_total: int = field(init=False)

    def __post_init__(self) -> None:
        self.reports_total = sum(len(task.reports) for task in self.tasks)

    @property
    def week_label(self) -> str:
        """'Week 5 of 8', 'Starts on 5 Oct 2026' or 'Completed': the same words on the page and in exports."""
        challenge, week = self.challenge, self.week
        if challenge.status == ChallengeStatus.CANCELLED:
            return _("Cancelled")
        if challenge.status == ChallengeStatus.COMPLETED or (week is not None and week.finished):
            return _("Completed")
        if week is None:
            return _("Not scheduled yet")
        if week.not_started:
            return _("Starts on %(date)s") % {"date": date_format(challenge.start_date, "j M Y")}
        return _("Week %(number)d of %(total)d") % {"number": week.number, "total": week.total}


def weeks_to_show(*, week: ChallengeWeek | None, latest_report_week: int, total: int) -> int:
    """Weeks 1..N that have begun (all of them once the challenge is over); without dates, up to the latest report."""
    if week is None:
        begun = latest_report_week
    elif week.not_started:
        begun = 0
    else:
        begun = min(week.number, week.total)
    return min(max(begun, latest_report_week), total)


def _team_member(person: User, *, leader: bool) -> TeamMember:
    return TeamMember(
        name=person.name,
        country=person.country.name if person.country else "",
        experience=ExperienceLevel(person.experience_level).label if person.experience_level else "",
        leader=leader,
    )


def _tallies(values: Counter, *, labels: dict[str, str], missing: str) -> list[Tally]:
    """Most common first, then by label; an empty value is counted as `missing`."""
    rows = [Tally(key=key or "none", label=labels.get(key, key) or missing, count=n) for key, n in values.items()]
    return sorted(rows, key=lambda row: (-row.count, row.label))


def with_activity_synced(queryset):
    """Annotate whether any GitHub or Slack source of each challenge has completed a sync."""
    from activity.models import ActivitySource

    synced = ActivitySource.objects.filter(challenge=OuterRef("pk"), last_success_at__isnull=False)
    return queryset.annotate(activity_synced=Exists(synced))


def github_slack_activity(*, challenge: Challenge, weeks: int) -> dict[int, tuple[int, int, int]] | None:
    """Per challenge week 1..`weeks`: (pull requests opened, Slack messages and replies, active collaborators).

    None while no GitHub or Slack source of the challenge has completed a sync (nothing is measured yet).
    One query whatever the number of weeks and events (events are bucketed into challenge weeks in the database),
    plus one when the challenge was not loaded through `with_activity_synced`.
    """
    from activity.models import ActivityEvent, ActivitySource, EventKind

    if challenge.start_date is None or weeks < 1:
        return None
    synced = getattr(challenge, "activity_synced", None)  # annotated by with_activity_synced(), else one query
    if synced is None:
        synced = ActivitySource.objects.filter(challenge=challenge, last_success_at__isnull=False).exists()
    if not synced:
        return None
    start = dt.datetime.combine(challenge.start_date, dt.time.min, tzinfo=dt.UTC)
    bucket = Case(
        *[
            When(
                occurred_at__gte=start + dt.timedelta(weeks=n - 1),
                occurred_at__lt=start + dt.timedelta(weeks=n),
                then=Value(n),
            )
            for n in range(1, weeks + 1)
        ],
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        ActivityEvent.objects.filter(challenge=challenge, person__isnull=False)
        .annotate(challenge_week=bucket)
        .exclude(challenge_week=0)
        .values("challenge_week")
        .annotate(
            pull_requests=Count("id", filter=Q(kind=EventKind.PR_OPENED)),
            messages=Count("id", filter=Q(kind__in=[EventKind.MESSAGE, EventKind.REPLY])),
            people=Count("person", distinct=True),
        )
        .order_by()
    )
    by_week = {row["challenge_week"]: (row["pull_requests"], row["messages"], row["people"]) for row in rows}
    return {n: by_week.get(n, (0, 0, 0)) for n in range(1, weeks + 1)}


def meetings_by_week(*, challenge: Challenge) -> dict[int, tuple[int, int]]:
    """{week: (meetings held, attendances recorded as present)} for the page, its exports and the API (one query)."""
    rows = (
        Meeting.objects.filter(challenge=challenge)
        .order_by()
        .values("week")
        .annotate(n=Count("id", distinct=True), present=Count("attendances", filter=Q(attendances__attended=True)))
        .values_list("week", "n", "present")
    )
    return {week: (n, present) for week, n, present in rows}


def reports_by_week(*, challenge: Challenge) -> dict[int, int]:
    """{week: weekly reports filed across the challenge's tasks} (one query)."""
    return dict(
        WeeklyReport.objects.filter(task__challenge=challenge)
        .order_by()
        .values("week")
        .annotate(n=Count("id"))
        .values_list("week", "n")
    )


def client_progress(*, challenge: Challenge, today: dt.date | None = None) -> ClientProgress:
    """Everything the client dashboard shows for a challenge: week, report timelines, team, weekly activity."""
    week = challenge.week(today)
    people = User.objects.only(*PERSON_FIELDS)
    tasks = list(
        challenge.tasks.filter(status__in=CLIENT_VISIBLE_TASK_STATES)
        .order_by("created_at", "title")
        .prefetch_related(
            Prefetch("reports", queryset=WeeklyReport.objects.order_by("week")),
            Prefetch(
                "task_members",
                queryset=TaskMember.objects.select_related("membership").prefetch_related(
                    Prefetch("membership__person", queryset=people)
                ),
            ),
        )
    )
    latest = max((report.week for task in tasks for report in task.reports.all()), default=0)
    weeks_shown = weeks_to_show(week=week, latest_report_week=latest, total=challenge.duration_weeks)

    task_rows = []
    for task in tasks:
        by_week = {report.week: report for report in task.reports.all()}
        team = sorted(
            (
                _team_member(member.membership.person, leader=member.role == TaskRole.LEADER)
                for member in task.task_members.all()
            ),
            key=lambda person: (not person.leader, person.name.lower()),
        )
        task_rows.append(
            TaskProgress(
                task=task,
                leaders=[person for person in team if person.leader],
                members=team,
                timeline=[TimelineEntry(week=n, report=by_week.get(n)) for n in range(1, weeks_shown + 1)],
            )
        )

    seats = Membership.objects.filter(challenge=challenge, status__in=SEAT_HOLDING_STATES).select_related("person")
    seats = seats.only("id", "person_id", *(f"person__{name}" for name in PERSON_FIELDS if name != "id"))
    countries: Counter = Counter()
    levels: Counter = Counter()
    country_names: dict[str, str] = {}
    team_size = 0
    for seat in seats:
        team_size += 1
        code = seat.person.country.code if seat.person.country else ""
        country_names[code] = seat.person.country.name if code else ""
        countries[code] += 1
        levels[seat.person.experience_level] += 1

    meetings = meetings_by_week(challenge=challenge)
    measured = github_slack_activity(challenge=challenge, weeks=weeks_shown)
    activity = [
        WeekActivity(
            week=n,
            pull_requests=measured[n][0] if measured else 0,
            messages=measured[n][1] if measured else 0,
            active_collaborators=measured[n][2] if measured else 0,
            attendance=meetings.get(n, (0, 0))[1],
        )
        for n in range(1, weeks_shown + 1)
    ]
    return ClientProgress(
        challenge=challenge,
        week=week,
        weeks_shown=weeks_shown,
        tasks=task_rows,
        team_size=team_size,
        countries=_tallies(countries, labels=country_names, missing=_("Not given")),
        experience_levels=_tallies(
            levels, labels={level.value: str(level.label) for level in ExperienceLevel}, missing=_("Not given")
        ),
        activity=activity,
        activity_measured=measured is not None,
    )
