from .core import Challenge, Organisation, Tag
from .tasks import Attendance, Meeting, Task, TaskMember, WeeklyReport

__all__ = ["Attendance", "Challenge", "Meeting", "Organisation", "Tag", "Task", "TaskMember", "WeeklyReport"]
