"""Every write about task teams: propose, approve, join, lead, report, meet, attend.

Pages, API, admin and commands call these; permission checks are the callers' (omdena.permissions),
the rules of the domain are here.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, transition
from collaborators.enums import ACTIVE_SEAT_STATES
from collaborators.models import Membership
from collaborators.selectors import active_seat

from .enums import TASK_MOVES, ChallengeStatus, MeetingKind, TaskRole, TaskStatus
from .models import Attendance, Challenge, Meeting, Task, TaskMember, WeeklyReport

REPORT_FIELDS = ("summary", "progress", "insights", "blockers", "next_steps")


def _seat_of(*, person, challenge: Challenge) -> Membership:
    seat = active_seat(person=person, challenge=challenge)
    if seat is None:
        raise ValidationError(_("Only active members of this challenge can do that."))
    return seat


def task_propose(*, challenge: Challenge, by, title: str, goal: str, deliverables: str = "") -> Task:
    """Any active member proposes a task; staff or the project manager approve it. The proposer joins it."""
    if challenge.status != ChallengeStatus.RUNNING:
        raise ValidationError({"challenge": _("Tasks are proposed while the challenge is running.")})
    with transaction.atomic():
        try:
            with transaction.atomic():
                task = Task.objects.create(
                    challenge=challenge, title=title.strip(), goal=goal, deliverables=deliverables, proposed_by=by
                )
        except IntegrityError as error:
            raise ValidationError({"title": _("This challenge already has a task with this title.")}) from error
        seat = active_seat(person=by, challenge=challenge)
        if seat is not None:
            TaskMember.objects.create(task=task, membership=seat, role=TaskRole.MEMBER)
        audit_record(actor=by, verb="task.propose", subject=task, to_state=task.status)
    return task


def task_approve(*, task: Task, by, note: str = "") -> Task:
    """The task becomes active; its proposer leads it unless a leader is appointed already."""
    with transaction.atomic():
        task = transition(
            instance=task, to_state=TaskStatus.ACTIVE, allowed=TASK_MOVES, by=by, verb="task.approve", note=note
        )
        if not task.task_members.filter(role=TaskRole.LEADER).exists() and task.proposed_by_id:
            TaskMember.objects.filter(task=task, membership__person_id=task.proposed_by_id).update(role=TaskRole.LEADER)
    return task


def task_decline(*, task: Task, by, note: str = "") -> Task:
    return transition(
        instance=task, to_state=TaskStatus.DECLINED, allowed=TASK_MOVES, by=by, verb="task.decline", note=note
    )


def task_close(*, task: Task, by, status: str, note: str = "") -> Task:
    """An active task ends: done, or dropped."""
    if status not in (TaskStatus.DONE, TaskStatus.DROPPED):
        raise ValidationError({"status": _("A task closes as done or dropped.")})
    return transition(instance=task, to_state=status, allowed=TASK_MOVES, by=by, verb=f"task.{status}", note=note)


def task_join(*, task: Task, by) -> TaskMember:
    """Nobody is assigned: members join tasks themselves. Joining twice changes nothing."""
    if task.status not in (TaskStatus.PROPOSED, TaskStatus.ACTIVE):
        raise ValidationError(_("This task is closed."))
    seat = _seat_of(person=by, challenge=task.challenge)
    with transaction.atomic():
        member, created = TaskMember.objects.get_or_create(task=task, membership=seat)
        if created:
            audit_record(actor=by, verb="task.join", subject=task, note=by.name)
    return member


def task_leave(*, task: Task, by) -> None:
    with transaction.atomic():
        deleted, _rows = TaskMember.objects.filter(task=task, membership__person=by).delete()
        if deleted:
            audit_record(actor=by, verb="task.leave", subject=task, note=by.name)


def task_set_leader(*, task: Task, membership: Membership, by, leader: bool = True) -> TaskMember:
    """Staff appoint (or step down) a leader; the person joins the task if they were not in it."""
    if membership.challenge_id != task.challenge_id or membership.status not in ACTIVE_SEAT_STATES:
        raise ValidationError({"membership": _("A leader must be an active member of this challenge.")})
    with transaction.atomic():
        member, _created = TaskMember.objects.get_or_create(task=task, membership=membership)
        role = TaskRole.LEADER if leader else TaskRole.MEMBER
        if member.role != role:
            member.role = role
            member.save(update_fields=["role"])
            audit_record(
                actor=by,
                verb="task.leader" if leader else "task.leader_stepped_down",
                subject=task,
                note=membership.person.name,
            )
    return member


def task_leaders_step_down_for(*, membership: Membership, by=None) -> int:
    """A person removed from the challenge stops leading its tasks (called by the removal service)."""
    with transaction.atomic():
        count = TaskMember.objects.filter(membership=membership, role=TaskRole.LEADER).update(role=TaskRole.MEMBER)
        if count:
            audit_record(actor=by, verb="task.leader_removed", subject=membership, note=f"{count} task(s)")
    return count


def report_deadline(*, task: Task, week: int) -> dt.datetime | None:
    """Edits are free until the week's client meeting starts; None when no client meeting is planned."""
    meeting = (
        Meeting.objects.filter(challenge_id=task.challenge_id, week=week, kind=MeetingKind.CLIENT)
        .order_by("starts_at")
        .first()
    )
    return meeting.starts_at if meeting else None


