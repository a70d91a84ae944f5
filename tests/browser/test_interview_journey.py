"""Issue 5, "Must hold" 2, in a browser: staff offer interview times, the applicant picks one, the interviewer
fills the scorecard, staff accept, and the applicant sees her seat with its Slack and GitHub onboarding.

Two people, two browser contexts (one session each). The accept commits in the live server's thread, where
the eager Celery tasks run the onboarding against the fake Slack and GitHub servers of tests/fakes.
"""

import datetime as dt
import logging
import re
import zoneinfo

import icalendar
import pytest
from django.core import mail
from playwright.sync_api import expect

from activity.models import OnboardingKind, OnboardingStatus, OnboardingStep
from collaborators.enums import ApplicationStatus, InterviewStatus, MembershipStatus, Recommendation
from collaborators.models import Application, Interview, Membership
from tests.browser.steps import sign_in
from tests.factories import ApplicationFactory, ChallengeFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

CHANNEL = "C0FLOODS1"
REPOSITORY = "OmdenaAI/floods"
STAFF_ZONE = zoneinfo.ZoneInfo("Asia/Kolkata")  # no summer time: the typed times are unambiguous
APPLICANT_ZONE = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def _no_swallowed_errors(caplog):
    """Outbox and onboarding tasks run from robust on_commit callbacks, whose errors are only logged."""
    yield
    assert [record.getMessage() for record in caplog.get_records("call") if record.levelno >= logging.ERROR] == []


@pytest.fixture
def scene(fake_slack, fake_github):
    fake_slack.add_user("U0ADA", email="ada@example.org", name="ada")
    fake_slack.add_channel(CHANNEL)
    fake_github.add_user("ada-lovelace", id=1815)
    fake_github.add_repo(REPOSITORY)
    challenge = ChallengeFactory(
        title="Flood early warning",
        slug="floods",
        capacity=2,
        slack_channel_ids=[CHANNEL],
        github_repositories=[REPOSITORY],
        github_organisation="OmdenaAI",
    )
    ada = UserFactory(
        email="ada@example.org",
        display_name="Ada Lovelace",
        time_zone=APPLICANT_ZONE.key,
        github_username="ada-lovelace",
    )
    application = ApplicationFactory(
        person=ada,
        challenge=challenge,
        status=ApplicationStatus.SHORTLISTED,
        time_zone=APPLICANT_ZONE.key,
        github_username="ada-lovelace",
    )
    staff = StaffFactory(email="grace@example.org", display_name="Grace Hopper", time_zone=STAFF_ZONE.key)
    return {"challenge": challenge, "application": application, "ada": ada, "staff": staff}


def watch(page, live_server) -> list[str]:
    """Every request the page makes to a host other than the live server (there must be none)."""
    seen: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(live_server.url) else seen.append(request.url))
    return seen


def as_read_in(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """The pages' WHEN_FORMAT, "Tuesday 3 March 2026, 19:30", in the given zone."""
    local = moment.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M}"


def ics_attachments(message) -> list[bytes]:
    return [
        part.get_payload(decode=True)
        for part in message.message().walk()
        if part.get_content_type() == "text/calendar" and part.get_filename() == "invite.ics"
    ]


