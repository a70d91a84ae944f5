"""Demo task teams for `seed_demo`: tasks, leaders, weekly reports, meetings and attendance in the running challenges.

Every change goes through `challenges.task_services` (so each has its audit trail); afterwards the times are moved
into the challenge's past (proposed in week 1, reports filed before each week's client meeting), as
`collaborators/demo.py` does for applications, so the client dashboard reads as it would after five weeks.
"""

import datetime as dt
import random

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEntry
from collaborators.enums import MembershipRole, MembershipStatus
from collaborators.models import Membership, User

from .enums import ChallengeStatus, MeetingKind, TaskRole, TaskStatus
from .models import Challenge, Meeting, Task, TaskMember, WeeklyReport
from .task_services import (
    attendance_record,
    meeting_create,
    report_file,
    task_approve,
    task_join,
    task_propose,
    task_set_leader,
)

DEMO_DOMAIN = "demo.omdena.test"
ROLE_USERS = ("staff", "client", "leader", "collaborator", "applicant")
TEAM_SIZE = 12
REPORT_WEEKS = 6
MEETING_LINK = "https://meet.example.org/omdena-demo"

# title, goal, deliverables; the last task of each challenge stays proposed.
TASKS = {
    "flood-risk-early-warning-for-nairobi": [
        (
            "Rainfall and river gauge data",
            "Collect and clean ten years of rainfall and river gauge readings for the Nairobi basin.",
            "A cleaned dataset with a data card; a notebook showing gaps and how they were filled.",
        ),
        (
            "Flood risk model",
            "Predict the flood risk of each ward 48 hours ahead from rainfall forecasts and gauge levels.",
            "A baseline and a gradient-boosted model with an evaluation report.",
        ),
        (
            "Early-warning dashboard",
            "Show county officers the risk per ward on a map, with the model's confidence.",
            "A deployed dashboard and a one-page guide for the officers.",
        ),
        (
            "SMS alert pilot",
            "Try SMS alerts with two community groups in Mathare and Kibera.",
            "A message design and a pilot plan agreed with the partner.",
        ),
    ],
    "air-quality-forecasting-for-delhi": [
        (
            "Sensor data pipeline",
            "Bring the PM2.5 readings of the city's low-cost sensors and the official stations together.",
            "A daily pipeline and a cleaned dataset.",
        ),
        (
            "PM2.5 forecasting model",
            "Forecast PM2.5 per district three days ahead.",
            "A model with an evaluation against the official forecast.",
        ),
        (
            "Public air quality map",
            "A map residents can read on a phone.",
            "A prototype map and a usability test with ten residents.",
        ),
    ],
}

SUMMARIES = [
    "Agreed on the scope with the partner and split the work into small issues.",
    "First version done; the team reviewed it together in the task call.",
    "Most of the week went into fixing data gaps found in the review.",
    "Improved the results and wrote down what we learned for the handover.",
    "Tested with the partner's staff and collected their feedback.",
    "Polished the work and prepared the demo for the client meeting.",
]
INSIGHTS = [
    "The data has more gaps in the rainy season, exactly when it matters most.",
    "Simple baselines are hard to beat; the partner values explanations more than accuracy.",
    "Officers read the map on phones: the layout must work on a small screen.",
]
BLOCKERS = ["", "", "Waiting for access to the partner's archive.", "Two members were away this week."]


def seed_tasks(*, stdout=None) -> int:
    """Tasks, teams, reports and meetings for each running demo challenge, once; returns how many tasks it made."""
    staff = User.objects.filter(email=f"staff@{DEMO_DOMAIN}").first()
    if staff is None:
        _say(stdout, "No demo tasks: run seed_demo first (it needs the demo users).")
        return 0
    created = 0
    running = Challenge.objects.filter(status=ChallengeStatus.RUNNING, slug__in=TASKS).order_by("start_date")
    for challenge in running:
        if challenge.tasks.exists():  # seeded before: leave it as it is
            continue
        with transaction.atomic():
            created += _TaskSeeder(challenge=challenge, staff=staff).run()
    _say(stdout, f"Demo task teams ready ({created} new tasks)." if created else "Demo task teams already there.")
    return created


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