def report_file(*, task: Task, week: int, by, data: Mapping[str, Any]) -> WeeklyReport:
    """File or update the task's report for a week (one per task and week).

    After that week's client meeting the report can still be corrected, but each change is recorded in the
    audit trail as a late edit with the fields that changed, so the client can trust what they were shown.
    """
    challenge_week = task.challenge.week()
    if week < 1 or week > task.challenge.duration_weeks:
        raise ValidationError(
            {"week": _("Choose a week of the challenge (1 to %(n)d).") % {"n": task.challenge.duration_weeks}}
        )
    if challenge_week is not None and week > max(challenge_week.number, 1):
        raise ValidationError({"week": _("You cannot report on a week that has not started.")})
    if not (data.get("summary") or "").strip():
        raise ValidationError({"summary": _("Write a short summary of the week.")})
    values = {name: data.get(name, "") or "" for name in REPORT_FIELDS}
    with transaction.atomic():
        report = WeeklyReport.objects.select_for_update().filter(task=task, week=week).first()
        if report is None:
            try:
                with transaction.atomic():
                    report = WeeklyReport.objects.create(task=task, week=week, author=by, **values)
            except IntegrityError:  # filed at the same moment by a co-leader: update theirs instead
                report = WeeklyReport.objects.select_for_update().get(task=task, week=week)
            else:
                audit_record(actor=by, verb="report.file", subject=report, note=f"week {week}")
                return report
        changed = [name for name in REPORT_FIELDS if getattr(report, name) != values[name]]
        if not changed:
            return report
        for name in changed:
            setattr(report, name, values[name])
        report.save(update_fields=[*changed, "updated_at"])
        deadline = report_deadline(task=task, week=week)
        late = deadline is not None and timezone.now() >= deadline
        audit_record(
            actor=by,
            verb="report.late_edit" if late else "report.edit",
            subject=report,
            note=", ".join(changed),
        )
    return report


def meeting_create(
    *,
    challenge: Challenge,
    by,
    week: int,
    starts_at: dt.datetime,
    kind: str = MeetingKind.TASK_CALL,
    task: Task | None = None,
    link: str = "",
    agenda: str = "",
) -> Meeting:
    with transaction.atomic():
        meeting = Meeting.objects.create(
            challenge=challenge, task=task, kind=kind, week=week, starts_at=starts_at, link=link, agenda=agenda
        )
        audit_record(actor=by, verb="meeting.create", subject=meeting, note=f"{kind} week {week}")
    return meeting


def attendance_record(*, meeting: Meeting, by, present: Iterable[Membership], absent: Iterable[Membership] = ()) -> int:
    """Record who came (one row per member per meeting); recording again overwrites, never duplicates."""
    rows = [(m, True) for m in present] + [(m, False) for m in absent]
    with transaction.atomic():
        for membership, attended in rows:
            if membership.challenge_id != meeting.challenge_id:
                raise ValidationError({"members": _("Only members of this challenge can attend its meetings.")})
            Attendance.objects.update_or_create(
                meeting=meeting, membership=membership, defaults={"attended": attended, "recorded_by": by}
            )
        audit_record(
            actor=by, verb="meeting.attendance", subject=meeting, note=f"{sum(1 for _m, a in rows if a)} present"
        )
    return len(rows)