def test_interview_scorecard_accept_and_onboarding(
    browser, page, live_server, scene, fake_slack, fake_github, screenshot, outside_requests
):
    application = scene["application"]
    # Two times the day after tomorrow, as the interviewer's clock (India) shows them.
    day = (dt.datetime.now(STAFF_ZONE) + dt.timedelta(days=2)).date()
    first = dt.datetime.combine(day, dt.time(14, 0), tzinfo=STAFF_ZONE)
    second = dt.datetime.combine(day, dt.time(17, 30), tzinfo=STAFF_ZONE)

    # --- Staff offer two times, with a video link --------------------------------------------------------------
    staff = page
    sign_in(staff, live_server, "grace@example.org")
    staff.goto(f"{live_server.url}/staff/applications/{application.pk}/")
    panel = staff.locator("#interview")
    expect(panel.get_by_role("heading", name="Interview")).to_be_visible()
    offer = panel.locator("form[action$='/interview/offer/']")
    offer.get_by_label("Time 1").fill(f"{first:%Y-%m-%dT%H:%M}")
    offer.get_by_label("Time 2").fill(f"{second:%Y-%m-%dT%H:%M}")
    expect(offer.get_by_label("Interviewer")).to_have_value(str(scene["staff"].pk))  # the signed-in staff member
    offer.get_by_label("Video link").fill("https://meet.example.org/floods-ada")
    offer.get_by_role("button", name="Offer these times").click()
    expect(staff.get_by_text("2 times offered to Ada Lovelace; they get an email to pick one.")).to_be_visible()
    expect(panel.locator(".review-badges .badge")).to_have_text("Times offered")
    expect(panel.get_by_text(re.compile(r"waiting for the applicant to pick one"))).to_be_visible()
    screenshot("interview-staff-offered", staff)

    interview = Interview.objects.get(application=application)
    assert interview.status == InterviewStatus.OFFERED
    assert sorted(slot.starts_at for slot in interview.slots.all()) == [first, second]
    picks = [message.to for message in mail.outbox if message.subject.startswith("Pick a time for your interview")]
    assert picks == [["ada@example.org"]]

    # --- The applicant sees the times in her zone (Berlin) and picks the second one ------------------------------
    applicant = browser.new_context().new_page()
    applicant_outside = watch(applicant, live_server)
    sign_in(applicant, live_server, "ada@example.org")
    applicant.goto(f"{live_server.url}/me/")
    applicant.get_by_role("link", name="Flood early warning").click()
    expect(applicant).to_have_url(f"{live_server.url}/me/applications/{application.pk}/")
    ada_panel = applicant.locator("#interview")
    expect(ada_panel.get_by_role("heading", name="Your interview")).to_be_visible()
    expect(ada_panel.get_by_text("Europe/Berlin")).to_be_visible()
    picker = ada_panel.get_by_role("group", name="Pick a time")
    expect(picker.get_by_role("radio")).to_have_count(2)
    expect(picker.get_by_label(as_read_in(first, APPLICANT_ZONE))).to_be_visible()
    screenshot("interview-applicant-slot-picker", applicant)

    mail.outbox.clear()
    picker.get_by_label(as_read_in(second, APPLICANT_ZONE)).check()
    ada_panel.get_by_role("button", name="Confirm this time").click()
    expect(
        applicant.get_by_text(
            f"Your interview is on {as_read_in(second, APPLICANT_ZONE)} (Europe/Berlin). "
            "The calendar invite is in your email."
        )
    ).to_be_visible()
    expect(ada_panel.get_by_role("link", name="Add to calendar (.ics)")).to_be_visible()

    interview.refresh_from_db()
    assert (interview.status, interview.scheduled_at) == (InterviewStatus.SCHEDULED, second)
    # The invite went to both sides, each with the calendar file at the picked time (in UTC).
    invites = {message.to[0]: message for message in mail.outbox if ics_attachments(message)}
    assert set(invites) == {"ada@example.org", "grace@example.org"}
    assert invites["ada@example.org"].subject.startswith("Your interview is scheduled: Flood early warning")
    assert invites["grace@example.org"].subject.startswith("Interview with Ada Lovelace: Flood early warning")
    for message in invites.values():
        [ics] = ics_attachments(message)
        calendar = icalendar.Calendar.from_ical(ics)
        [event] = calendar.walk("VEVENT")
        assert calendar["method"] == "REQUEST"
        assert event.decoded("dtstart") == second

    # --- The interviewer fills the scorecard ----------------------------------------------------------------------
    staff.reload()
    expect(panel.locator(".review-badges .badge")).to_have_text("Scheduled")
    expect(panel.get_by_text(f"{second.astimezone(APPLICANT_ZONE):%a %-d %b, %H:%M} for the applicant")).to_be_visible()
    scorecard = panel.locator("form[action$='/scorecard/']")
    for criterion, score in {"Technical": "4 · strong", "Communication": "5 · excellent"}.items():
        scorecard.get_by_role("group", name=criterion).get_by_label(score).check()
    for criterion in ("Collaboration", "Commitment"):
        scorecard.get_by_role("group", name=criterion).get_by_label("4 · strong").check()
    scorecard.get_by_role("group", name="Recommendation").get_by_label("Accept").check()
    scorecard.get_by_label("Notes", exact=True).fill("Clear about flood data; has mentored before.")
    scorecard.get_by_role("button", name="Save scorecard: interview done").click()
    expect(staff.get_by_text("Scorecard saved: 17/20, recommends “Accept”.")).to_be_visible()

    application.refresh_from_db()
    assert application.status == ApplicationStatus.INTERVIEWED
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.COMPLETED
    assert interview.scorecard.recommendation == Recommendation.ACCEPT
    assert interview.scorecard.total == 17

    # --- Staff accept: the seat, and onboarding after the commit ---------------------------------------------------
    decide = staff.locator("form[action$='/review/']")
    decide.get_by_role("button", name="Accept", exact=True).click()
    expect(staff.get_by_text("Ada Lovelace is now “Accepted”; they get an email.")).to_be_visible()
    screenshot("interview-staff-accepted", staff)

    membership = Membership.objects.get(person=scene["ada"], challenge=scene["challenge"])
    assert membership.status == MembershipStatus.ACTIVE
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.ACCEPTED
    # The fakes saw the real clients' calls: Ada is in the channel, and GitHub holds her invitation.
    assert fake_slack.members(CHANNEL) == {"U0ADA"}
    assert fake_github.invitations(REPOSITORY) == {"ada-lovelace"}
    steps = {(step.kind, step.target): step for step in OnboardingStep.objects.filter(membership=membership)}
    assert steps[(OnboardingKind.SLACK_CHANNEL, CHANNEL)].status == OnboardingStatus.DONE
    github = steps[(OnboardingKind.GITHUB_REPOSITORY, REPOSITORY)]
    assert (github.status, github.http_status) == (OnboardingStatus.INVITATION_PENDING, 201)

    # --- The applicant sees her seat and how her access stands ------------------------------------------------------
    applicant.get_by_role("link", name="My challenges").click()
    card = applicant.locator(".membership-card").filter(has_text="Flood early warning")
    expect(card.get_by_text("Active", exact=True)).to_be_visible()
    access = card.get_by_role("region", name="Slack and GitHub access for Flood early warning")
    expect(access.get_by_role("listitem").filter(has_text=f"Slack channel {CHANNEL}")).to_contain_text("you are in")
    expect(access.get_by_role("listitem").filter(has_text=f"GitHub {REPOSITORY}")).to_contain_text(
        "invitation sent — accept it on GitHub"
    )
    expect(access.get_by_role("link", name="accept the invitation")).to_have_attribute(
        "href", f"https://github.com/{REPOSITORY}/invitations"
    )
    screenshot("interview-applicant-my-challenges", applicant)

    assert outside_requests == []
    assert applicant_outside == []
