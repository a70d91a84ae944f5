"""Task teams inside a challenge: tasks, their members and leaders, weekly reports, meetings and attendance."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..enums import MeetingKind, TaskRole, TaskStatus


class Task(models.Model):
    """A piece of the challenge's work that members propose and lead themselves (do-ocracy)."""

    challenge = models.ForeignKey("challenges.Challenge", on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=160)
    goal = models.TextField(_("goal"), max_length=2000)
    deliverables = models.TextField(_("deliverables"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="proposed_tasks"
    )
    github_url = models.URLField(_("GitHub repository or folder"), blank=True)
    slack_channel_id = models.CharField(_("Slack channel id"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["challenge", "title"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "title"], name="task_title_unique_in_challenge"),
        ]

    def __str__(self) -> str:
        return self.title


class TaskMember(models.Model):
    """A person in a task team; leaders are members with the leader role (a task may have several)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="task_members")
    membership = models.ForeignKey(
        "collaborators.Membership", on_delete=models.CASCADE, related_name="task_memberships"
    )
    role = models.CharField(_("role"), max_length=8, choices=TaskRole.choices, default=TaskRole.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task", "-role", "joined_at"]
        verbose_name = _("task member")
        verbose_name_plural = _("task members")
        constraints = [models.UniqueConstraint(fields=["task", "membership"], name="task_member_once")]

    def __str__(self) -> str:
        return f"{self.membership.person} in {self.task} ({self.role})"


class WeeklyReport(models.Model):
    """A task's report for one week of the challenge, filed by a leader for the client meeting."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    week = models.PositiveSmallIntegerField(_("week"), validators=[MinValueValidator(1)])
    summary = models.TextField(_("summary"), max_length=3000)
    progress = models.TextField(_("progress"), max_length=3000, blank=True)
    insights = models.TextField(_("insights"), max_length=3000, blank=True)
    blockers = models.TextField(_("blockers"), max_length=3000, blank=True)
    next_steps = models.TextField(_("next steps"), max_length=3000, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["task", "week"]
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")
        constraints = [
            models.UniqueConstraint(fields=["task", "week"], name="weekly_report_once_per_task_and_week"),
            models.CheckConstraint(condition=models.Q(week__gte=1), name="weekly_report_week_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.task} — week {self.week}"


class Meeting(models.Model):
    """A task call or an all-hands meeting in a week of the challenge."""

    challenge = models.ForeignKey("challenges.Challenge", on_delete=models.CASCADE, related_name="meetings")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=12, choices=MeetingKind.choices, default=MeetingKind.TASK_CALL)
    week = models.PositiveSmallIntegerField(_("week"), validators=[MinValueValidator(1)])
    starts_at = models.DateTimeField(_("starts at"))
    link = models.URLField(_("link"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["challenge", "week", "starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["challenge", "week"], name="meeting_challenge_week")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} week {self.week}"


class Attendance(models.Model):
    """One member at one meeting: the row the weekly activity score counts."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    membership = models.ForeignKey("collaborators.Membership", on_delete=models.CASCADE, related_name="attendances")
    attended = models.BooleanField(_("attended"), default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"], name="attendance_once_per_meeting")]

    def __str__(self) -> str:
        return f"{self.membership.person} at {self.meeting}: {'yes' if self.attended else 'no'}"
