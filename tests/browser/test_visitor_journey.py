"""A visitor finds a challenge and signs up, in a real browser."""

import pytest
from playwright.sync_api import expect

from challenges.enums import ChallengeStatus
from collaborators.models import User
from tests.browser.steps import fill_profile, sign_up
from tests.factories import ChallengeFactory, OrganisationFactory, TagFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalogue(db):
    vision = TagFactory(name="computer vision", slug="computer-vision")
    wildlife = OrganisationFactory(name="Wildlife Watch", slug="wildlife-watch")
    ChallengeFactory(
        title="Detecting poachers from camera traps",
        slug="poachers",
        organisation=wildlife,
        tags=[vision],
        summary="Spot poachers in camera-trap images before they reach the herd.",
        problem_statement="Rangers receive thousands of images a night.",
    )
    ChallengeFactory(title="Predicting water pump failures", slug="water-pumps")
    ChallengeFactory(title="Flood early warning", slug="floods", status=ChallengeStatus.RUNNING)
    ChallengeFactory(title="Secret draft", slug="secret", status=ChallengeStatus.DRAFT)


def test_visitor_filters_opens_a_challenge_and_signs_up(page, live_server, catalogue, screenshot, outside_requests):
    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Solve real problems")
    expect(page.get_by_text("Secret draft")).to_have_count(0)

    page.get_by_role("link", name="Challenges", exact=True).click()
    page.get_by_label("Status", exact=True).select_option("open")
    page.get_by_label("Tag", exact=True).select_option("computer-vision")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 challenge", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Predicting water pump failures")).to_have_count(0)
    screenshot("visitor-catalogue-filtered")

    page.get_by_role("link", name="Detecting poachers from camera traps").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Detecting poachers from camera traps")
    expect(page.get_by_text("This challenge is accepting applications.")).to_be_visible()
    screenshot("visitor-challenge-detail")

    page.get_by_role("link", name="Sign up").click()
    sign_up(page, "new.person@example.org")
    fill_profile(page, name="New Person", country="GH", level="beginner", hours=20)
    screenshot("visitor-signed-up-profile")

    person = User.objects.get(email="new.person@example.org")
    assert (person.display_name, person.country.code, person.weekly_hours) == ("New Person", "GH", 20)
    assert outside_requests == []
