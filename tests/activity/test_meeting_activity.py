"""Meeting attendance recorded by task leaders counts in the week's score."""

import datetime as dt

import pytest
import time_machine

from activity.doocracy import policy_run
from activity.models import WeeklyScore
from challenges.enums import ChallengeStatus, MeetingKind
from challenges.task_services import attendance_record, meeting_create
from tests.factories import ChallengeFactory, MembershipFactory

pytestmark = pytest.mark.django_db

START = dt.date(2026, 10, 5)  # Monday of ISO week 2026-W41 (the unscored first week)


@time_machine.travel(dt.datetime(2026, 10, 19, 7, 0, tzinfo=dt.UTC), tick=False)
def test_attended_meeting_gives_its_points_and_absence_gives_none(staff):
    challenge = ChallengeFactory(status=ChallengeStatus.RUNNING, start_date=START)
    came, missed = MembershipFactory(challenge=challenge), MembershipFactory(challenge=challenge)
    for membership in (came, missed):
        type(membership).objects.filter(pk=membership.pk).update(joined_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
    meeting = meeting_create(
        challenge=challenge,
        by=staff,
        week=2,
        kind=MeetingKind.ALL_HANDS,
        starts_at=dt.datetime(2026, 10, 14, 15, 0, tzinfo=dt.UTC),
    )
    attendance_record(meeting=meeting, by=staff, present=[came], absent=[missed])

    policy_run(challenge=challenge, week="2026-W42")
    policy_run(challenge=challenge, week="2026-W42")  # a re-run counts the meeting once

    scores = {s.membership_id: s for s in WeeklyScore.objects.filter(week="2026-W42")}
    assert scores[came.pk].breakdown["meeting"] == {"count": 1, "points": 5}
    assert scores[came.pk].points == 5
    assert scores[missed.pk].points == 0
