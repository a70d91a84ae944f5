"""The client progress dashboard: who sees it, what it shows, its exports, and its query count."""

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from challenges.dashboard_selectors import client_progress
from challenges.enums import ChallengeStatus, MeetingKind, TaskRole, TaskStatus
from challenges.models import Attendance, Meeting, Task, TaskMember, WeeklyReport
from collaborators.enums import ExperienceLevel
from tests.factories import ChallengeFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

START = dt.date(2026, 10, 5)  # a Monday; week 4 is 26 Oct to 1 Nov
IN_WEEK_4 = dt.datetime(2026, 10, 28, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _week_four():
    with time_machine.travel(IN_WEEK_4, tick=False):
        yield


@pytest.fixture
def challenge(client_organisation):
    return ChallengeFactory(
        title="Flood early warning",
        slug="floods",
        organisation=client_organisation,
        status=ChallengeStatus.RUNNING,
        start_date=START,
    )


@pytest.fixture
def other_challenge():
    """A running challenge of another organisation, with its own client user."""
    organisation = OrganisationFactory(name="Dry Lands", slug="dry-lands")
    organisation.users.add(UserFactory(email="dana@drylands.example", display_name="Dana Other"))
    return ChallengeFactory(
        title="Drought maps",
        slug="drought",
        organisation=organisation,
        status=ChallengeStatus.RUNNING,
        start_date=START,
    )


def seat(challenge, name, *, country="KE", level=ExperienceLevel.INTERMEDIATE):
    email = f"{name.lower().replace(' ', '.')}@members.example"
    person = UserFactory(email=email, display_name=name, country=country, experience_level=level)
    return MembershipFactory(person=person, challenge=challenge)


def task_with_team(challenge, title, *, leaders=(), members=(), status=TaskStatus.ACTIVE):
    task = Task.objects.create(challenge=challenge, title=title, goal="Do the work.", status=status)
    for membership in leaders:
        TaskMember.objects.create(task=task, membership=membership, role=TaskRole.LEADER)
    for membership in members:
        TaskMember.objects.create(task=task, membership=membership, role=TaskRole.MEMBER)
    return task


def report(task, week, **fields):
    values = {
        "summary": f"Summary of week {week}",
        "progress": f"Progress of week {week}",
        "insights": f"Insights of week {week}",
        "blockers": f"Blockers of week {week}",
        "next_steps": f"Next steps after week {week}",
    }
    return WeeklyReport.objects.create(task=task, week=week, **(values | fields))


def attend(challenge, week, present=(), absent=(), task=None):
    meeting = Meeting.objects.create(
        challenge=challenge,
        task=task,
        kind=MeetingKind.TASK_CALL,
        week=week,
        starts_at=timezone.make_aware(dt.datetime.combine(START + dt.timedelta(weeks=week - 1), dt.time(15))),
    )
    for membership in present:
        Attendance.objects.create(meeting=meeting, membership=membership, attended=True)
    for membership in absent:
        Attendance.objects.create(meeting=meeting, membership=membership, attended=False)
    return meeting


@pytest.fixture
def team(challenge):
    """Two tasks: 'Data pipeline' led by Ada with reports for weeks 3 and 1; 'Model' with no report."""
    ada, ben, chen = (
        seat(challenge, "Ada Lovelace"),
        seat(challenge, "Ben Okoye", country="NG"),
        seat(challenge, "Chen Wei", country="CN", level=ExperienceLevel.EXPERIENCED),
    )
    pipeline = task_with_team(challenge, "Data pipeline", leaders=[ada], members=[ben])
    model = task_with_team(challenge, "Model", leaders=[chen], members=[ada])
    report(pipeline, 3)
    report(pipeline, 1)
    return {"ada": ada, "ben": ben, "chen": chen, "pipeline": pipeline, "model": model}


def urls(slug):
    return [
        reverse("client_progress", args=[slug]),
        reverse("client_progress_markdown", args=[slug]),
        reverse("client_progress_csv", args=[slug]),
    ]


# --- Who sees it ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url_index", [0, 1, 2])
def test_a_client_sees_their_own_organisations_dashboard_and_not_another(
    client, client_user, challenge, other_challenge, url_index
):
    client.force_login(client_user)
    assert client.get(urls(challenge.slug)[url_index]).status_code == 200
    assert client.get(urls(other_challenge.slug)[url_index]).status_code == 404


@pytest.mark.parametrize("url_index", [0, 1, 2])
def test_a_collaborator_of_the_challenge_gets_404_and_staff_200(client, challenge, staff, url_index):
    member = seat(challenge, "Member Person")
    client.force_login(member.person)
    assert client.get(urls(challenge.slug)[url_index]).status_code == 404
    client.force_login(staff)
    assert client.get(urls(challenge.slug)[url_index]).status_code == 200


@pytest.mark.parametrize("url_index", [0, 1, 2])
def test_anonymous_visitors_are_sent_to_sign_in(client, challenge, url_index):
    response = client.get(urls(challenge.slug)[url_index])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_unknown_challenge_is_404(client, client_user):
    client.force_login(client_user)
    assert client.get(reverse("client_progress", args=["nope"])).status_code == 404


def test_the_client_finds_their_running_and_completed_challenges_on_their_dashboard(
    client, client_user, client_organisation, challenge, other_challenge
):
    ChallengeFactory(title="Finished pumps", slug="pumps", organisation=client_organisation, status="completed")
    ChallengeFactory(title="Still recruiting", slug="recruiting", organisation=client_organisation)
    client.force_login(client_user)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Your organisation&#x27;s challenges" in page or "Your organisation's challenges" in page
    assert reverse("client_progress", args=["floods"]) in page
    assert reverse("client_progress", args=["pumps"]) in page
    assert reverse("client_progress", args=["recruiting"]) not in page
    assert reverse("client_progress", args=["drought"]) not in page


def test_the_challenge_page_links_to_progress_only_for_those_who_may_see_it(client, client_user, challenge, staff):
    link = reverse("client_progress", args=[challenge.slug])
    assert link not in client.get(challenge.get_absolute_url()).content.decode()
    client.force_login(seat(challenge, "Member Person").person)
    assert link not in client.get(challenge.get_absolute_url()).content.decode()
    client.force_login(client_user)
    assert link in client.get(challenge.get_absolute_url()).content.decode()
    client.force_login(staff)
    assert link in client.get(challenge.get_absolute_url()).content.decode()


# --- What it shows -------------------------------------------------------------------------------------


def week_status(page: str) -> str:
    return re.search(r'<p class="week-status" id="week-status">(.*?)</p>', page).group(1)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.datetime(2026, 10, 4, 23, 59, tzinfo=dt.UTC), "Starts on 5 Oct 2026"),
        (dt.datetime(2026, 10, 5, 0, 1, tzinfo=dt.UTC), "Week 1 of 8"),
        (dt.datetime(2026, 10, 11, 23, 59, tzinfo=dt.UTC), "Week 1 of 8"),
        (dt.datetime(2026, 11, 23, 0, 1, tzinfo=dt.UTC), "Week 8 of 8"),
        (dt.datetime(2026, 11, 29, 23, 59, tzinfo=dt.UTC), "Week 8 of 8"),
        (dt.datetime(2026, 11, 30, 0, 1, tzinfo=dt.UTC), "Completed"),
    ],
)
def test_the_week_number_at_the_boundaries(client, client_user, challenge, today, expected):
    with time_machine.travel(today, tick=False):
        client.force_login(client_user)
        page = client.get(reverse("client_progress", args=[challenge.slug])).content.decode()
    assert week_status(page) == expected


