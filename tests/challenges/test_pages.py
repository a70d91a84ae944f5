import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from challenges.enums import ChallengeStatus
from tests.factories import ChallengeFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(client_organisation):
    """One challenge in every state, with tags to filter on."""
    vision, nlp = TagFactory(name="computer vision", slug="computer-vision"), TagFactory(name="NLP", slug="nlp")
    return {
        "draft": ChallengeFactory(title="Secret draft plan", slug="secret-draft", status=ChallengeStatus.DRAFT),
        "open": ChallengeFactory(
            title="Poacher detection", slug="poachers", tags=[vision], organisation=client_organisation
        ),
        "running": ChallengeFactory(
            title="Flood early warning", slug="floods", status=ChallengeStatus.RUNNING, start_date=dt.date(2026, 10, 5)
        ),
        "completed": ChallengeFactory(
            title="Maternal chatbot", slug="chatbot", status=ChallengeStatus.COMPLETED, tags=[nlp]
        ),
        "cancelled": ChallengeFactory(title="Cancelled idea", slug="cancelled", status=ChallengeStatus.CANCELLED),
    }


@pytest.fixture(params=["visitor", "collaborator", "client", "staff"])
def viewer(request, client, collaborator, client_user, staff):
    """The same page seen by each role."""
    user = {"visitor": None, "collaborator": collaborator, "client": client_user, "staff": staff}[request.param]
    if user is not None:
        client.force_login(user)
    return request.param


def test_home_lists_open_challenges_first_with_counts(client, catalogue, viewer):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Poacher detection" in html
    assert html.index("Poacher detection") < html.index("Flood early warning")
    assert response.context["counts"]["open"] == 1
    assert "Secret draft plan" not in html


def test_catalogue_hides_drafts_from_everyone_but_staff(client, catalogue, viewer):
    response = client.get(reverse("challenge_list"))

    titles = [c.title for c in response.context["page"].object_list]
    assert ("Secret draft plan" in titles) == (viewer == "staff")
    assert {"Poacher detection", "Flood early warning", "Maternal chatbot", "Cancelled idea"} <= set(titles)


def test_draft_detail_is_404_except_for_staff(client, catalogue, viewer):
    response = client.get(reverse("challenge_detail", args=["secret-draft"]))

    assert response.status_code == (200 if viewer == "staff" else 404)
    if viewer != "staff":
        assert "We could not find that page" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "open"}, ["Poacher detection"]),
        ({"tag": "nlp"}, ["Maternal chatbot"]),
        ({"q": "flood"}, ["Flood early warning"]),
        ({"organisation": "clean-water"}, ["Poacher detection"]),
        ({"status": "running", "q": "poacher"}, []),
    ],
)
def test_catalogue_filters(client, catalogue, query, expected):
    response = client.get(reverse("challenge_list"), query)

    assert [c.title for c in response.context["page"].object_list] == expected
    if not expected:
        assert "No challenge matches these filters." in response.content.decode()


def test_catalogue_paginates_twelve_a_page(client, db):
    ChallengeFactory.create_batch(14)

    first = client.get(reverse("challenge_list"))
    second = client.get(reverse("challenge_list"), {"page": 2})

    assert len(first.context["page"].object_list) == 12
    assert len(second.context["page"].object_list) == 2
    assert "Page 2 of 2" in second.content.decode()


def test_unknown_filter_value_is_not_an_error(client, catalogue):
    response = client.get(reverse("challenge_list"), {"status": "bogus", "tag": "no-such-tag"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@time_machine.travel(dt.datetime(2026, 11, 4, 12, 0, tzinfo=dt.UTC), tick=False)
def test_running_challenge_shows_week_n_of_8(client, catalogue):
    response = client.get(reverse("challenge_detail", args=["floods"]))

    assert "Week 5 of 8" in response.content.decode()


def test_deadline_is_shown_in_the_viewers_time_zone(client, collaborator, client_organisation):
    ChallengeFactory(slug="tz", application_deadline=dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC))
    collaborator.time_zone = "Asia/Kolkata"
    collaborator.save()

    anonymous_html = client.get(reverse("challenge_detail", args=["tz"])).content.decode()
    client.force_login(collaborator)
    kolkata_html = client.get(reverse("challenge_detail", args=["tz"])).content.decode()

    assert "1 Dec 2026, 23:30" in anonymous_html
    assert "2 Dec 2026, 05:00" in kolkata_html
    assert "Times shown in Asia/Kolkata" in kolkata_html


def test_staff_see_lifecycle_actions_and_history_others_do_not(client, catalogue, viewer):
    html = client.get(reverse("challenge_detail", args=["poachers"])).content.decode()

    assert ("Start the challenge" in html) == (viewer == "staff")
    assert ("History" in html) == (viewer == "staff")


def test_staff_start_a_challenge_from_its_page(client, staff, catalogue):
    client.force_login(staff)

    response = client.post(
        reverse("challenge_transition", args=["poachers", "start"]), {"note": "cohort full"}, follow=True
    )

    catalogue["open"].refresh_from_db()
    assert catalogue["open"].status == ChallengeStatus.RUNNING
    html = response.content.decode()
    assert "“Poacher detection” is now Running." in html
    assert "open → running" in html and "cohort full" in html


def test_refused_move_from_the_page_is_a_message_not_an_error(client, staff, catalogue):
    client.force_login(staff)

    response = client.post(reverse("challenge_transition", args=["chatbot", "start"]), follow=True)

    assert response.status_code == 200
    assert "Cannot move challenge from “completed” to “running”." in response.content.decode()


@pytest.mark.parametrize("who", ["collaborator", "client_user"])
def test_non_staff_cannot_move_a_challenge(client, catalogue, who, request):
    client.force_login(request.getfixturevalue(who))

    response = client.post(reverse("challenge_transition", args=["poachers", "cancel"]))

    assert response.status_code == 403
    catalogue["open"].refresh_from_db()
    assert catalogue["open"].status == ChallengeStatus.OPEN


def test_anonymous_move_redirects_to_login(client, catalogue):
    response = client.post(reverse("challenge_transition", args=["poachers", "cancel"]))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_transition_needs_post(client, staff, catalogue):
    client.force_login(staff)
    assert client.get(reverse("challenge_transition", args=["poachers", "start"])).status_code == 405


def test_organisation_page_lists_its_public_challenges(client, catalogue, client_organisation):
    html = client.get(reverse("organisation_detail", args=["clean-water"])).content.decode()

    assert "Poacher detection" in html
    assert "Flood early warning" not in html


def test_catalogue_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries, db):
    tag = TagFactory(name="climate", slug="climate")
    ChallengeFactory.create_batch(12, tags=[tag])
    with django_assert_max_num_queries(6):
        client.get(reverse("challenge_list"))


def test_htmx_filter_request_gets_only_the_results(client, catalogue):
    response = client.get(reverse("challenge_list"), {"status": "open"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "Poacher detection" in html
    assert "<html" not in html and 'class="filter-bar"' not in html
