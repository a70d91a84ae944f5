"""The staff admin for onboarding steps: read-only rows (the tasks write them), and a retry action."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .doocracy import excuse_decide, removal_cancel, removal_confirm
from .models import (
    ActivityEvent,
    ActivitySource,
    Excuse,
    ExcuseStatus,
    InactivityWarning,
    OnboardingStep,
    ScoringPolicy,
    WarningStatus,
    WeeklyScore,
)
from .onboarding import onboarding_steps_retry


@admin.register(OnboardingStep)
class OnboardingStepAdmin(admin.ModelAdmin):
    list_display = [
        "person",
        "challenge",
        "direction",
        "kind",
        "target",
        "status",
        "http_status",
        "attempts",
        "next_attempt_at",
        "updated_at",
    ]
    list_filter = ["status", "kind", "direction", "membership__challenge"]
    search_fields = ["membership__person__email", "membership__person__display_name", "target", "last_error"]
    list_select_related = ["membership__person", "membership__challenge"]
    ordering = ["-updated_at", "-id"]
    date_hierarchy = "updated_at"
    fields = [
        "membership",
        "direction",
        "kind",
        "target",
        "status",
        "http_status",
        "detail",
        "last_error",
        "attempts",
        "next_attempt_at",
        "invitation_sent_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields  # outcomes are the providers' answers: only a retry (below) changes a step
    actions = ["retry_steps"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("person"), ordering="membership__person__email")
    def person(self, obj):
        return obj.membership.person

    @admin.display(description=_("challenge"), ordering="membership__challenge__title")
    def challenge(self, obj):
        return obj.membership.challenge

    @admin.action(description=_("Retry the selected steps"))
    def retry_steps(self, request, queryset):
        retried = onboarding_steps_retry(steps=queryset, by=request.user)
        skipped = queryset.count() - retried
        if retried:
            self.message_user(
                request,
                ngettext("%(count)d step is back in the queue.", "%(count)d steps are back in the queue.", retried)
                % {"count": retried},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d step was not retried: it is done, cancelled or already queued.",
                    "%(count)d steps were not retried: they are done, cancelled or already queued.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


# Do-ocracy: scores are computed (read-only); excuses and removals are decided through the same services as the
# staff board, never by editing a status in place.


@admin.register(ScoringPolicy)
class ScoringPolicyAdmin(admin.ModelAdmin):
    list_display = ["challenge", "active_threshold", "pr_opened", "review", "message_cap", "remove_automatically"]
    list_select_related = ["challenge"]
    search_fields = ["challenge__title", "challenge__slug"]


@admin.register(WeeklyScore)
class WeeklyScoreAdmin(admin.ModelAdmin):
    list_display = ["membership", "week", "points", "threshold", "active", "excused", "computed_at"]
    list_filter = ["active", "excused", "membership__challenge", "week"]
    search_fields = ["membership__person__email", "membership__person__display_name", "week"]
    list_select_related = ["membership__person", "membership__challenge"]
    readonly_fields = ["membership", "week", "points", "breakdown", "threshold", "active", "excused", "computed_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Excuse)
class ExcuseAdmin(admin.ModelAdmin):
    list_display = ["membership", "first_week", "last_week", "reason", "status", "decided_by", "created_at"]
    list_filter = ["status", "membership__challenge"]
    search_fields = ["membership__person__email", "membership__person__display_name", "reason"]
    list_select_related = ["membership__person", "membership__challenge", "decided_by"]
    readonly_fields = ["membership", "first_week", "last_week", "reason", "status", "decided_by", "created_at"]
    actions = ["approve", "decline"]

    def has_add_permission(self, request):
        return False

    def _decide(self, request, queryset, *, approve: bool):
        decided = 0
        for excuse in queryset.filter(status=ExcuseStatus.PENDING):
            excuse_decide(excuse=excuse, by=request.user, approve=approve)
            decided += 1
        self.message_user(request, _("%(count)d excuse(s) decided.") % {"count": decided}, messages.SUCCESS)

    @admin.action(description=_("Approve the selected excuses"))
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Decline the selected excuses"))
    def decline(self, request, queryset):
        self._decide(request, queryset, approve=False)


@admin.register(InactivityWarning)
class InactivityWarningAdmin(admin.ModelAdmin):
    list_display = ["membership", "week", "removal_due_on", "status", "decided_by", "updated_at"]
    list_filter = ["status", "membership__challenge"]
    search_fields = ["membership__person__email", "membership__person__display_name", "week"]
    list_select_related = ["membership__person", "membership__challenge", "decided_by"]
    readonly_fields = ["membership", "week", "removal_due_on", "status", "decided_by", "note", "created_at"]
    actions = ["confirm_removal", "cancel"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Confirm the proposed removals"))
    def confirm_removal(self, request, queryset):
        confirmed = 0
        for warning in queryset.filter(status=WarningStatus.REMOVAL_PROPOSED).select_related("membership"):
            removal_confirm(warning=warning, by=request.user)
            confirmed += 1
        self.message_user(request, _("%(count)d member(s) removed.") % {"count": confirmed}, messages.SUCCESS)

    @admin.action(description=_("Cancel the selected warnings (the members stay)"))
    def cancel(self, request, queryset):
        cancelled = 0
        open_states = [WarningStatus.OPEN, WarningStatus.REMOVAL_PROPOSED]
        for warning in queryset.filter(status__in=open_states).select_related("membership"):
            removal_cancel(warning=warning, by=request.user, note=_("Cancelled in the admin."))
            cancelled += 1
        self.message_user(request, _("%(count)d warning(s) cancelled.") % {"count": cancelled}, messages.SUCCESS)


@admin.register(ActivitySource)
class ActivitySourceAdmin(admin.ModelAdmin):
    """Sync status per repository and channel, for staff; the syncs write the rows, "sync now" queues one."""

    list_display = [
        "identifier",
        "kind",
        "challenge",
        "status",
        "cursor",
        "last_success_at",
        "next_attempt_at",
        "last_run_events",
        "last_run_requests",
        "last_error",
    ]
    list_filter = ["status", "kind", "challenge"]
    search_fields = ["identifier", "challenge__title", "last_error"]
    list_select_related = ["challenge"]
    readonly_fields = [
        "status",
        "resume_state",
        "last_run_at",
        "last_success_at",
        "next_attempt_at",
        "last_error",
        "last_run_events",
        "last_run_requests",
    ]
    actions = ["sync_now"]

    @admin.action(description=_("Sync the selected sources now"))
    def sync_now(self, request, queryset):
        from .tasks import sources_queue

        count = sources_queue(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d source queued.", "%(count)d sources queued.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    """The event store, read-only: syncs write it; manual entries go through the do-ocracy board (audited)."""

    list_display = ["occurred_at", "kind", "person", "challenge", "source_key", "actor_login", "actor_slack_id"]
    list_filter = ["kind", "challenge"]
    search_fields = ["external_id", "source_key", "actor_login", "actor_slack_id", "person__email", "reason"]
    list_select_related = ["person", "challenge"]
    date_hierarchy = "occurred_at"
    raw_id_fields = ["person", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
