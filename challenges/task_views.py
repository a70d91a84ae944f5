"""Task-team pages: the challenge's tasks, one task, my tasks, and the leader's report and attendance forms.

Who sees what: the challenge's active members, staff, and users of its organisation (read-only) see the tasks;
everyone else gets a 404, as if the challenge had no tasks. Leaders of a task and staff file its reports and
record its meetings (403 for the other members). The rules themselves live in `task_services`.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activity.models import WeeklyScore
from activity.score_display import WeekCell, scored_weeks, week_cells
from audit.models import AuditEntry
from collaborators.enums import ACTIVE_SEAT_STATES
from collaborators.models import Membership
from omdena import permissions
from omdena.errors import TransitionNotAllowed
from omdena.forms import error_text, service_errors_on_form

from .enums import MeetingKind, TaskRole, TaskStatus
from .models import Attendance, Challenge, Meeting, Task, TaskMember, WeeklyReport
from .selectors import challenges_with_tasks_visible_to
from .task_forms import AttendanceForm, LeaderForm, TaskCallForm, TaskProposeForm, WeeklyReportForm
from .task_services import (
    attendance_record,
    meeting_create,
    report_deadline,
    report_file,
    task_approve,
    task_close,
    task_decline,
    task_join,
    task_leave,
    task_propose,
    task_set_leader,
)

STATUS_ORDER = (TaskStatus.ACTIVE, TaskStatus.PROPOSED, TaskStatus.DONE, TaskStatus.DROPPED, TaskStatus.DECLINED)
DECISIONS = {"approve": task_approve, "decline": task_decline}
# How many past weeks of each member's score the leader's members table shows.
ACTIVITY_WEEKS = 3


@dataclass(frozen=True)
class Viewer:
    """What the signed-in user is to this challenge's task teams."""

    seat: Membership | None
    is_staff: bool
    can_propose: bool
    can_approve: bool


def _viewer_of(request, slug: str) -> tuple[Challenge, Viewer]:
    """The challenge and the viewer's standing; 404 for anyone who is not a member, staff or its client."""
    user = request.user
    visible = challenges_with_tasks_visible_to(user=user).select_related("organisation")
    challenge = get_object_or_404(visible, slug=slug)
    seat = permissions.seat_of(user, challenge)
    is_staff = permissions.is_staff(user)
    viewer = Viewer(
        seat=seat,
        is_staff=is_staff,
        can_propose=permissions.can_propose_task(user, challenge),
        can_approve=permissions.can_approve_task(user, challenge),
    )
    return challenge, viewer


def _task_of(challenge: Challenge, pk: int) -> Task:
    return get_object_or_404(Task.objects.select_related("challenge__organisation"), pk=pk, challenge=challenge)


def _task_to_lead(request, slug: str, pk: int) -> tuple[Challenge, Task]:
    """404 for outsiders, 403 for members who do not lead this task."""
    challenge, _viewer = _viewer_of(request, slug)
    task = _task_of(challenge, pk)
    if not permissions.can_lead_task(request.user, task):
        raise PermissionDenied
    return challenge, task


