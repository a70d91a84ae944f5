"""Weeks, computed in one place: ISO weeks in UTC for scoring, and a challenge's week N of M."""

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ChallengeWeek:
    """Where a challenge stands: before its start (number 0), week N of M, or after its end."""

    number: int
    total: int

    @property
    def not_started(self) -> bool:
        return self.number == 0

    @property
    def finished(self) -> bool:
        return self.number > self.total


def challenge_week(*, start_date: dt.date | None, duration_weeks: int, today: dt.date) -> ChallengeWeek | None:
    """Week 1 starts on the start date; day 7 after it is week 2. None without a start date."""
    if start_date is None:
        return None
    if today < start_date:
        return ChallengeWeek(number=0, total=duration_weeks)
    number = (today - start_date).days // 7 + 1
    return ChallengeWeek(number=min(number, duration_weeks + 1), total=duration_weeks)


def iso_week_label(day: dt.date) -> str:
    """'2026-W48': the ISO week a day belongs to (weeks start on Monday, in UTC)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def iso_week_start(label: str) -> dt.date:
    """The Monday that starts an ISO week given as 'YYYY-Www'."""
    year, week = label.split("-W")
    return dt.date.fromisocalendar(int(year), int(week), 1)
