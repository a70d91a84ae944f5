from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "display_name",
        "country",
        "experience_level",
        "github_username",
        "is_staff",
        "date_joined",
    ]
    list_filter = ["is_staff", "is_active", "experience_level", "country"]
    search_fields = ["email", "display_name", "github_username", "slack_user_id"]
    readonly_fields = ["date_joined", "last_login", "github_user_id", "slack_team_id"]
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
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