@login_required
def task_list(request, slug):
    challenge, viewer = _viewer_of(request, slug)
    form = TaskProposeForm(request.POST or None)
    if request.method == "POST":
        if not viewer.can_propose:
            raise PermissionDenied
        if form.is_valid():
            try:
                task = task_propose(challenge=challenge, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                service_errors_on_form(form, error)
            else:
                messages.success(
                    request,
                    _("“%(title)s” is proposed. Staff or the project manager approve it; you lead it then.")
                    % {"title": task.title},
                )
                return redirect("task_detail", slug=challenge.slug, pk=task.pk)
    tasks = (
        challenge.tasks.annotate(member_count=Count("task_members"))
        .prefetch_related(
            Prefetch(
                "task_members",
                queryset=TaskMember.objects.filter(role=TaskRole.LEADER).select_related("membership__person"),
                to_attr="leaders",
            )
        )
        .order_by("title")
    )
    by_status: dict[str, list[Task]] = {status: [] for status in STATUS_ORDER}
    for task in tasks:
        by_status.setdefault(task.status, []).append(task)
    groups = [(TaskStatus(status).label, status, by_status[status]) for status in STATUS_ORDER if by_status[status]]
    return render(
        request,
        "challenges/tasks/task_list.html",
        {"challenge": challenge, "viewer": viewer, "groups": groups, "form": form, "week": challenge.week()},
    )


@login_required
@require_POST
def task_decide(request, slug, pk):
    challenge, viewer = _viewer_of(request, slug)
    task = _task_of(challenge, pk)
    if not viewer.can_approve:
        raise PermissionDenied
    service = DECISIONS.get(request.POST.get("decision", ""))
    if service is None:
        messages.error(request, _("Choose approve or decline."))
        return redirect("task_list", slug=slug)
    try:
        task = service(task=task, by=request.user, note=request.POST.get("note", "")[:500])
    except (TransitionNotAllowed, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("“%(title)s” is %(status)s.") % {"title": task.title, "status": task.get_status_display().lower()},
        )
    return redirect("task_list", slug=slug)


@login_required
def task_detail(request, slug, pk):
    challenge, viewer = _viewer_of(request, slug)
    task = _task_of(challenge, pk)
    # "leader" sorts before "member": leaders head the team table.
    members = list(task.task_members.select_related("membership__person").order_by("role", "joined_at"))
    reports = list(task.reports.select_related("author").order_by("-week"))
    late_edited = set(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(WeeklyReport),
            object_id__in=[str(report.pk) for report in reports],
            verb="report.late_edit",
        ).values_list("object_id", flat=True)
    )
    for report in reports:
        report.edited_late = str(report.pk) in late_edited
    meetings = (
        Meeting.objects.filter(Q(task=task) | Q(challenge=challenge, task__isnull=True))
        .annotate(
            present_count=Count("attendances", filter=Q(attendances__attended=True)),
            recorded_count=Count("attendances"),
        )
        .order_by("-week", "-starts_at")
    )
    is_leader = any(m.role == TaskRole.LEADER and m.membership.person_id == request.user.pk for m in members)
    can_lead = viewer.is_staff or is_leader
    in_task = viewer.seat is not None and any(m.membership_id == viewer.seat.pk for m in members)
    open_task = task.status in (TaskStatus.PROPOSED, TaskStatus.ACTIVE)
    leader_form = None
    if viewer.is_staff and open_task:
        seats = (
            challenge.memberships.filter(status__in=ACTIVE_SEAT_STATES)
            .select_related("person")
            .order_by("person__display_name")
        )
        leader_form = LeaderForm(seats=seats)
    week = challenge.week()
    report_week = min(max(week.number, 1), week.total) if week else 1
    activity_weeks = _activity_weeks(challenge) if can_lead else []
    if activity_weeks:
        # One query for every member's recent scores, whatever the size of the team.
        scores = {
            (score.membership_id, score.week): score
            for score in WeeklyScore.objects.filter(
                membership_id__in=[m.membership_id for m in members], week__in=activity_weeks
            )
        }
        for member in members:
            own = {
                week: scores[(member.membership_id, week)]
                for week in activity_weeks
                if (member.membership_id, week) in scores
            }
            member.recent_weeks = week_cells(challenge, own, activity_weeks)
    return render(
        request,
        "challenges/tasks/task_detail.html",
        {
            "challenge": challenge,
            "task": task,
            "viewer": viewer,
            "members": members,
            "leaders": [m for m in members if m.role == TaskRole.LEADER],
            "reports": reports,
            "meetings": meetings,
            "can_lead": can_lead,
            "can_join": viewer.seat is not None and open_task and not in_task,
            "can_leave": in_task and open_task,
            "can_close": viewer.can_approve and task.status == TaskStatus.ACTIVE,
            "leader_form": leader_form,
            "week": week,
            "report_week": report_week,
            "activity_weeks": [WeekCell(week=w, score=None, first_week=False) for w in activity_weeks],
        },
    )


