from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from audit.selectors import history_for
from omdena.errors import TransitionNotAllowed

from .models import Challenge, Organisation, Tag
from .services import CHALLENGE_ACTIONS


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
