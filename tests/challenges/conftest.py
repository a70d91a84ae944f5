"""Shared set-up of the task-team tests: a running challenge seen in its third week (opt in with
`pytest.mark.usefixtures("in_week_3")`)."""

import datetime as dt

import pytest
import time_machine

from challenges.enums import ChallengeStatus
from tests.factories import ChallengeFactory

START = dt.date(2026, 10, 5)  # a Monday: week 1 is 5 to 11 October, week 3 is 19 to 25 October
WEEK_3_MONDAY = dt.datetime(2026, 10, 19, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def in_week_3():
    with time_machine.travel(WEEK_3_MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def challenge(client_organisation):
    return ChallengeFactory(
        title="Flood early warning",
        slug="floods",
        status=ChallengeStatus.RUNNING,
        start_date=START,
        organisation=client_organisation,
    )