def _activity_weeks(challenge: Challenge) -> list[str]:
    """The challenge's last finished ISO weeks, newest first, for the leader's members table."""
    weeks = scored_weeks(challenge, today=timezone.localdate(timezone=dt.UTC))
    return weeks[: -ACTIVITY_WEEKS - 1 : -1]


@login_required
@require_POST
def task_join_view(request, slug, pk):
    challenge, viewer = _viewer_of(request, slug)
    task = _task_of(challenge, pk)
    if viewer.seat is None:
        raise PermissionDenied
    try:
        task_join(task=task, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("You joined “%(title)s”.") % {"title": task.title})
    return redirect("task_detail", slug=slug, pk=pk)


@login_required
@require_POST
def task_leave_view(request, slug, pk):
    challenge, _viewer = _viewer_of(request, slug)
    task = _task_of(challenge, pk)
    task_leave(task=task, by=request.user)
    messages.success(request, _("You left “%(title)s”.") % {"title": task.title})
    return redirect("task_detail", slug=slug, pk=pk)


@login_required
@require_POST
def task_leader_view(request, slug, pk):
    """Staff appoint a leader among the active members, or ask one to step down (they stay a member)."""
    challenge, viewer = _viewer_of(request, slug)
    task = _task_of(challenge, pk)
    if not viewer.is_staff:
        raise PermissionDenied
    seats = challenge.memberships.select_related("person")
    form = LeaderForm(request.POST, seats=seats)
    appoint = request.POST.get("action") != "step_down"
    if not form.is_valid():
        messages.error(request, _("Choose a member of this challenge."))
        return redirect("task_detail", slug=slug, pk=pk)
    membership = form.cleaned_data["membership"]
    try:
        task_set_leader(task=task, membership=membership, by=request.user, leader=appoint)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        text = _("%(name)s now leads “%(title)s”.") if appoint else _("%(name)s no longer leads “%(title)s”.")
        messages.success(request, text % {"name": membership.person.name, "title": task.title})
    return redirect("task_detail", slug=slug, pk=pk)


@login_required
@require_POST
def task_close_view(request, slug, pk):
    challenge, viewer = _viewer_of(request, slug)
    task = _task_of(challenge, pk)
    if not viewer.can_approve:
        raise PermissionDenied
    try:
        task = task_close(
            task=task, by=request.user, status=request.POST.get("status", ""), note=request.POST.get("note", "")[:500]
        )
    except (TransitionNotAllowed, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("“%(title)s” is %(status)s.") % {"title": task.title, "status": task.get_status_display().lower()},
        )
    return redirect("task_detail", slug=slug, pk=pk)


@login_required
def my_tasks(request):
    """Tasks I lead or belong to, with whether this week's report is filed."""
    rows = list(
        TaskMember.objects.filter(membership__person=request.user, membership__status__in=ACTIVE_SEAT_STATES)
        .exclude(task__status=TaskStatus.DECLINED)
        .select_related("task__challenge")
        .annotate(member_count=Count("task__task_members"))
        .order_by("task__challenge__title", "task__title")
    )
    filed = set(WeeklyReport.objects.filter(task_id__in=[row.task_id for row in rows]).values_list("task_id", "week"))
    for row in rows:
        week = row.task.challenge.week()
        row.week = week.number if week and 1 <= week.number <= week.total else None
        row.reporting = row.week is not None and row.task.status == TaskStatus.ACTIVE
        row.filed = (row.task_id, row.week) in filed
        row.is_leader = row.role == TaskRole.LEADER
    return render(request, "challenges/tasks/my_tasks.html", {"rows": rows})


