"""REST API for task teams: tasks, their members and leaders, weekly reports, meetings and attendance,
and the client's progress summary per challenge and week.

Who sees what: staff see everything; active members of a challenge and users of its organisation see its
tasks, reports and meetings (clients read only); anyone else gets an empty list or a 404. Every write goes
through `challenges.task_services`; the permission predicates are those of the pages (`omdena.permissions`).
Nothing here carries an email address: people appear by name.
"""

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from collaborators.enums import ACTIVE_SEAT_STATES
from collaborators.models import Membership
from collaborators.selectors import active_seat
from omdena import permissions

from .api import ChallengeWeekSerializer
from .dashboard_selectors import github_slack_activity, meetings_by_week, reports_by_week
from .enums import MeetingKind, TaskRole, TaskStatus
from .models import Attendance, Challenge, Meeting, Task, TaskMember, WeeklyReport
from .selectors import challenges_with_progress_visible_to, challenges_with_tasks_visible_to
from .task_services import (
    REPORT_FIELDS,
    attendance_record,
    meeting_create,
    report_file,
    task_approve,
    task_close,
    task_decline,
    task_join,
    task_leave,
    task_propose,
    task_set_leader,
)

# Tasks that count as the challenge's work in the progress summary (approved, whatever became of them since).
WORKING_STATES = (TaskStatus.ACTIVE, TaskStatus.DONE)
ACTIVITY_NOTE = (
    "pull_requests, messages and active_collaborators come from the GitHub and Slack activity sync; "
    "they are null until a source of the challenge has synced."
)


def _visible_challenge_ids(user):
    return challenges_with_tasks_visible_to(user=user).values("pk")


def _seat(*, user, challenge_id: int) -> Membership | None:
    return active_seat(person=user, challenge=challenge_id)


# --- serializers: shapes only --------------------------------------------------------------------------


class TaskMemberSerializer(serializers.ModelSerializer):
    membership = serializers.IntegerField(source="membership_id", read_only=True)
    name = serializers.CharField(source="membership.person.name", read_only=True)

    class Meta:
        model = TaskMember
        fields = ["membership", "name", "role", "joined_at"]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    challenge = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    proposed_by = serializers.CharField(source="proposed_by.name", read_only=True, allow_null=True, default=None)
    members = TaskMemberSerializer(source="task_members", many=True, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "challenge",
            "title",
            "goal",
            "deliverables",
            "status",
            "status_display",
            "proposed_by",
            "github_url",
            "slack_channel_id",
            "members",
            "created_at",
        ]
        read_only_fields = fields


class TaskProposeSerializer(serializers.Serializer):
    challenge = serializers.SlugRelatedField(slug_field="slug", queryset=Challenge.objects.none())
    title = serializers.CharField(max_length=160)
    goal = serializers.CharField(max_length=2000)
    deliverables = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A challenge the user cannot see is "not found", as on the pages.
            self.fields["challenge"].queryset = challenges_with_tasks_visible_to(user=request.user)


class TaskNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class TaskLeaderSerializer(serializers.Serializer):
    membership = serializers.PrimaryKeyRelatedField(
        queryset=Membership.objects.select_related("person"), help_text="A seat in the task's challenge."
    )
    leader = serializers.BooleanField(help_text="True appoints; false steps the person down to member.")


class TaskCloseSerializer(TaskNoteSerializer):
    status = serializers.ChoiceField(
        choices=[(TaskStatus.DONE.value, _("Done")), (TaskStatus.DROPPED.value, _("Dropped"))]
    )


class WeeklyReportSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = WeeklyReport
        fields = ["id", "task", "week", *REPORT_FIELDS, "author", "submitted_at", "updated_at"]
        read_only_fields = fields


class WeeklyReportInputSerializer(serializers.Serializer):
    task = serializers.IntegerField(help_text="The task's id; you must lead it (or be staff).")
    week = serializers.IntegerField(min_value=1, help_text="A week of the challenge that has started.")
    summary = serializers.CharField(max_length=3000)
    progress = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")
    insights = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")
    blockers = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")
    next_steps = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")


