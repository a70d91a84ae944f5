"""Shared set-up: for the task-team tests a running challenge seen in its third week (opt in with
`pytest.mark.usefixtures("in_week_3")`); for the chapter tests a chapter with a lead, a member and
another chapter's lead."""

import datetime as dt

import pytest
import time_machine

from challenges.enums import ChallengeStatus, ChapterRole
from tests.factories import ChallengeFactory, ChapterFactory, ChapterMemberFactory, UserFactory

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


@pytest.fixture
def chapter():
    return ChapterFactory(
        name="Nairobi Chapter",
        slug="nairobi",
        city="Nairobi",
        country="KE",
        slack_channel="#chapter-nairobi",
        description="Water and climate projects in Kenya.",
    )


@pytest.fixture
def lead(chapter):
    person = UserFactory(display_name="Lea Lead", email="lea@example.org", country="KE")
    return ChapterMemberFactory(chapter=chapter, person=person, role=ChapterRole.LEAD).person


@pytest.fixture
def member(chapter):
    person = UserFactory(display_name="Mo Member", email="mo@example.org", country="UG")
    return ChapterMemberFactory(chapter=chapter, person=person).person


@pytest.fixture
def other_lead():
    """The lead of another chapter: a lead, but not of `chapter`."""
    lagos = ChapterFactory(name="Lagos Chapter", slug="lagos", city="Lagos", country="NG")
    person = UserFactory(display_name="Olu Otherlead", email="olu@example.org", country="NG")
    return ChapterMemberFactory(chapter=lagos, person=person, role=ChapterRole.LEAD).person
