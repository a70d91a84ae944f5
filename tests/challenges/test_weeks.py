import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omdena.weeks import challenge_week, iso_week_label, iso_week_start

START = dt.date(2026, 10, 5)


@pytest.mark.parametrize(
    ("today", "number", "label"),
    [
        (dt.date(2026, 10, 4), 0, "before the start"),
        (dt.date(2026, 10, 5), 1, "first day"),
        (dt.date(2026, 10, 11), 1, "last day of week 1"),
        (dt.date(2026, 10, 12), 2, "first day of week 2"),
        (dt.date(2026, 11, 29), 8, "last day of week 8"),
        (dt.date(2026, 11, 30), 9, "after the end"),
        (dt.date(2027, 3, 1), 9, "long after the end"),
    ],
)
def test_challenge_week_at_the_boundaries(today, number, label):
    week = challenge_week(start_date=START, duration_weeks=8, today=today)
    assert week.number == number, label
    assert week.not_started == (number == 0)
    assert week.finished == (number == 9)


def test_no_start_date_means_no_week():
    assert challenge_week(start_date=None, duration_weeks=8, today=START) is None


@given(st.dates(min_value=dt.date(2000, 1, 3), max_value=dt.date(2100, 12, 27)))
def test_iso_week_label_round_trips_to_its_monday(day):
    monday = iso_week_start(iso_week_label(day))
    assert monday.weekday() == 0
    assert 0 <= (day - monday).days < 7
