import pytest

from challenges.enums import ChallengeStatus
from tests.factories import ChallengeFactory, TagFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/challenges/"


@pytest.fixture
def challenges(client_organisation):
    nlp = TagFactory(name="NLP", slug="nlp")
    ChallengeFactory(title="Secret draft", slug="draft", status=ChallengeStatus.DRAFT)
    ChallengeFactory(title="Open NLP one", slug="open-nlp", tags=[nlp], organisation=client_organisation)
    ChallengeFactory(title="Running one", slug="running", status=ChallengeStatus.RUNNING)


def test_list_is_public_and_hides_drafts(api_client, challenges):
    response = api_client.get(LIST)

    assert response.status_code == 200
    slugs = [c["slug"] for c in response.json()["results"]]
    assert slugs == ["open-nlp", "running"]
    first = response.json()["results"][0]
    assert first["organisation"] == {"slug": "clean-water", "name": "Clean Water"}
    assert first["tags"] == ["nlp"] and first["accepts_applications"] is True


def test_staff_list_includes_drafts(api_client, staff, challenges):
    api_client.force_authenticate(staff)
    assert "draft" in [c["slug"] for c in api_client.get(LIST).json()["results"]]


def test_draft_detail_is_404_for_others(api_client, collaborator, challenges):
    api_client.force_authenticate(collaborator)
    assert api_client.get(f"{LIST}draft/").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=running", ["running"]),
        ("tag=nlp", ["open-nlp"]),
        ("q=nlp", ["open-nlp"]),
        ("organisation=clean-water", ["open-nlp"]),
    ],
)
def test_list_filters(api_client, challenges, query, expected):
    assert [c["slug"] for c in api_client.get(f"{LIST}?{query}").json()["results"]] == expected


def test_invalid_filter_is_400_with_the_field(api_client, challenges):
    response = api_client.get(f"{LIST}?status=nonsense")

    assert response.status_code == 400
    assert "status" in response.json()


def test_pagination(api_client, db):
    ChallengeFactory.create_batch(30)

    page = api_client.get(f"{LIST}?page_size=10&page=2").json()

    assert page["count"] == 30 and len(page["results"]) == 10
    assert page["next"] and page["previous"]


def test_staff_move_a_challenge(api_client, staff, challenges):
    api_client.force_authenticate(staff)

    response = api_client.post(f"{LIST}open-nlp/transition/", {"action": "start", "note": "go"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "running" and response.json()["week"]["number"] == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"action": "explode"}, "action"), ({}, "action"), ({"action": "complete"}, "status")],
)
def test_bad_transition_is_400_with_field_messages(api_client, staff, challenges, payload, field):
    api_client.force_authenticate(staff)

    response = api_client.post(f"{LIST}open-nlp/transition/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_non_staff_cannot_move(api_client, collaborator, challenges):
    api_client.force_authenticate(collaborator)
    assert api_client.post(f"{LIST}open-nlp/transition/", {"action": "cancel"}, format="json").status_code == 403
    assert api_client.get(f"{LIST}open-nlp/").json()["status"] == "open"


def test_organisations_count_public_challenges(api_client, challenges):
    organisation = next(
        o for o in api_client.get("/api/v1/organisations/").json()["results"] if o["slug"] == "clean-water"
    )
    assert organisation["public_challenges"] == 1


def test_list_query_count_is_constant(api_client, django_assert_max_num_queries, db):
    tag = TagFactory(name="x", slug="x")
    ChallengeFactory.create_batch(25, tags=[tag])
    with django_assert_max_num_queries(4):
        assert api_client.get(LIST).status_code == 200
