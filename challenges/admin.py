from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from audit.selectors import history_line
from omdena.errors import TransitionNotAllowed
from omdena.forms import error_text

from .chapter_selectors import LEADS_FIRST, chapter_countries
from .chapter_services import chapter_create, chapter_join, chapter_leave, chapter_set_lead, chapter_update
from .enums import ChapterRole
from .models import (
    Attendance,
    Challenge,
    Chapter,
    ChapterMember,
    Meeting,
    Organisation,
    Tag,
    Task,
    TaskMember,
    WeeklyReport,
)
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


def _service_action(*, action_name: str, service, target: str, description: str, done: str, related=()):
    """An admin action that moves each selected object through its service; refused moves are listed.
    (Only staff reach the admin, and staff may take every one of these decisions.)"""

    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        moved = 0
        for obj in queryset.select_related(*related):
            try:
                service(**{target: obj}, by=request.user, note="admin action")
                moved += 1
            except TransitionNotAllowed as error:
                modeladmin.message_user(request, str(error), messages.WARNING)
        if moved:
            modeladmin.message_user(request, done % {"count": moved}, messages.SUCCESS)

    action.__name__ = action_name
    return action


def _transition_action(name: str):
    return _service_action(
        action_name=f"challenge_{name}",
        service=CHALLENGE_ACTIONS[name],
        target="challenge",
        description=_("%(name)s selected challenges") % {"name": name.capitalize()},
        done=_("%(count)d challenge(s) moved."),
    )


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
        return history_line(subject=obj)


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
    return _service_action(
        action_name=f"task_{name}",
        service=service,
        target="task",
        description=description,
        done=_("%(count)d task(s) decided."),
        related=("challenge",),
    )


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
        return history_line(subject=obj)


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


# --- chapters --------------------------------------------------------------------------------------
# Every change here goes through `chapter_services` (audited, and the last lead of a chapter with members
# cannot leave or step down); a refusal is shown as a warning and the rest of the save goes on.


def _attempt(modeladmin, request, service, **kwargs) -> bool:
    """Run a chapter service; a refusal becomes a warning on the page. True when it went through."""
    try:
        service(**kwargs)
    except ValidationError as error:
        modeladmin.message_user(request, error_text(error), messages.WARNING)
        return False
    return True


class ChapterCountryFilter(admin.SimpleListFilter):
    """Only the countries that have a chapter, not all 250."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        return chapter_countries(include_inactive=True)

    def queryset(self, request, queryset):
        return queryset.filter(country=self.value()) if self.value() else queryset


class ChapterMemberInline(admin.TabularInline):
    model = ChapterMember
    fields = ["person", "role", "joined_at"]
    readonly_fields = ["joined_at"]
    autocomplete_fields = ["person"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lead_rank=LEADS_FIRST).order_by("lead_rank", "joined_at")


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "is_active", "member_count", "created_at"]
    list_filter = [ChapterCountryFilter, "is_active"]
    search_fields = ["name", "city", "slack_channel"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "history"]
    inlines = [ChapterMemberInline]
    actions = ["close_chapters", "reopen_chapters"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description=_("Members"), ordering="member_count")
    def member_count(self, obj):
        return obj.member_count

    @admin.display(description=_("History"))
    def history(self, obj):
        return history_line(subject=obj)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            chapter_update(chapter=obj, by=request.user, data=data)
            return
        fields = {name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data}
        created = chapter_create(by=request.user, **fields)
        obj.pk, obj.created_at = created.pk, created.created_at

    def save_formset(self, request, form, formset, change):
        if formset.model is not ChapterMember:
            return super().save_formset(request, form, formset, change)
        chapter, by = form.instance, request.user
        formset.save(commit=False)
        moved = [member for member, fields in formset.changed_objects if "person" in fields]
        if moved:
            self.message_user(
                request, _("To replace a member, delete the row and add the new person."), messages.WARNING
            )
        role_changes = [m for m, fields in formset.changed_objects if "role" in fields and "person" not in fields]
        # Leads are named before anyone steps down or leaves, so swapping leads in one save passes the last-lead rule.
        for member in formset.new_objects:
            if member.role == ChapterRole.LEAD:
                _attempt(self, request, chapter_set_lead, chapter=chapter, person=member.person, by=by, is_lead=True)
            else:
                _attempt(self, request, chapter_join, chapter=chapter, person=member.person, by=by)
        for member in sorted(role_changes, key=lambda m: m.role != ChapterRole.LEAD):
            is_lead = member.role == ChapterRole.LEAD
            _attempt(self, request, chapter_set_lead, chapter=chapter, person=member.person, by=by, is_lead=is_lead)
        for member in formset.deleted_objects:
            _attempt(self, request, chapter_leave, chapter=chapter, person=member.person, by=by)

    def _set_active(self, request, queryset, *, active: bool) -> None:
        done = 0
        for chapter in queryset:
            if chapter.is_active != active:
                chapter_update(chapter=chapter, by=request.user, data={"is_active": active})
                done += 1
        self.message_user(request, _("%(count)d chapter(s) changed.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Close selected chapters to new members"))
    def close_chapters(self, request, queryset):
        self._set_active(request, queryset, active=False)

    @admin.action(description=_("Reopen selected chapters"))
    def reopen_chapters(self, request, queryset):
        self._set_active(request, queryset, active=True)


@admin.register(ChapterMember)
class ChapterMemberAdmin(admin.ModelAdmin):
    """Read-only rows; roles change through the actions (or the chapter's inline), which call the services."""

    list_display = ["person", "chapter", "role", "joined_at"]
    list_filter = ["role", "chapter"]
    search_fields = ["person__email", "person__display_name", "chapter__name", "chapter__city"]
    list_select_related = ["person", "chapter"]
    readonly_fields = ["chapter", "person", "role", "joined_at"]
    actions = ["make_leads", "step_down_leads"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _set_lead(self, request, queryset, *, is_lead: bool) -> None:
        done = sum(
            _attempt(
                self, request, chapter_set_lead, chapter=m.chapter, person=m.person, by=request.user, is_lead=is_lead
            )
            for m in queryset.select_related("chapter", "person")
        )
        if done:
            self.message_user(request, _("%(count)d member(s) changed.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Make selected members chapter leads"))
    def make_leads(self, request, queryset):
        self._set_lead(request, queryset, is_lead=True)

    @admin.action(description=_("Step selected leads down to member"))
    def step_down_leads(self, request, queryset):
        self._set_lead(request, queryset, is_lead=False)
