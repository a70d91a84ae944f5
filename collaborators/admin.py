"""The staff admin for people, applications and memberships: every state change goes through the services."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries.filters import CountryFilter

from audit.selectors import history_line
from referrals.services import referral_code_issue

from .models import Application, Interview, InterviewSlot, Membership, ReviewScore, Scorecard, User
from .models.interviews import SCORE_FIELDS
from .services.applications import REVIEW_ACTIONS, applications_bulk_review
from .services.tiers import tiers_grant_suggested
from .tiers import with_tier_history


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "display_name",
        "country",
        "experience_level",
        "tier",
        "github_username",
        "is_staff",
        "date_joined",
    ]
    list_filter = ["is_staff", "is_active", "experience_level", "tier", "country"]
    search_fields = ["email", "display_name", "github_username", "slack_user_id"]
    # The tier moves only through tier_grant (staff decision, audited): the action below or /staff/tiers/.
    readonly_fields = ["date_joined", "last_login", "github_user_id", "slack_team_id", "tier", "tier_granted_at"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Profile"),
            {
                "fields": [
                    "display_name",
                    "country",
                    "time_zone",
                    "experience_level",
                    "weekly_hours",
                    "skills",
                    "profile_url",
                ]
            },
        ),
        (_("Identities"), {"fields": ["github_username", "github_user_id", "slack_user_id", "slack_team_id"]}),
        (_("Community"), {"fields": ["tier", "tier_granted_at", "profile_public", "public_handle"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    actions = ["issue_referral_code", "grant_suggested_tier"]

    @admin.action(description=_("Issue a referral code"))
    def issue_referral_code(self, request, queryset):
        codes = [referral_code_issue(owner=person, by=request.user) for person in queryset]
        self.message_user(
            request,
            ngettext(
                "Issued %(count)d referral code: %(codes)s.", "Issued %(count)d referral codes: %(codes)s.", len(codes)
            )
            % {"count": len(codes), "codes": ", ".join(f"{code.code} ({code.owner})" for code in codes)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Grant the suggested tier"))
    def grant_suggested_tier(self, request, queryset):
        """Each selected person gets the tier their history suggests; people with no suggestion are left as they are."""
        result = tiers_grant_suggested(
            people=with_tier_history(queryset.order_by()), by=request.user, note="admin action"
        )
        self.message_user(
            request,
            _(
                "Granted the suggested tier to %(granted)d; %(unchanged)d already had it; "
                "%(skipped)d have none suggested."
            )
            % {"granted": result.granted, "unchanged": result.unchanged, "skipped": result.skipped},
            messages.SUCCESS,
        )


class ReviewScoreInline(admin.TabularInline):
    """Reviewers score from the staff queue page (one score each); the admin shows them."""

    model = ReviewScore
    fields = ["reviewer", "score", "note", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reviewer")


def _review_action(name: str):
    @admin.action(description=_("%(action)s selected applications") % {"action": name.capitalize()})
    def action(modeladmin, request, queryset):
        result = applications_bulk_review(
            applications=queryset.select_related("person", "challenge"),
            action=name,
            by=request.user,
            note="admin action",
        )
        for application, reason in result.refused:
            modeladmin.message_user(request, f"{application}: {reason}", messages.WARNING)
        if result.done:
            modeladmin.message_user(
                request,
                ngettext("%(count)d application moved.", "%(count)d applications moved.", len(result.done))
                % {"count": len(result.done)},
                messages.SUCCESS,
            )

    action.__name__ = f"application_{name}"
    return action


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["person", "challenge", "status", "is_referral", "experience_level", "country", "submitted_at"]
    list_filter = ["status", "challenge", "experience_level", "priority", ("country", CountryFilter)]
    search_fields = ["person__email", "person__display_name", "github_username"]
    list_select_related = ["person", "challenge"]
    ordering = ["priority", "submitted_at", "id"]  # the queue order
    # Status and queue place move only through the services (allowed moves, audit trail, emails).
    readonly_fields = [
        "person",
        "challenge",
        "status",
        "priority",
        "referral_code",
        "submitted_at",
        "reviewed_at",
        "decided_at",
        "updated_at",
        "history",
    ]
    fieldsets = [
        (None, {"fields": ["person", "challenge", "status", "priority", "referral_code"]}),
        (
            _("Answers"),
            {
                "fields": [
                    "motivation",
                    "relevant_experience",
                    "skills",
                    "experience_level",
                    "country",
                    "time_zone",
                    "weekly_hours",
                    "commits_to_hours",
                    "github_username",
                ]
            },
        ),
        (_("Dates"), {"fields": ["submitted_at", "reviewed_at", "decided_at", "updated_at"]}),
        (_("History"), {"fields": ["history"]}),
    ]
    inlines = [ReviewScoreInline]
    actions = [_review_action(name) for name in REVIEW_ACTIONS]

    def has_add_permission(self, request):
        # Applications come in through application_submit (referral use, audit entry, email), never by hand.
        return False

    @admin.display(description=_("Referral"), boolean=True, ordering="priority")
    def is_referral(self, obj):
        return obj.is_referral

    @admin.display(description=_("History"))
    def history(self, obj):
        return history_line(subject=obj)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Read-mostly: seats are given by accepting an application and taken by the do-ocracy services."""

    list_display = ["person", "challenge", "role", "status", "joined_at", "left_at", "removal_reason"]
    list_filter = ["status", "role", "challenge", "removal_reason"]
    search_fields = ["person__email", "person__display_name", "challenge__title"]
    list_select_related = ["person", "challenge"]
    fields = ["person", "challenge", "application", "role", "status", "joined_at", "left_at", "removal_reason"]
    readonly_fields = ["person", "challenge", "application", "status", "joined_at", "left_at", "removal_reason"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Interviews ----------------------------------------------------------------------------------------------


class InterviewSlotInline(admin.TabularInline):
    model = InterviewSlot
    fields = ["starts_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ScorecardInline(admin.StackedInline):
    model = Scorecard
    fields = [*SCORE_FIELDS, "recommendation", "notes", "author", "created_at", "updated_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    """Read-mostly: times, answers and scorecards go through the interview services (invites, audit, emails)."""

    list_display = ["applicant", "challenge", "status", "scheduled_at", "interviewer", "reminder_sent_at"]
    list_filter = ["status", ("interviewer", admin.RelatedOnlyFieldListFilter), "application__challenge"]
    search_fields = ["application__person__email", "application__person__display_name", "interviewer__email"]
    list_select_related = ["application__person", "application__challenge", "interviewer"]
    date_hierarchy = "scheduled_at"
    ordering = ["-created_at"]
    fields = [
        "application",
        "interviewer",
        "status",
        "scheduled_at",
        "duration_minutes",
        "video_link",
        "applicant_message",
        "uid",
        "sequence",
        "reminder_sent_at",
        "created_at",
        "updated_at",
        "history",
    ]
    readonly_fields = fields
    inlines = [InterviewSlotInline, ScorecardInline]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("Applicant"), ordering="application__person__email")
    def applicant(self, obj):
        return obj.application.person

    @admin.display(description=_("Challenge"), ordering="application__challenge__title")
    def challenge(self, obj):
        return obj.application.challenge

    @admin.display(description=_("History"))
    def history(self, obj):
        return history_line(subject=obj)


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ["interview", *SCORE_FIELDS, "recommendation", "author", "created_at"]
    list_filter = ["recommendation", ("author", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["interview__application__person__email", "interview__application__person__display_name"]
    list_select_related = ["interview__application__person", "author"]
    fields = ["interview", *SCORE_FIELDS, "recommendation", "notes", "author", "created_at", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # a scorecard is recorded on the staff review page (it completes the interview)


from . import admin_certificates  # noqa: E402, F401  (registers the certificate admin)
