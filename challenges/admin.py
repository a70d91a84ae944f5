from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from audit.selectors import history_for
from omdena.errors import TransitionNotAllowed
from omdena.permissions import can_approve_task

from .models import Attendance, Challenge, Meeting, Organisation, Tag, Task, TaskMember, WeeklyReport
from .services import CHALLENGE_ACTIONS
from .task_services import task_approve, task_decline


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "website"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["users"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


def _transition_action(name: str):
    service = CHALLENGE_ACTIONS[name]

    @admin.action(description=_("%(name)s selected challenges") % {"name": name.capitalize()})
    def action(modeladmin, request, queryset):
        done = 0
        for challenge in queryset:
            try:
                service(challenge=challenge, by=request.user, note="admin action")
                done += 1
            except TransitionNotAllowed as error:
                modeladmin.message_user(request, str(error), messages.WARNING)
        if done:
            modeladmin.message_user(request, _("%(count)d challenge(s) moved.") % {"count": done}, messages.SUCCESS)

    action.__name__ = f"challenge_{name}"
    return action


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "status", "application_deadline", "start_date", "capacity"]
    list_filter = ["status", "organisation", "tags"]
    search_fields = ["title", "summary", "organisation__name"]
    list_select_related = ["organisation"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tags"]
    # Status moves go through the services (audit trail), never through the edit form.
    readonly_fields = ["status", "history"]
    actions = [_transition_action(name) for name in CHALLENGE_ACTIONS]

    @admin.display(description=_("History"))
    def history(self, obj):
        if obj.pk is None:
            return "—"
        entries = history_for(subject=obj)[:20]
        return "; ".join(f"{e.created_at:%Y-%m-%d %H:%M} {e.actor or 'platform'}: {e}" for e in entries) or "—"


# --- task teams ------------------------------------------------------------------------------------


class TaskMemberInline(admin.TabularInline):
    """Members join and leave themselves and leaders are appointed through the services (audited): shown here."""

    model = TaskMember
    fields = ["membership", "role", "joined_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def _task_decision(name: str, service, description: str):
    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        done = 0
        for task in queryset.select_related("challenge"):
            if not can_approve_task(request.user, task.challenge):
                modeladmin.message_user(request, _("%(task)s: not yours to decide.") % {"task": task}, messages.WARNING)
                continue
            try:
                service(task=task, by=request.user, note="admin action")
                done += 1
            except TransitionNotAllowed as error:
                modeladmin.message_user(request, str(error), messages.WARNING)
        if done:
            modeladmin.message_user(request, _("%(count)d task(s) decided.") % {"count": done}, messages.SUCCESS)

    action.__name__ = f"task_{name}"
    return action


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "challenge", "status", "proposed_by", "created_at"]
    list_filter = ["status", "challenge"]
    search_fields = ["title", "goal", "challenge__title"]
    list_select_related = ["challenge", "proposed_by"]
    raw_id_fields = ["challenge", "proposed_by"]
    # Status moves go through the services (audit trail), never through the edit form.
    readonly_fields = ["status", "created_at", "updated_at", "history"]
    inlines = [TaskMemberInline]
    actions = [
        _task_decision("approve", task_approve, _("Approve selected tasks")),
        _task_decision("decline", task_decline, _("Decline selected tasks")),
    ]

    @admin.display(description=_("History"))
    def history(self, obj):
        if obj.pk is None:
            return "—"
        entries = history_for(subject=obj)[:20]
        return "; ".join(f"{e.created_at:%Y-%m-%d %H:%M} {e.actor or 'platform'}: {e}" for e in entries) or "—"


@admin.register(WeeklyReport)
class WeeklyReportAdmin(admin.ModelAdmin):
    """Read-only: leaders file and edit reports on their pages or the API, where late edits are audited."""

    list_display = ["task", "week", "author", "submitted_at", "updated_at"]
    list_filter = ["week", "task__challenge"]
    search_fields = ["task__title", "summary"]
    list_select_related = ["task", "author"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ["membership", "attended", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]
    raw_id_fields = ["membership"]
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "challenge", "task", "kind", "week", "starts_at"]
    list_filter = ["kind", "week", "challenge"]
    search_fields = ["agenda", "task__title", "challenge__title"]
    list_select_related = ["challenge", "task"]
    raw_id_fields = ["challenge", "task"]
    inlines = [AttendanceInline]

    def save_formset(self, request, form, formset, change):
        # Attendance edited here is staff's record: say who recorded it, as the leaders' form does.
        for attendance in formset.save(commit=False):
            attendance.recorded_by = request.user
            attendance.save()
        for attendance in formset.deleted_objects:
            attendance.delete()
