"""The chapters API: public reads with search, join and leave, members for leads and staff, staff's writes."""

import pytest

from challenges.enums import ChapterRole
from challenges.models import Chapter, ChapterMember
from tests.factories import ChapterFactory, ChapterMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/chapters/"


def _url(slug: str, action: str = "") -> str:
    return f"{LIST}{slug}/{action + '/' if action else ''}"


# --- reading --------------------------------------------------------------------------------------------------


def test_anyone_lists_chapters_with_counts_and_lead_names_never_emails(api_client, chapter, lead, member):
    response = api_client.get(LIST)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    row = response.json()["results"][0]
    assert row["slug"] == "nairobi" and row["country"] == "KE" and row["country_name"] == "Kenya"
    assert row["member_count"] == 2 and row["leads"] == ["Lea Lead"]
    assert "@" not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "lagos"}, ["lagos"]),
        ({"q": "Kenya"}, ["nairobi"]),
        ({"country": "ng"}, ["lagos"]),
        ({"country": "KE", "q": "chapter"}, ["nairobi"]),
        ({"country": "FR"}, []),
    ],
)
def test_search_and_country_filter(api_client, chapter, other_lead, params, expected):
    response = api_client.get(LIST, params)

    assert [row["slug"] for row in response.json()["results"]] == expected


def test_an_unknown_country_is_a_400_with_a_field_message(api_client, chapter):
    response = api_client.get(LIST, {"country": "XX"})

    assert response.status_code == 400
    assert "country" in response.json()


def test_closed_chapters_are_listed_for_staff_only(api_client, chapter, staff):
    ChapterFactory(slug="old", is_active=False)

    assert [row["slug"] for row in api_client.get(LIST).json()["results"]] == ["nairobi"]
    api_client.force_authenticate(staff)
    assert {row["slug"] for row in api_client.get(LIST).json()["results"]} == {"nairobi", "old"}


def test_retrieve_by_slug(api_client, chapter, lead):
    response = api_client.get(_url("nairobi"))

    assert response.status_code == 200
    assert response.json()["name"] == "Nairobi Chapter" and response.json()["leads"] == ["Lea Lead"]
    assert api_client.get(_url("atlantis")).status_code == 404


def test_the_list_query_count_does_not_grow_with_chapters(api_client, django_assert_max_num_queries):
    for chapter in ChapterFactory.create_batch(3):
        ChapterMemberFactory(chapter=chapter, role=ChapterRole.LEAD)
    with django_assert_max_num_queries(5) as few:
        api_client.get(LIST)
    for chapter in ChapterFactory.create_batch(20):
        ChapterMemberFactory(chapter=chapter, role=ChapterRole.LEAD)
        ChapterMemberFactory(chapter=chapter)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api_client.get(LIST)
    assert len(response.json()["results"]) == 23


# --- joining and leaving ----------------------------------------------------------------------------------------


def test_visitors_cannot_join(api_client, chapter):
    assert api_client.post(_url("nairobi", "join")).status_code in (401, 403)
    assert not ChapterMember.objects.exists()


def test_join_is_idempotent_and_leave_too(api_client, chapter, collaborator):
    api_client.force_authenticate(collaborator)

    first = api_client.post(_url("nairobi", "join"))
    again = api_client.post(_url("nairobi", "join"))

    assert first.status_code == again.status_code == 200
    assert again.json()["member_count"] == 1
    assert api_client.post(_url("nairobi", "leave")).json()["member_count"] == 0
    assert api_client.post(_url("nairobi", "leave")).status_code == 200


def test_a_closed_chapter_answers_400(api_client, chapter, collaborator):
    chapter.is_active = False
    chapter.save()
    api_client.force_authenticate(collaborator)

    response = api_client.post(_url("nairobi", "join"))

    assert response.status_code == 400
    assert "closed" in response.json()["non_field_errors"][0]