def test_before_the_start_there_are_no_weeks_to_chart(client, client_user, challenge):
    with time_machine.travel(dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC), tick=False):
        client.force_login(client_user)
        page = client.get(reverse("client_progress", args=[challenge.slug])).content.decode()
    assert "Weekly charts appear once week 1 has begun." in page
    assert "<svg" not in page


def test_after_the_end_all_eight_weeks_are_shown(challenge, team):
    with time_machine.travel(dt.datetime(2027, 1, 10, tzinfo=dt.UTC), tick=False):
        progress = client_progress(challenge=challenge)
    assert progress.week_label == "Completed"
    assert [row.week for row in progress.activity] == list(range(1, 9))
    assert [entry.week for entry in progress.tasks[0].timeline] == list(range(1, 9))


def test_the_timeline_shows_reports_in_week_order_with_gaps(client, client_user, challenge, team):
    client.force_login(client_user)
    page = client.get(reverse("client_progress", args=[challenge.slug])).content.decode()

    pipeline = page[page.index("Data pipeline</h3>") : page.index("Model</h3>")]
    positions = [pipeline.index(f"Week {n}</h4>") for n in (1, 2, 3, 4)]
    assert positions == sorted(positions)
    week_1, week_2, week_3, week_4 = (
        pipeline[a:b] for a, b in zip(positions, [*positions[1:], len(pipeline)], strict=True)
    )
    assert "Summary of week 1" in week_1 and "Next steps after week 1" in week_1
    assert "No report" in week_2
    assert "Blockers of week 3" in week_3
    assert "No report" in week_4
    model = page[page.index("Model</h3>") : page.index('id="team-heading"')]
    assert model.count("No report") == 4


