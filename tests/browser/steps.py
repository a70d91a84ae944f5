"""Steps several browser journeys share: signing in, signing up with a verified email, the profile, applying."""

import re

from django.core import mail
from playwright.sync_api import expect

from tests.factories import PASSWORD

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def sign_in(page, live_server, email, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_up(page, email):
    """On the sign-up page: create the account, then confirm the address from the emailed link."""
    page.get_by_label("Email").first.fill(email)
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Verify Your Email Address", re.I))
    confirmation = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(confirmation)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()


def fill_profile(page, *, name, country, level, hours):
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Country").select_option(country)
    page.get_by_label("Experience level").select_option(level)
    page.get_by_label("Hours available per week").fill(str(hours))
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()


def apply(page, *, motivation, experience, skills, github_username):
    """On a challenge's application form: answer, commit to the hours, submit."""
    page.get_by_label("Why do you want to join this challenge?").fill(motivation)
    page.get_by_label("What relevant experience do you bring?").fill(experience)
    page.get_by_label("Skills").fill(skills)
    page.get_by_label("GitHub username").fill(github_username)
    page.get_by_label("I commit to at least 15 hours a week").check()
    page.get_by_role("button", name="Submit application").click()