class AttendanceSerializer(serializers.ModelSerializer):
    membership = serializers.IntegerField(source="membership_id", read_only=True)
    name = serializers.CharField(source="membership.person.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["membership", "name", "attended"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    challenge = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    attendance = AttendanceSerializer(source="attendances", many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "challenge", "task", "kind", "week", "starts_at", "link", "agenda", "attendance"]
        read_only_fields = fields


class MeetingCreateSerializer(serializers.Serializer):
    challenge = serializers.SlugField(required=False, help_text="Needed when the meeting belongs to no task.")
    task = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="For a task call.")
    kind = serializers.ChoiceField(choices=MeetingKind.choices, default=MeetingKind.TASK_CALL)
    week = serializers.IntegerField(min_value=1)
    starts_at = serializers.DateTimeField()
    link = serializers.URLField(required=False, allow_blank=True, default="")
    agenda = serializers.CharField(required=False, allow_blank=True, max_length=3000, default="")

    def validate(self, attrs):
        if attrs["task"] is None and not attrs.get("challenge"):
            raise serializers.ValidationError({"challenge": _("Name the challenge, or the task the call is for.")})
        if attrs["kind"] == MeetingKind.TASK_CALL and attrs["task"] is None:
            raise serializers.ValidationError({"task": _("A task call belongs to a task.")})
        return attrs


class AttendanceInputSerializer(serializers.Serializer):
    present = serializers.PrimaryKeyRelatedField(many=True, queryset=Membership.objects.all(), required=False)
    absent = serializers.PrimaryKeyRelatedField(many=True, queryset=Membership.objects.all(), required=False)

    def validate(self, attrs):
        present, absent = attrs.setdefault("present", []), attrs.setdefault("absent", [])
        if not present and not absent:
            raise serializers.ValidationError({"present": _("Name who attended, or who did not.")})
        both = {m.pk for m in present} & {m.pk for m in absent}
        if both:
            raise serializers.ValidationError({"absent": _("Someone cannot be both present and absent.")})
        return attrs


class ProgressTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    leaders = serializers.ListField(child=serializers.CharField(), help_text="Names, never emails.")
    members = serializers.IntegerField(help_text="People in the task team, leaders included.")
    reports = serializers.IntegerField(help_text="Weekly reports filed so far.")


class ProgressWeekSerializer(serializers.Serializer):
    week = serializers.IntegerField()
    reports_filed = serializers.IntegerField()
    tasks_active = serializers.IntegerField(help_text="Approved tasks (active or done) expected to report.")
    meetings = serializers.IntegerField()
    attendance = serializers.IntegerField(help_text="Members present, counted once per meeting.")
    pull_requests = serializers.IntegerField(allow_null=True, help_text="From the activity sync; null until then.")
    messages = serializers.IntegerField(allow_null=True, help_text="From the activity sync; null until then.")
    active_collaborators = serializers.IntegerField(
        allow_null=True, help_text="From the activity sync; null until then."
    )


class ProgressSerializer(serializers.Serializer):
    challenge = serializers.SlugField()
    title = serializers.CharField()
    week = ChallengeWeekSerializer(allow_null=True, help_text="Week N of M; null without a start date.")
    members = serializers.IntegerField(help_text="Active members of the challenge.")
    tasks = ProgressTaskSerializer(many=True)
    weeks = ProgressWeekSerializer(many=True, help_text="Weeks 1 to the current one (at most the last).")
    activity_note = serializers.CharField()


# --- filters -------------------------------------------------------------------------------------------


class TaskFilter(filters.FilterSet):
    challenge = filters.CharFilter(field_name="challenge__slug", help_text="The challenge's slug.")
    status = filters.ChoiceFilter(choices=TaskStatus.choices)

    class Meta:
        model = Task
        fields = ["challenge", "status"]


class WeeklyReportFilter(filters.FilterSet):
    challenge = filters.CharFilter(field_name="task__challenge__slug", help_text="The challenge's slug.")
    task = filters.NumberFilter(field_name="task_id")
    week = filters.NumberFilter()

    class Meta:
        model = WeeklyReport
        fields = ["challenge", "task", "week"]


class MeetingFilter(filters.FilterSet):
    challenge = filters.CharFilter(field_name="challenge__slug", help_text="The challenge's slug.")
    task = filters.NumberFilter(field_name="task_id")
    week = filters.NumberFilter()
    kind = filters.ChoiceFilter(choices=MeetingKind.choices)

    class Meta:
        model = Meeting
        fields = ["challenge", "task", "week", "kind"]


