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
