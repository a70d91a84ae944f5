"""The review queue's cohort mix previews what the ticked rows would add, before anything is applied."""

import pytest
from playwright.sync_api import expect

from collaborators.enums import ApplicationStatus, ExperienceLevel
from tests.browser.steps import sign_in
from tests.factories import ApplicationFactory, ChallengeFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(db):
    challenge = ChallengeFactory(title="Mapping floods", slug="floods", capacity=2)
    for level in (ExperienceLevel.EXPERIENCED, ExperienceLevel.INTERMEDIATE):  # already shortlisted: 50% / 50%
        ApplicationFactory(challenge=challenge, experience_level=level, status=ApplicationStatus.SHORTLISTED)
    for name in ("Bea Beginner", "Ben Beginner", "Bo Beginner"):
        person = UserFactory(display_name=name)
        ApplicationFactory(person=person, challenge=challenge, experience_level=ExperienceLevel.BEGINNER)
    StaffFactory(email="staff@example.org")


def test_ticking_rows_previews_the_levels_and_warns_about_seats(browser, live_server, scene, screenshot):
    page = browser.new_context().new_page()
    sign_in(page, live_server, "staff@example.org")
    page.goto(f"{live_server.url}/staff/applications/?challenge=floods&status=submitted")
    preview = page.locator("[data-mix-preview]")
    expect(preview).to_be_hidden()

    page.get_by_label("Select Bea Beginner").check()
    expect(preview).to_have_text(
        "With the 1 ticked: Experienced 33% · Intermediate 33% · Beginner 33%.", use_inner_text=True
    )
    page.get_by_label("Select Ben Beginner").check()
    page.get_by_label("Select Bo Beginner").check()
    expect(preview).to_contain_text("Beginner 60%")
    expect(preview).to_contain_text("Only 2 seats left: accepting stops at the capacity.")
    screenshot("staff-queue-mix-preview", page)

    for name in ("Bea Beginner", "Ben Beginner", "Bo Beginner"):
        page.get_by_label(f"Select {name}").uncheck()
    expect(preview).to_be_hidden()