def test_the_last_lead_cannot_leave_while_members_remain(api_client, chapter, lead, member):
    api_client.force_authenticate(lead)

    response = api_client.post(_url("nairobi", "leave"))

    assert response.status_code == 400
    assert "Ask staff to name another lead" in response.json()["non_field_errors"][0]
    assert ChapterMember.objects.filter(person=lead).exists()


# --- members: leads and staff only -------------------------------------------------------------------------------


def test_a_lead_and_staff_see_the_members_leads_first(api_client, chapter, lead, member, staff):
    for viewer in (lead, staff):
        api_client.force_authenticate(viewer)
        response = api_client.get(_url("nairobi", "members"))

        assert response.status_code == 200
        assert response.json()["count"] == 2
        rows = response.json()["results"]
        assert [(r["name"], r["country"], r["role"]) for r in rows] == [
            ("Lea Lead", "KE", ChapterRole.LEAD),
            ("Mo Member", "UG", ChapterRole.MEMBER),
        ]
        assert "@" not in response.content.decode()


def test_members_other_leads_and_visitors_get_no_member_list(api_client, chapter, lead, member, other_lead):
    for outsider in (member, other_lead, UserFactory()):
        api_client.force_authenticate(outsider)
        assert api_client.get(_url("nairobi", "members")).status_code == 403
    api_client.force_authenticate(None)
    assert api_client.get(_url("nairobi", "members")).status_code in (401, 403)


# --- staff writes ---------------------------------------------------------------------------------------------------


def test_staff_open_a_chapter_and_others_may_not(api_client, staff, collaborator):
    payload = {"name": "Accra Chapter", "city": "Accra", "country": "GH", "slack_channel": "#chapter-accra"}
    api_client.force_authenticate(collaborator)
    assert api_client.post(LIST, payload, format="json").status_code == 403

    api_client.force_authenticate(staff)
    response = api_client.post(LIST, payload, format="json")

    assert response.status_code == 201
    assert response.json()["slug"] == "accra-chapter" and response.json()["country_name"] == "Ghana"
    assert Chapter.objects.filter(slug="accra-chapter", is_active=True).exists()


def test_bad_chapter_input_is_400_with_field_messages(api_client, staff, chapter):
    api_client.force_authenticate(staff)

    missing = api_client.post(LIST, {"city": "Nowhere", "country": "XX"}, format="json")
    duplicate_name = api_client.post(LIST, {"name": "Nairobi Chapter", "country": "KE"}, format="json")
    duplicate_slug = api_client.post(LIST, {"name": "Nairobi Two", "slug": "nairobi", "country": "KE"}, format="json")

    assert missing.status_code == 400 and {"name", "country"} <= set(missing.json())
    assert duplicate_name.status_code == 400 and "name" in duplicate_name.json()
    assert duplicate_slug.status_code == 400 and "slug" in duplicate_slug.json()


def test_staff_close_a_chapter_with_a_patch(api_client, staff, chapter, collaborator):
    api_client.force_authenticate(collaborator)
    assert api_client.patch(_url("nairobi"), {"is_active": False}, format="json").status_code == 403

    api_client.force_authenticate(staff)
    response = api_client.patch(_url("nairobi"), {"is_active": False, "city": "Nairobi CBD"}, format="json")

    assert response.status_code == 200
    assert response.json()["is_active"] is False and response.json()["city"] == "Nairobi CBD"


def test_staff_name_and_step_down_leads(api_client, staff, chapter, lead, member):
    api_client.force_authenticate(lead)
    assert api_client.post(_url("nairobi", "leads"), {"person": member.pk, "is_lead": True}).status_code == 403

    api_client.force_authenticate(staff)
    refused = api_client.post(_url("nairobi", "leads"), {"person": lead.pk, "is_lead": False})
    named = api_client.post(_url("nairobi", "leads"), {"person": member.pk, "is_lead": True})

    assert refused.status_code == 400 and "only lead" in refused.json()["person"][0]
    assert named.status_code == 200 and sorted(named.json()["leads"]) == ["Lea Lead", "Mo Member"]
    assert api_client.post(_url("nairobi", "leads"), {"person": 999999, "is_lead": True}).status_code == 400
