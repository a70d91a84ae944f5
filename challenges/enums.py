from django.db import models
from django.utils.translation import gettext_lazy as _


class ChallengeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for applications")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# draft -> open -> running -> completed; cancelled from any state but completed.
CHALLENGE_MOVES: dict[str, set[str]] = {
    ChallengeStatus.DRAFT: {ChallengeStatus.OPEN, ChallengeStatus.CANCELLED},
    ChallengeStatus.OPEN: {ChallengeStatus.RUNNING, ChallengeStatus.CANCELLED},
    ChallengeStatus.RUNNING: {ChallengeStatus.COMPLETED, ChallengeStatus.CANCELLED},
    ChallengeStatus.COMPLETED: set(),
    ChallengeStatus.CANCELLED: set(),
}


class TaskStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")
    DECLINED = "declined", _("Declined")


# proposed -> active (approved) | declined; active -> done | dropped.
TASK_MOVES: dict[str, set[str]] = {
    TaskStatus.PROPOSED: {TaskStatus.ACTIVE, TaskStatus.DECLINED},
    TaskStatus.ACTIVE: {TaskStatus.DONE, TaskStatus.DROPPED},
    TaskStatus.DONE: set(),
    TaskStatus.DROPPED: set(),
    TaskStatus.DECLINED: set(),
}


class TaskRole(models.TextChoices):
    LEADER = "leader", _("Task leader")
    MEMBER = "member", _("Member")


class MeetingKind(models.TextChoices):
    TASK_CALL = "task_call", _("Task call")
    ALL_HANDS = "all_hands", _("All-hands")
    CLIENT = "client", _("Client meeting")


class ChapterRole(models.TextChoices):
    MEMBER = "member", _("Member")
    LEAD = "lead", _("Lead")