@login_required
def report_form(request, slug, pk, week):
    """A leader files (or edits) the task's report for a week; after the client meeting, edits are audited."""
    challenge, task = _task_to_lead(request, slug, pk)
    if not 1 <= week <= challenge.duration_weeks:
        raise Http404
    report = WeeklyReport.objects.filter(task=task, week=week).first()
    form = WeeklyReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        try:
            report_file(task=task, week=week, by=request.user, data=form.cleaned_data)
        except ValidationError as error:
            service_errors_on_form(form, error)
        else:
            messages.success(request, _("The report for week %(week)d is saved.") % {"week": week})
            return redirect("task_detail", slug=slug, pk=pk)
    current = challenge.week()
    deadline = report_deadline(task=task, week=week)
    return render(
        request,
        "challenges/tasks/report_form.html",
        {
            "challenge": challenge,
            "task": task,
            "form": form,
            "report": report,
            "report_week": week,
            "week_started": current is None or week <= max(current.number, 1),
            "deadline": deadline,
            "deadline_passed": deadline is not None and timezone.now() >= deadline,
            "weeks": range(1, min(max(current.number, 1), challenge.duration_weeks) + 1) if current else [],
        },
    )


def _next_hour() -> dt.datetime:
    now = timezone.localtime()
    return now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)


@login_required
def task_meetings(request, slug, pk):
    """The task's calls, and a form for the leader to plan this week's call."""
    challenge, task = _task_to_lead(request, slug, pk)
    form = TaskCallForm(request.POST or None, initial={"starts_at": _next_hour()})
    if request.method == "POST" and form.is_valid():
        starts_at = form.cleaned_data["starts_at"]
        week = challenge.week(today=timezone.localdate(starts_at))
        if week is None or not 1 <= week.number <= week.total:
            form.add_error("starts_at", _("Choose a date within the challenge's weeks."))
        else:
            meeting = meeting_create(
                challenge=challenge,
                by=request.user,
                week=week.number,
                starts_at=starts_at,
                kind=MeetingKind.TASK_CALL,
                task=task,
                link=form.cleaned_data["link"],
                agenda=form.cleaned_data["agenda"],
            )
            messages.success(request, _("The week %(week)d call is planned.") % {"week": meeting.week})
            return redirect("task_meetings", slug=slug, pk=pk)
    meetings = task.meetings.annotate(
        present_count=Count("attendances", filter=Q(attendances__attended=True)), recorded_count=Count("attendances")
    ).order_by("-week", "-starts_at")
    return render(
        request,
        "challenges/tasks/meetings.html",
        {"challenge": challenge, "task": task, "form": form, "meetings": meetings},
    )


@login_required
def attendance_form(request, slug, pk, meeting_id):
    """One checkbox per task member, ticked from what was recorded; saving again overwrites."""
    challenge, task = _task_to_lead(request, slug, pk)
    meeting = get_object_or_404(Meeting, pk=meeting_id, task=task)
    members = (
        Membership.objects.filter(task_memberships__task=task)
        .select_related("person")
        .order_by("person__display_name", "pk")
    )
    present = Attendance.objects.filter(meeting=meeting, attended=True).values_list("membership_id", flat=True)
    form = AttendanceForm(request.POST or None, members=members, initial={"present": list(present)})
    if request.method == "POST" and form.is_valid():
        came = list(form.cleaned_data["present"])
        came_ids = {membership.pk for membership in came}
        try:
            attendance_record(
                meeting=meeting, by=request.user, present=came, absent=[m for m in members if m.pk not in came_ids]
            )
        except ValidationError as error:
            service_errors_on_form(form, error)
        else:
            messages.success(
                request,
                _("Attendance saved: %(present)d of %(total)d came.") % {"present": len(came), "total": len(members)},
            )
            return redirect("task_meetings", slug=slug, pk=pk)
    return render(
        request,
        "challenges/tasks/attendance.html",
        {"challenge": challenge, "task": task, "meeting": meeting, "form": form},
    )
