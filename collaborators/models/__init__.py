from .applications import MIN_WEEKLY_HOURS, Application, ReviewScore
from .certificates import Certificate
from .interviews import Interview, InterviewSlot, Scorecard
from .memberships import Membership
from .people import TIME_ZONE_CHOICES, User, UserManager

__all__ = [
    "MIN_WEEKLY_HOURS",
    "TIME_ZONE_CHOICES",
    "Application",
    "Certificate",
    "Interview",
    "InterviewSlot",
    "Membership",
    "ReviewScore",
    "Scorecard",
    "User",
    "UserManager",
]
