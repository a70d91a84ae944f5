from .chapters import Chapter, ChapterMember
from .core import Challenge, Organisation, Tag
from .tasks import Attendance, Meeting, Task, TaskMember, WeeklyReport

__all__ = [
    "Attendance",
    "Challenge",
    "Chapter",
    "ChapterMember",
    "Meeting",
    "Organisation",
    "Tag",
    "Task",
    "TaskMember",
    "WeeklyReport",
]
