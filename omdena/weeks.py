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


def iso_week_bounds(label: str) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants [start, end) of an ISO week: Monday 00:00 up to the next Monday 00:00."""
    start = dt.datetime.combine(iso_week_start(label), dt.time.min, tzinfo=dt.UTC)
    return start, start + dt.timedelta(weeks=1)


def iso_week_shift(label: str, weeks: int) -> str:
    """The ISO week `weeks` after (or before, when negative) the given one."""
    return iso_week_label(iso_week_start(label) + dt.timedelta(weeks=weeks))


def iso_weeks_between(first: str, last: str) -> list[str]:
    """Every ISO week from `first` to `last`, both included (empty when `last` comes first)."""
    weeks = []
    monday, end = iso_week_start(first), iso_week_start(last)
    while monday <= end:
        weeks.append(iso_week_label(monday))
        monday += dt.timedelta(weeks=1)
    return weeks


def last_finished_week(now: dt.datetime) -> str:
    """The most recent ISO week that has ended at `now` (the week before the one `now` is in, in UTC)."""
    return iso_week_label(now.astimezone(dt.UTC).date() - dt.timedelta(weeks=1))


def is_iso_week_label(label: str) -> bool:
    """True for an existing week written 'YYYY-Www' (e.g. 2026-W53 exists, 2025-W53 does not)."""
    try:
        year, week = label.split("-W")
        if len(year) != 4 or len(week) != 2:
            return False
        dt.date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        return False
    return True