# --- viewsets ------------------------------------------------------------------------------------------


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tasks of the challenges you are in (or whose organisation you belong to); propose, approve, join, lead."""

    serializer_class = TaskSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = TaskFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Task.objects.none()
        members = TaskMember.objects.select_related("membership__person").order_by("-role", "joined_at", "id")
        return (
            Task.objects.filter(challenge_id__in=_visible_challenge_ids(self.request.user))
            .select_related("challenge", "proposed_by")
            .prefetch_related(Prefetch("task_members", queryset=members))
            .order_by("challenge_id", "title")
        )

    def _respond(self, task: Task, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=task.pk)).data, status=status_code)

    def _member_only(self, task: Task) -> None:
        if _seat(user=self.request.user, challenge_id=task.challenge_id) is None:
            raise exceptions.PermissionDenied(_("Only active members of this challenge can do that."))

    @extend_schema(request=TaskProposeSerializer, responses={201: TaskSerializer})
    def create(self, request):
        """Propose a task (any active member of a running challenge); staff or the project manager approve it."""
        payload = TaskProposeSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if not permissions.can_propose_task(request.user, data["challenge"]):
            raise exceptions.PermissionDenied(_("Only active members of a running challenge can propose tasks."))
        task = task_propose(
            challenge=data["challenge"],
            by=request.user,
            title=data["title"],
            goal=data["goal"],
            deliverables=data["deliverables"],
        )
        return self._respond(task, status.HTTP_201_CREATED)

    @extend_schema(request=TaskNoteSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a proposed task (staff or the challenge's project manager); its proposer leads it."""
        task, note = self._decide(request)
        return self._respond(task_approve(task=task, by=request.user, note=note))

    @extend_schema(request=TaskNoteSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline a proposed task (staff or the challenge's project manager)."""
        task, note = self._decide(request)
        return self._respond(task_decline(task=task, by=request.user, note=note))

    def _decide(self, request) -> tuple[Task, str]:
        task = self.get_object()
        if not permissions.can_approve_task(request.user, task.challenge):
            raise exceptions.PermissionDenied(_("Only staff or the project manager approve or decline tasks."))
        payload = TaskNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return task, payload.validated_data["note"]

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def join(self, request, pk=None):
        """Join the task team (do-ocracy: nobody is assigned); joining twice changes nothing."""
        task = self.get_object()
        self._member_only(task)
        task_join(task=task, by=request.user)
        return self._respond(task)

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        """Leave the task team."""
        task = self.get_object()
        self._member_only(task)
        task_leave(task=task, by=request.user)
        return self._respond(task)

    @extend_schema(request=TaskLeaderSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def leaders(self, request, pk=None):
        """Staff appoint a leader (the person joins the task if needed) or step one down."""
        task = self.get_object()
        if not permissions.is_staff(request.user):
            raise exceptions.PermissionDenied(_("Only staff appoint or replace task leaders."))
        payload = TaskLeaderSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        task_set_leader(
            task=task,
            membership=payload.validated_data["membership"],
            by=request.user,
            leader=payload.validated_data["leader"],
        )
        return self._respond(task)

    @extend_schema(request=TaskCloseSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close an active task as done or dropped (its leaders or staff)."""
        task = self.get_object()
        if not permissions.can_lead_task(request.user, task):
            raise exceptions.PermissionDenied(_("Only the task's leaders or staff close a task."))
        payload = TaskCloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        return self._respond(task_close(task=task, by=request.user, status=data["status"], note=data["note"]))


class WeeklyReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Weekly task reports (visible as the task is); leaders and staff file them, once per task and week."""

    serializer_class = WeeklyReportSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = WeeklyReportFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WeeklyReport.objects.none()
        return (
            WeeklyReport.objects.filter(task__challenge_id__in=_visible_challenge_ids(self.request.user))
            .select_related("author")
            .order_by("task_id", "week")
        )

    @extend_schema(
        request=WeeklyReportInputSerializer,
        responses={201: WeeklyReportSerializer, 200: WeeklyReportSerializer},
    )
    def create(self, request):
        """File the task's report for a week, or update it (201 when new, 200 when updated)."""
        payload = WeeklyReportInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        visible = Task.objects.filter(challenge_id__in=_visible_challenge_ids(request.user)).select_related("challenge")
        task = get_object_or_404(visible, pk=data.pop("task"))
        if not permissions.can_lead_task(request.user, task):
            raise exceptions.PermissionDenied(_("Only the task's leaders or staff file its reports."))
        week = data.pop("week")
        existed = WeeklyReport.objects.filter(task=task, week=week).exists()
        report = report_file(task=task, week=week, by=request.user, data=data)
        fresh = self.get_queryset().get(pk=report.pk)
        return Response(
            self.get_serializer(fresh).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Task calls, all-hands and client meetings with their attendance (one row per member per meeting)."""

    serializer_class = MeetingSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = MeetingFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        attendances = Attendance.objects.select_related("membership__person").order_by("membership_id")
        return (
            Meeting.objects.filter(challenge_id__in=_visible_challenge_ids(self.request.user))
            .select_related("challenge", "task")
            .prefetch_related(Prefetch("attendances", queryset=attendances))
            .order_by("challenge_id", "week", "starts_at", "id")
        )

    @staticmethod
    def _may_run(user, *, challenge: Challenge, task: Task | None) -> bool:
        """A task's leaders run its calls; meetings of the whole challenge are staff's or the project manager's."""
        if task is not None:
            return permissions.can_lead_task(user, task)
        return permissions.can_approve_task(user, challenge)

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingSerializer})
    def create(self, request):
        """Plan a meeting: a task call (its leaders or staff), or an all-hands or client meeting (staff, PM)."""
        payload = MeetingCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        visible = challenges_with_tasks_visible_to(user=request.user)
        task = None
        if data["task"] is not None:
            task = get_object_or_404(
                Task.objects.filter(challenge__in=visible).select_related("challenge"), pk=data["task"]
            )
            challenge = task.challenge
        else:
            challenge = get_object_or_404(visible, slug=data["challenge"])
        if not self._may_run(request.user, challenge=challenge, task=task):
            raise exceptions.PermissionDenied(_("Only the task's leaders or staff plan this meeting."))
        if data["week"] > challenge.duration_weeks:
            raise exceptions.ValidationError(
                {"week": [_("Choose a week of the challenge (1 to %(n)d).") % {"n": challenge.duration_weeks}]}
            )
        meeting = meeting_create(
            challenge=challenge,
            by=request.user,
            week=data["week"],
            starts_at=data["starts_at"],
            kind=data["kind"],
            task=task,
            link=data["link"],
            agenda=data["agenda"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=meeting.pk)).data, status.HTTP_201_CREATED)

    @extend_schema(request=AttendanceInputSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """Record who attended (and who did not); recording again overwrites, never duplicates."""
        meeting = self.get_object()
        if not self._may_run(request.user, challenge=meeting.challenge, task=meeting.task):
            raise exceptions.PermissionDenied(_("Only the task's leaders or staff record attendance."))
        payload = AttendanceInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        attendance_record(
            meeting=meeting,
            by=request.user,
            present=payload.validated_data["present"],
            absent=payload.validated_data["absent"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=meeting.pk)).data)


class ProgressViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The client's progress summary of a challenge, week by week (staff and the organisation's users)."""

    serializer_class = ProgressSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "slug"
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Challenge.objects.none()
        return challenges_with_progress_visible_to(user=self.request.user)

    def retrieve(self, request, slug=None):
        challenge = self.get_object()
        return Response(ProgressSerializer(progress_summary(challenge=challenge)).data)


def progress_summary(*, challenge: Challenge) -> dict:
    """Week N of M, each task's team and reports, and per week the reports, meetings and attendance.

    A fixed number of queries whatever the number of tasks, weeks and members.
    """
    week = challenge.week()
    weeks_so_far = min(week.number, week.total) if week else 0
    members = TaskMember.objects.select_related("membership__person").order_by("-role", "joined_at", "id")
    tasks = list(
        challenge.tasks.exclude(status=TaskStatus.DECLINED)
        .annotate(report_count=Count("reports", distinct=True))
        .prefetch_related(Prefetch("task_members", queryset=members))
        .order_by("title")
    )
    working = sum(1 for task in tasks if task.status in WORKING_STATES)
    reports = reports_by_week(challenge=challenge)
    meetings = meetings_by_week(challenge=challenge)
    active_members = challenge.memberships.filter(status__in=ACTIVE_SEAT_STATES).count()
    measured = github_slack_activity(challenge=challenge, weeks=weeks_so_far) or {}
    return {
        "challenge": challenge.slug,
        "title": challenge.title,
        "week": None if week is None else {"number": week.number, "total": week.total},
        "members": active_members,
        "tasks": [
            {
                "id": task.pk,
                "title": task.title,
                "status": task.status,
                "leaders": [m.membership.person.name for m in task.task_members.all() if m.role == TaskRole.LEADER],
                "members": len(task.task_members.all()),
                "reports": task.report_count,
            }
            for task in tasks
        ],
        "weeks": [
            {
                "week": number,
                "reports_filed": reports.get(number, 0),
                "tasks_active": working,
                "meetings": meetings.get(number, (0, 0))[0],
                "attendance": meetings.get(number, (0, 0))[1],
                "pull_requests": measured[number][0] if measured else None,
                "messages": measured[number][1] if measured else None,
                "active_collaborators": measured[number][2] if measured else None,
            }
            for number in range(1, weeks_so_far + 1)
        ],
        "activity_note": ACTIVITY_NOTE,
    }