def test_proposed_and_declined_tasks_stay_off_the_dashboard(client, client_user, challenge, team):
    task_with_team(challenge, "Half-baked idea", status=TaskStatus.PROPOSED)
    task_with_team(challenge, "Rejected idea", status=TaskStatus.DECLINED)
    client.force_login(client_user)
    page = client.get(reverse("client_progress", args=[challenge.slug])).content.decode()
    assert "Half-baked idea" not in page and "Rejected idea" not in page


def test_team_composition_counts_and_names(client, client_user, challenge, team):
    progress = client_progress(challenge=challenge)
    assert progress.team_size == 3
    assert [(t.label, t.count) for t in progress.countries] == [("China", 1), ("Kenya", 1), ("Nigeria", 1)]
    assert {(t.label, t.count) for t in progress.experience_levels} == {("Intermediate", 2), ("Experienced", 1)}
    pipeline = progress.tasks[0]
    assert pipeline.leader_names == ["Ada Lovelace"]
    assert [m.name for m in pipeline.members] == ["Ada Lovelace", "Ben Okoye"]

    client.force_login(client_user)
    page = client.get(reverse("client_progress", args=[challenge.slug])).content.decode()
    team_part = page[page.index('id="team-heading"') :]
    assert "Ben Okoye" in team_part and "Nigeria" in team_part and "Experienced" in team_part


def test_emails_never_appear_on_the_page_or_in_exports(client, client_user, challenge, team, staff):
    emails = [team[name].person.email for name in ("ada", "ben", "chen")]
    nameless = seat(challenge, "x")  # no display name: the page falls back to the part before the @
    nameless.person.display_name = ""
    nameless.person.save()
    TaskMember.objects.create(task=team["model"], membership=nameless)
    emails.append(nameless.person.email)
    for viewer in (client_user, staff):
        client.force_login(viewer)
        for url in urls(challenge.slug):
            content = client.get(url).content.decode()
            for email in emails:
                assert email not in content, (url, email)
            assert "@members.example" not in content


def test_attendance_chart_counts_the_attended_rows_per_week(client, client_user, challenge, other_challenge, team):
    ada, ben, chen = team["ada"], team["ben"], team["chen"]
    attend(challenge, 1, present=[ada, ben], absent=[chen], task=team["pipeline"])
    attend(challenge, 2, present=[ada], task=team["pipeline"])
    attend(challenge, 2, present=[chen, ada], absent=[ben], task=team["model"])
    attend(other_challenge, 1, present=[seat(other_challenge, "Other Person")])

    progress = client_progress(challenge=challenge)
    assert [row.attendance for row in progress.activity] == [2, 3, 0, 0]
    assert Attendance.objects.filter(meeting__challenge=challenge, attended=True, meeting__week=2).count() == 3

    client.force_login(client_user)
    page = client.get(reverse("client_progress", args=[challenge.slug])).content.decode()
    assert '<desc id="chart-attendance-desc">Week 1: 2; Week 2: 3; Week 3: 0; Week 4: 0</desc>' in page
    rows = re.findall(r"<tr>\s*<th scope=\"row\">Week (\d)</th>(.*?)</tr>", page, re.S)
    attendance = [re.findall(r'<td class="num">(\d+)', cells)[-1] for _week, cells in rows]
    assert attendance == ["2", "3", "0", "0"]


def test_github_and_slack_activity_is_zero_and_clearly_marked_as_not_connected(client, client_user, challenge, team):
    client.force_login(client_user)
    page = client.get(reverse("client_progress", args=[challenge.slug])).content.decode()
    assert "GitHub and Slack activity is measured from the activity sync (not yet connected)" in page
    for key in ("pull-requests", "messages", "active-collaborators"):
        assert f'<desc id="chart-{key}-desc">Not measured yet (activity sync not connected). Week 1: 0;' in page