class _TaskSeeder:
    def __init__(self, *, challenge: Challenge, staff: User):
        self.challenge = challenge
        self.staff = staff
        self.rng = random.Random(f"tasks-{challenge.slug}")  # noqa: S311 -- demo data, repeatable on purpose
        self.now = timezone.now()
        week = challenge.week()
        self.current_week = min(week.number, week.total) if week else 0
        # When each audit row of an object happened, in the order the services wrote them.
        self.moments: dict[tuple[type, int], list[dt.datetime]] = {}

    def run(self) -> int:
        if self.current_week < 1:
            return 0
        seats = self._team()
        tasks = self._tasks(seats)
        working = [task for task in tasks if task.status == TaskStatus.ACTIVE]
        for week in range(1, min(self.current_week, REPORT_WEEKS) + 1):
            self._week(week, working, seats)
        self._backdate()
        return len(tasks)

    # --- people ---------------------------------------------------------------------------------------

    def _team(self) -> list[Membership]:
        """About twelve active members, the demo leader and collaborator among them."""
        for prefix in ("leader", "collaborator"):
            person = User.objects.get(email=f"{prefix}@{DEMO_DOMAIN}")
            role = MembershipRole.TASK_LEADER if prefix == "leader" else MembershipRole.COLLABORATOR
            self._add_seat(person, role=role)
        active = Membership.objects.filter(challenge=self.challenge, status=MembershipStatus.ACTIVE)
        missing = TEAM_SIZE - active.count()
        if missing > 0:
            # Extra demo people are seated directly: accepting through the service would start onboarding
            # (GitHub and Slack invitations) for people who never applied.
            taken = Membership.objects.filter(challenge__status=ChallengeStatus.RUNNING).values("person_id")
            extra = (
                User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", is_staff=False, organisations=None)
                .exclude(email__in=[f"{prefix}@{DEMO_DOMAIN}" for prefix in ROLE_USERS])
                .exclude(pk__in=taken)
                .order_by("id")[:missing]
            )
            for person in extra:
                self._add_seat(person, role=MembershipRole.COLLABORATOR)
        return list(active.select_related("person").order_by("joined_at", "id"))

    def _add_seat(self, person: User, *, role: str) -> None:
        joined = self._day(0) - dt.timedelta(days=self.rng.randint(3, 10))
        membership, created = Membership.objects.get_or_create(
            person=person, challenge=self.challenge, defaults={"role": role, "status": MembershipStatus.ACTIVE}
        )
        if created:
            Membership.objects.filter(pk=membership.pk).update(joined_at=joined)

    # --- tasks ----------------------------------------------------------------------------------------

    def _tasks(self, seats: list[Membership]) -> list[Task]:
        leader = next(s for s in seats if s.person.email == f"leader@{DEMO_DOMAIN}")
        collaborator = next(s for s in seats if s.person.email == f"collaborator@{DEMO_DOMAIN}")
        others = [s for s in seats if s not in (leader, collaborator)]
        specs = TASKS[self.challenge.slug]
        # The demo leader proposes (and so leads) the first task; the demo collaborator proposes the last one.
        proposers = [leader, *others[: len(specs) - 2], collaborator]
        tasks = []
        for index, ((title, goal, deliverables), proposer) in enumerate(zip(specs, proposers, strict=True)):
            proposed_at = self._day(0) + dt.timedelta(days=1 + index // 2, hours=index)
            task = task_propose(
                challenge=self.challenge, by=proposer.person, title=title, goal=goal, deliverables=deliverables
            )
            moments = [proposed_at]
            if index < len(specs) - 1:
                task = task_approve(task=task, by=self.staff, note="demo data")
                moments.append(proposed_at + dt.timedelta(days=1))
            tasks.append(task)
            self.moments[(Task, task.pk)] = moments
        for member in [*others, leader, collaborator]:
            # Everyone is in one or two tasks; the demo collaborator helps with the first one.
            picks = self.rng.sample(tasks[:-1], k=1 if self.rng.random() < 0.6 else 2)
            if member == collaborator:
                picks = [tasks[0]]
            for task in picks:
                task_join(task=task, by=member.person)
                self.moments[(Task, task.pk)].append(self._day(0) + dt.timedelta(days=3, hours=self.rng.randint(0, 48)))
        # The model task has two leaders: staff appointed a second one.
        second = tasks[1]
        co_leader = next(
            (m.membership for m in second.task_members.select_related("membership") if m.role == TaskRole.MEMBER),
            None,
        )
        if co_leader is not None:
            task_set_leader(task=second, membership=co_leader, by=self.staff)
            self.moments[(Task, second.pk)].append(self._day(7))
        leader_ids = TaskMember.objects.filter(task__in=tasks, role=TaskRole.LEADER).values("membership_id")
        Membership.objects.filter(pk__in=leader_ids, role=MembershipRole.COLLABORATOR).update(
            role=MembershipRole.TASK_LEADER
        )
        TaskMember.objects.filter(task__in=tasks).update(joined_at=self._day(0) + dt.timedelta(days=3))
        for task in tasks:
            proposed_at, *later = self.moments[(Task, task.pk)]
            Task.objects.filter(pk=task.pk).update(created_at=proposed_at, updated_at=max([proposed_at, *later]))
        return [Task.objects.get(pk=task.pk) for task in tasks]

    # --- a week: meetings, attendance, reports --------------------------------------------------------

    def _week(self, week: int, working: list[Task], seats: list[Membership]) -> None:
        start = self._day(7 * (week - 1))
        all_hands = self._meeting(week, MeetingKind.ALL_HANDS, start + dt.timedelta(hours=15), None, "Week plan")
        self._attend(all_hands, seats, share=0.85)
        for task in working:
            team = [m.membership for m in task.task_members.select_related("membership")]
            leader = next(m.membership.person for m in task.task_members.all() if m.role == TaskRole.LEADER)
            call = self._meeting(
                week,
                MeetingKind.TASK_CALL,
                start + dt.timedelta(days=2, hours=16),
                task,
                "Progress and blockers",
                leader,
            )
            self._attend(call, team, share=0.8, by=leader)
            self._report(task, week, leader, filed=start + dt.timedelta(days=4, hours=9))
        client = self._meeting(
            week, MeetingKind.CLIENT, start + dt.timedelta(days=4, hours=14), None, "Weekly progress for the partner"
        )
        leaders = list(
            {
                m.membership
                for t in working
                for m in t.task_members.select_related("membership")
                if m.role == TaskRole.LEADER
            }
        )
        self._attend(client, leaders, share=1.0)

    def _meeting(self, week, kind, starts_at, task, agenda, by=None) -> Meeting:
        meeting = meeting_create(
            challenge=self.challenge,
            by=by or self.staff,
            week=week,
            starts_at=starts_at,
            kind=kind,
            task=task,
            link=MEETING_LINK,
            agenda=agenda,
        )
        self.moments[(Meeting, meeting.pk)] = [min(starts_at - dt.timedelta(days=2), self.now)]
        return meeting

    def _attend(self, meeting: Meeting, members: list[Membership], *, share: float, by=None) -> None:
        """Attendance is recorded after the meeting: none yet for this week's meetings still to come."""
        if meeting.starts_at >= self.now or not members:
            return
        present = [m for m in members if self.rng.random() < share] or members[:1]
        absent = [m for m in members if m not in present]
        attendance_record(meeting=meeting, by=by or self.staff, present=present, absent=absent)
        recorded = min(meeting.starts_at + dt.timedelta(hours=1), self.now)
        meeting.attendances.update(recorded_at=recorded)
        self.moments[(Meeting, meeting.pk)].append(recorded)

    def _report(self, task: Task, week: int, leader: User, *, filed: dt.datetime) -> None:
        filed = min(filed, self.now - dt.timedelta(minutes=30))
        report = report_file(
            task=task,
            week=week,
            by=leader,
            data={
                "summary": SUMMARIES[(week - 1) % len(SUMMARIES)],
                "progress": f"Week {week}: {self.rng.randint(2, 6)} issues closed, {self.rng.randint(1, 4)} merged.",
                "insights": self.rng.choice(INSIGHTS),
                "blockers": self.rng.choice(BLOCKERS),
                "next_steps": "Review the open pull requests and agree next week's issues in the task call.",
            },
        )
        WeeklyReport.objects.filter(pk=report.pk).update(submitted_at=filed, updated_at=filed)
        self.moments[(WeeklyReport, report.pk)] = [filed]

    # --- times ----------------------------------------------------------------------------------------

    def _day(self, days: int) -> dt.datetime:
        """Midnight UTC of the challenge's day `days` (day 0 is the start date)."""
        start = self.challenge.start_date or self.now.date()
        return dt.datetime.combine(start + dt.timedelta(days=days), dt.time(0, 0), tzinfo=dt.UTC)

    def _backdate(self) -> None:
        """Move the audit rows the services wrote "now" to when they happened in the demo's story."""
        changed = []
        for (model, pk), moments in self.moments.items():
            entries = AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id=str(pk)
            ).order_by("id")
            moments = sorted(moments)
            for index, entry in enumerate(entries):
                entry.created_at = min(moments[min(index, len(moments) - 1)], self.now)
                changed.append(entry)
        AuditEntry.objects.bulk_update(changed, ["created_at"], batch_size=500)
