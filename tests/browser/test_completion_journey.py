"""Journey 7 of DESIGN.md in a browser: staff complete a challenge, a collaborator downloads the certificate,
a visitor verifies it from its URL, and a friend applies with the new referral code and lands ahead in the queue."""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from challenges.enums import ChallengeStatus
from collaborators.services.applications import application_submit
from tests.browser.steps import apply, fill_profile, sign_in, sign_up
from tests.browser.test_referral_journey import ANSWERS
from tests.factories import ChallengeFactory, MembershipFactory, OrganisationFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(db):
    organisation = OrganisationFactory(name="Sun for All", slug="sun-for-all")
    today = timezone.localdate(timezone=dt.UTC)
    finished = ChallengeFactory(
        title="Mapping rooftop solar potential",
        slug="rooftop-solar",
        organisation=organisation,
        status=ChallengeStatus.RUNNING,
        start_date=today - dt.timedelta(weeks=8, days=1),
    )
    kofi = UserFactory(email="kofi@example.org", display_name="Kofi Mensah")
    MembershipFactory(person=kofi, challenge=finished)
    MembershipFactory(challenge=finished)
    following = ChallengeFactory(title="Forecasting floods", slug="floods", organisation=organisation)
    for _ in range(4):  # four people already wait without a referral
        application_submit(person=UserFactory(), challenge=following, data=ANSWERS)
    StaffFactory(email="staff@example.org")
    return {"finished": finished, "following": following}


def test_complete_download_verify_and_refer(browser, live_server, scene, screenshot, tmp_path):
    staff = browser.new_context().new_page()
    sign_in(staff, live_server, "staff@example.org")
    staff.goto(f"{live_server.url}/challenges/rooftop-solar/")
    staff.get_by_role("button", name="Complete the challenge").click()
    expect(staff.get_by_text("“Mapping rooftop solar potential” is now Completed.")).to_be_visible()

    kofi = browser.new_context().new_page()
    sign_in(kofi, live_server, "kofi@example.org")
    kofi.get_by_role("navigation", name="Main").get_by_role("link", name="My challenges").click()
    expect(kofi.get_by_text("Your certificate as collaborator is ready.")).to_be_visible()
    screenshot("my-challenges-certificate", kofi)
    with kofi.expect_download() as download_info:
        kofi.get_by_role("link", name="Download certificate (PDF)").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    text = PdfReader(io.BytesIO(saved.read_bytes())).pages[0].extract_text()
    assert "Kofi Mensah" in text and "Mapping rooftop solar potential" in text
    verification_url = kofi.get_by_role("link", name="Public verification page").get_attribute("href")
    code = kofi.locator(".certificate-block code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{14}", code)
    assert any("Your certificate for Mapping rooftop solar potential" in m.subject for m in mail.outbox)

    visitor = browser.new_context().new_page()
    visitor.goto(f"{live_server.url}{verification_url}")
    expect(visitor.get_by_role("status")).to_have_text(re.compile("Valid certificate"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Kofi Mensah")
    expect(visitor.get_by_text("Sun for All").first).to_be_visible()
    screenshot("certificate-verified", visitor)

    friend = browser.new_context().new_page()
    friend.goto(f"{live_server.url}/referrals/{code}/")
    expect(friend.get_by_role("heading", level=1)).to_have_text("Kofi Mensah invited you to Omdena Challenges")
    friend.get_by_role("link", name="Sign up to apply").click()
    sign_up(friend, "ama@example.org")
    fill_profile(friend, name="Ama Owusu", country="GH", level="intermediate", hours=15)
    friend.goto(f"{live_server.url}/challenges/floods/")
    friend.get_by_role("link", name="Apply now").click()
    expect(friend.get_by_label("Referral code (optional)")).to_have_value(code)
    apply(
        friend,
        motivation="Floods hit my town every year.",
        experience="Time series with pandas.",
        skills="Python, pandas",
        github_username="ama-o",
    )
    expect(friend.get_by_text("You are #1 in the queue for “Forecasting floods”.")).to_be_visible()
    screenshot("friend-applied-with-new-code", friend)

    kofi.reload()
    expect(kofi.get_by_text("4 uses left")).to_be_visible()
