"""The staff admin for onboarding steps: read-only rows (the tasks write them), and a retry action."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import OnboardingStep
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
