"""Journeys 3, 4 and 5 of DESIGN.md: a member proposes a task, staff approve it, the member leads it,
files the week's report and the call's attendance, and the client sees it on the progress dashboard."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from challenges.enums import ChallengeStatus, TaskStatus
from challenges.models import Attendance, Task, WeeklyReport
from tests.browser.steps import sign_in
from tests.factories import (
    ChallengeFactory,
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(db):
    organisation = OrganisationFactory(name="Clean Water Initiative", slug="clean-water")
    client = UserFactory(email="chris@cleanwater.example", display_name="Chris Client")
    organisation.users.add(client)
    challenge = ChallengeFactory(
        title="Flood early warning",
        slug="floods",
        organisation=organisation,
        status=ChallengeStatus.RUNNING,
        start_date=timezone.now().date() - dt.timedelta(days=15),  # week 3 of 8
    )
    lee = UserFactory(email="lee@example.org", display_name="Lee Leader", country="IN")
    MembershipFactory(person=lee, challenge=challenge)
    ama = UserFactory(email="ama@example.org", display_name="Ama Member", country="GH")
    MembershipFactory(person=ama, challenge=challenge)
    StaffFactory(email="sam@example.org", display_name="Sam Staff")
    return challenge


def test_member_proposes_leads_reports_and_the_client_sees_it(browser, live_server, scene, screenshot):
    lee = browser.new_context().new_page()
    sign_in(lee, live_server, "lee@example.org")
    lee.goto(f"{live_server.url}/challenges/floods/tasks/")
    lee.get_by_label("Title").fill("River gauge data pipeline")
    lee.get_by_label("Goal").fill("Collect ten years of river gauge readings and clean them.")
    lee.get_by_role("button", name="Propose the task").click()
    expect(lee.get_by_text("River gauge data pipeline").first).to_be_visible()

    staff = browser.new_context().new_page()
    sign_in(staff, live_server, "sam@example.org")
    staff.goto(f"{live_server.url}/challenges/floods/tasks/")
    staff.get_by_role("button", name="Approve").click()
    task = Task.objects.get(title="River gauge data pipeline")
    assert task.status == TaskStatus.ACTIVE

    lee.goto(f"{live_server.url}/challenges/floods/tasks/{task.pk}/")
    expect(lee.get_by_role("heading", name="Leaders")).to_be_visible()
    lee.get_by_role("link", name="Report on week 3").click()
    lee.get_by_label("Summary").fill("Gauge data for 2015-2025 collected from three stations.")
    lee.get_by_label("Blockers").fill("One station's API is down.")
    lee.get_by_role("button", name="File the report").click()
    assert WeeklyReport.objects.filter(task=task, week=3).exists()

    lee.goto(f"{live_server.url}/challenges/floods/tasks/{task.pk}/meetings/")
    call = timezone.localtime(timezone.now() - dt.timedelta(hours=2), dt.UTC)
    lee.get_by_label("Date and time").fill(call.strftime("%Y-%m-%dT%H:%M"))
    lee.get_by_role("button", name="Plan the call").click()
    lee.get_by_role("link", name="Record attendance").click()
    lee.get_by_label("Lee Leader").check()
    lee.get_by_role("button", name="Save attendance").click()
    assert Attendance.objects.filter(
        meeting__task=task, attended=True, membership__person__email="lee@example.org"
    ).exists()

    client = browser.new_context().new_page()
    sign_in(client, live_server, "chris@cleanwater.example")
    client.goto(f"{live_server.url}/challenges/floods/progress/")
    expect(client.get_by_text("Week 3 of 8").first).to_be_visible()
    expect(client.get_by_text("Gauge data for 2015-2025 collected from three stations.")).to_be_visible()
    expect(client.locator("svg").first).to_be_visible()
    html = client.content()
    assert "lee@example.org" not in html and "ama@example.org" not in html
    screenshot("client-progress-dashboard", client)