def test_the_page_is_server_rendered_svg_with_a_data_table(client, client_user, challenge, team):
    client.force_login(client_user)
    page = client.get(reverse("client_progress", args=[challenge.slug])).content.decode()
    main = page[page.index('<main id="main"') : page.index("</main>")]
    assert main.count('<svg class="chart-svg"') == 4
    assert 'role="img" aria-labelledby="chart-attendance-title chart-attendance-desc"' in main
    assert '<title id="chart-attendance-title">Meeting attendance per week</title>' in main
    assert '<table class="activity-table">' in main and "<caption>Weekly activity in numbers</caption>" in main
    assert "<script" not in main


def test_the_print_view_is_the_same_page_with_a_print_class(client, client_user, challenge, team):
    client.force_login(client_user)
    page = client.get(reverse("client_progress", args=[challenge.slug]) + "?print=1").content.decode()
    assert 'class="container client-dashboard print-view"' in page
    assert "Ctrl+P" in page
    assert "Summary of week 3" in page and '<svg class="chart-svg"' in page


# --- Exports -------------------------------------------------------------------------------------------


def test_markdown_export(client, client_user, challenge, team):
    client.force_login(client_user)
    response = client.get(reverse("client_progress_markdown", args=[challenge.slug]))
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="floods-progress.md"'
    text = response.content.decode()
    assert text.startswith("# Flood early warning: progress report\n")
    assert "- Organisation: Clean Water\n" in text
    assert "- Status: Week 4 of 8\n" in text
    pipeline = text[text.index("## Data pipeline (Active)") : text.index("## Model (Active)")]
    assert "Leaders: Ada Lovelace" in pipeline
    week_1 = pipeline[pipeline.index("### Week 1") : pipeline.index("### Week 2")]
    for field, value in [
        ("Summary", "Summary of week 1"),
        ("Progress", "Progress of week 1"),
        ("Insights", "Insights of week 1"),
        ("Blockers", "Blockers of week 1"),
        ("Next steps", "Next steps after week 1"),
    ]:
        assert f"**{field}**\n\n{value}\n" in week_1
    assert "_No report_" in pipeline[pipeline.index("### Week 2") : pipeline.index("### Week 3")]
    assert pipeline.index("### Week 1") < pipeline.index("### Week 3") < pipeline.index("### Week 4")
    assert "&lt;" not in text and "&#x27;" not in text


def test_markdown_export_is_not_html_escaped(client, client_user, challenge, team):
    report(team["model"], 2, summary="Precision > 0.9 & recall < 0.8 for 'flood' days")
    client.force_login(client_user)
    text = client.get(reverse("client_progress_markdown", args=[challenge.slug])).content.decode()
    assert "Precision > 0.9 & recall < 0.8 for 'flood' days" in text


