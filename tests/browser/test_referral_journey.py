"""Journey 1 and 2 of DESIGN.md in a browser: a referred applicant applies, staff find and shortlist them."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from collaborators.enums import ApplicationStatus
from collaborators.models import Application
from collaborators.services.applications import application_submit
from referrals.services import referral_code_issue
from tests.browser.steps import apply, fill_profile, sign_in, sign_up
from tests.factories import ChallengeFactory, OrganisationFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ANSWERS = {
    "motivation": "m",
    "relevant_experience": "r",
    "skills": "Python",
    "experience_level": "beginner",
    "country": "IN",
    "time_zone": "UTC",
    "weekly_hours": 20,
    "commits_to_hours": True,
    "github_username": "someone",
}


@pytest.fixture
def scene(db):
    challenge = ChallengeFactory(
        title="Detecting poachers from camera traps",
        slug="poachers",
        organisation=OrganisationFactory(name="Wildlife Watch", slug="wildlife-watch"),
    )
    # Six people already wait in the queue without a referral.
    for _ in range(6):
        application_submit(person=UserFactory(country="IN"), challenge=challenge, data=ANSWERS)
    referrer = UserFactory(display_name="Rita Referrer")
    code = referral_code_issue(owner=referrer).code
    staff = StaffFactory(email="reviewer@example.org", display_name="Rev Iewer")
    return {"challenge": challenge, "code": code, "staff": staff}


def test_referred_applicant_applies_and_staff_shortlist_them(browser, live_server, scene, screenshot):
    """Two people in two browser pages of one browser; each page has its own session via its own context."""
    applicant = browser.new_context().new_page()
    applicant.goto(f"{live_server.url}/referrals/{scene['code'].lower()}/")
    expect(applicant.get_by_role("heading", level=1)).to_have_text("Rita Referrer invited you to Omdena Challenges")

    applicant.get_by_role("link", name="Sign up to apply").click()
    sign_up(applicant, "gita@example.org")
    fill_profile(applicant, name="Gita Applicant", country="NP", level="beginner", hours=20)

    applicant.goto(f"{live_server.url}/challenges/poachers/")
    applicant.get_by_role("link", name="Apply now").click()
    expect(applicant.get_by_label("Referral code (optional)")).to_have_value(scene["code"])
    apply(
        applicant,
        motivation="I grew up next to a national park.",
        experience="Image classification with PyTorch.",
        skills="Python, PyTorch",
        github_username="gita-codes",
    )
    expect(applicant.get_by_text("You are #1 in the queue for “Detecting poachers from camera traps”.")).to_be_visible()
    applicant.goto(f"{live_server.url}/me/")
    expect(applicant.get_by_text("#1 in the queue")).to_be_visible()
    screenshot("applicant-dashboard-queued", applicant)

    reviewer = browser.new_context().new_page()
    sign_in(reviewer, live_server, "reviewer@example.org")
    reviewer.get_by_role("navigation", name="Main").get_by_role("link", name="Review queue").click()
    reviewer.get_by_label("Challenge").select_option("poachers")
    reviewer.get_by_label("Referral", exact=True).select_option("true")
    reviewer.get_by_label("Country").select_option("NP")
    reviewer.get_by_role("button", name="Apply filters").click()
    expect(reviewer.get_by_role("link", name="Gita Applicant")).to_be_visible()
    expect(reviewer.locator("tbody tr")).to_have_count(1)
    screenshot("staff-queue-filtered", reviewer)

    reviewer.get_by_label("Select Gita Applicant").check()
    reviewer.get_by_label("With the ticked applications").select_option("shortlist")
    reviewer.get_by_role("button", name="Apply", exact=True).click()
    expect(reviewer.get_by_text(re.compile("1 application.* moved", re.I))).to_be_visible()

    application = Application.objects.get(person__email="gita@example.org")
    assert application.status == ApplicationStatus.SHORTLISTED
    assert application.referral_code.code == scene["code"]

    applicant.goto(f"{live_server.url}/me/")
    expect(applicant.get_by_text("Shortlisted").first).to_be_visible()
    assert any("You are shortlisted" in message.subject for message in mail.outbox)