def test_csv_export_has_one_row_per_report_and_neutralises_formulas(client, client_user, challenge, team):
    with time_machine.travel(dt.datetime(2026, 10, 20, 9, 30, tzinfo=dt.UTC), tick=False):
        report(
            team["model"],
            2,
            summary='=HYPERLINK("http://evil.example","click")',
            progress="+1 model trained",
            insights="-2 points of recall",
            blockers="@SUM(A1:A2)",
            next_steps="Plain text",
        )
    client.force_login(client_user)
    response = client.get(reverse("client_progress_csv", args=[challenge.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="floods-progress.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Task",
        "Week",
        "Leaders",
        "Summary",
        "Progress",
        "Insights",
        "Blockers",
        "Next steps",
        "Submitted at (UTC)",
    ]
    assert len(rows) == 1 + WeeklyReport.objects.filter(task__challenge=challenge).count() == 4
    assert [(row[0], row[1]) for row in rows[1:]] == [("Data pipeline", "1"), ("Data pipeline", "3"), ("Model", "2")]
    assert rows[1][2:8] == [
        "Ada Lovelace",
        "Summary of week 1",
        "Progress of week 1",
        "Insights of week 1",
        "Blockers of week 1",
        "Next steps after week 1",
    ]
    assert rows[1][8] == "2026-10-28T12:00:00Z"
    model = rows[3]
    assert model[2] == "Chen Wei"
    assert model[3] == '\'=HYPERLINK("http://evil.example","click")'
    assert model[4:8] == ["'+1 model trained", "'-2 points of recall", "'@SUM(A1:A2)", "Plain text"]
    assert model[8] == "2026-10-20T09:30:00Z"


# --- Queries -------------------------------------------------------------------------------------------

DASHBOARD_QUERY_LIMIT = 11


def test_the_dashboard_query_count_does_not_grow_with_the_data(
    client, client_user, challenge, django_assert_max_num_queries
):
    first = seat(challenge, "Only One")
    small_task = task_with_team(challenge, "Small", leaders=[first])
    report(small_task, 1)
    attend(challenge, 1, present=[first])
    client.force_login(client_user)
    url = reverse("client_progress", args=[challenge.slug])
    with django_assert_max_num_queries(DASHBOARD_QUERY_LIMIT):
        assert client.get(url).status_code == 200

    with time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC), tick=False):
        client.force_login(client_user)
        countries = ["KE", "NG", "IN", "BR", "DE", "US"]
        for number in range(6):
            seats = [seat(challenge, f"Person {number}-{n}", country=countries[n]) for n in range(5)]
            task = task_with_team(challenge, f"Task {number}", leaders=seats[:2], members=seats[2:])
            for week in range(1, 9):
                report(task, week)
                attend(challenge, week, present=seats[:3], absent=seats[3:], task=task)
        with django_assert_max_num_queries(DASHBOARD_QUERY_LIMIT):
            page = client.get(url).content.decode()
    assert page.count("Summary of week 8") == 6


@pytest.mark.parametrize("name", ["client_progress_markdown", "client_progress_csv"])
def test_exports_query_count_does_not_grow_with_the_data(
    client, client_user, challenge, team, django_assert_max_num_queries, name
):
    for number in range(5):
        seats = [seat(challenge, f"Person {number}-{n}") for n in range(3)]
        task = task_with_team(challenge, f"Task {number}", leaders=seats[:1], members=seats[1:])
        for week in range(1, 5):
            report(task, week)
    client.force_login(client_user)
    with django_assert_max_num_queries(DASHBOARD_QUERY_LIMIT):
        assert client.get(reverse(name, args=[challenge.slug])).status_code == 200


def test_after_a_sync_the_github_and_slack_charts_show_the_measured_weeks(client, client_user, challenge, team):
    from activity.models import ActivityEvent, ActivitySource, EventKind, SourceKind

    ActivitySource.objects.create(
        challenge=challenge, kind=SourceKind.GITHUB_REPOSITORY, identifier="OmdenaAI/floods", last_success_at=IN_WEEK_4
    )
    week_1 = dt.datetime.combine(START, dt.time(12), tzinfo=dt.UTC)
    ada, ben = team["ada"].person, team["ben"].person
    events = [
        (ada, EventKind.PR_OPENED, week_1),
        (ada, EventKind.MESSAGE, week_1),
        (ben, EventKind.REPLY, week_1 + dt.timedelta(days=1)),
        (ben, EventKind.PR_OPENED, week_1 + dt.timedelta(days=8)),  # week 2
        (None, EventKind.MESSAGE, week_1),  # nobody we know: not counted
    ]
    for n, (person, kind, when) in enumerate(events):
        ActivityEvent.objects.create(
            challenge=challenge, source_key="test", external_id=str(n), person=person, kind=kind, occurred_at=when
        )
    client.force_login(client_user)

    page = client.get(reverse("client_progress", args=[challenge.slug])).content.decode()

    assert "not yet connected" not in page
    assert '<desc id="chart-pull-requests-desc">Week 1: 1; Week 2: 1; Week 3: 0; Week 4: 0</desc>' in page
    assert '<desc id="chart-messages-desc">Week 1: 2; Week 2: 0; Week 3: 0; Week 4: 0</desc>' in page
    assert '<desc id="chart-active-collaborators-desc">Week 1: 2; Week 2: 1; Week 3: 0; Week 4: 0</desc>' in page
    api = client.get(f"/api/v1/progress/{challenge.slug}/").json()
    assert [(w["pull_requests"], w["messages"], w["active_collaborators"]) for w in api["weeks"]][:2] == [
        (1, 2, 2),
        (1, 0, 1),
    ]
