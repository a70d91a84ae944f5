"""Chapters: the services' rules, the pages (who sees what, search, Join / Leave), the admin and the demo seed."""

import datetime as dt
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from challenges.chapter_selectors import chapters_of
from challenges.chapter_services import chapter_join, chapter_leave, chapter_set_lead, chapter_update
from challenges.demo_chapters import CHAPTERS, seed_chapters
from challenges.enums import ChapterRole
from challenges.models import Chapter, ChapterMember
from tests.factories import ChapterFactory, ChapterMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _verbs(chapter) -> list[str]:
    content_type = ContentType.objects.get_for_model(Chapter)
    entries = AuditEntry.objects.filter(content_type=content_type, object_id=str(chapter.pk)).order_by("id")
    return list(entries.values_list("verb", flat=True))


# --- services --------------------------------------------------------------------------------------------


def test_joining_twice_leaves_one_membership_and_one_audit_entry(chapter, collaborator):
    first = chapter_join(chapter=chapter, person=collaborator, by=collaborator)
    again = chapter_join(chapter=chapter, person=collaborator, by=collaborator)

    assert first.pk == again.pk
    assert first.role == ChapterRole.MEMBER
    assert ChapterMember.objects.filter(chapter=chapter, person=collaborator).count() == 1
    assert _verbs(chapter) == ["chapter.join"]


def test_a_closed_chapter_refuses_new_members(chapter, collaborator):
    chapter.is_active = False
    chapter.save()

    with pytest.raises(ValidationError, match="closed"):
        chapter_join(chapter=chapter, person=collaborator, by=collaborator)
    assert not ChapterMember.objects.filter(chapter=chapter).exists()


def test_leaving_twice_is_harmless(chapter, member):
    chapter_leave(chapter=chapter, person=member, by=member)
    chapter_leave(chapter=chapter, person=member, by=member)

    assert not ChapterMember.objects.filter(person=member).exists()
    assert _verbs(chapter) == ["chapter.leave"]


def test_the_last_lead_cannot_leave_while_members_remain(chapter, lead, member):
    with pytest.raises(ValidationError, match="Ask staff to name another lead"):
        chapter_leave(chapter=chapter, person=lead, by=lead)

    assert ChapterMember.objects.filter(chapter=chapter, person=lead, role=ChapterRole.LEAD).exists()


def test_a_lead_may_leave_when_another_lead_remains_or_nobody_else_is_left(chapter, lead, member, staff):
    chapter_set_lead(chapter=chapter, person=member, by=staff, is_lead=True)
    chapter_leave(chapter=chapter, person=lead, by=lead)
    chapter_leave(chapter=chapter, person=member, by=member)  # the last lead of an otherwise empty chapter

    assert not ChapterMember.objects.filter(chapter=chapter).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_leads_leaving_at_once_leave_one_lead_behind():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    chapter = ChapterFactory()
    leads = [ChapterMemberFactory(chapter=chapter, role=ChapterRole.LEAD).person for _ in range(2)]
    ChapterMemberFactory(chapter=chapter)
    barrier = threading.Barrier(len(leads))
    outcomes = []

    def leave(person):
        try:
            barrier.wait()
            chapter_leave(chapter=chapter, person=person, by=person)
            outcomes.append("left")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=leave, args=(person,)) for person in leads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["left", "refused"]
    assert ChapterMember.objects.filter(chapter=chapter, role=ChapterRole.LEAD).count() == 1


def test_only_staff_name_leads_and_a_new_lead_joins(chapter, lead, member, staff, collaborator):
    with pytest.raises(PermissionDenied):
        chapter_set_lead(chapter=chapter, person=member, by=lead, is_lead=True)

    named = chapter_set_lead(chapter=chapter, person=collaborator, by=staff, is_lead=True)

    assert named.role == ChapterRole.LEAD
    assert _verbs(chapter)[-2:] == ["chapter.join", "chapter.lead"]
    # Naming again changes nothing.
    chapter_set_lead(chapter=chapter, person=collaborator, by=staff, is_lead=True)
    assert len(_verbs(chapter)) == 2


def test_the_last_lead_cannot_step_down_while_members_remain(chapter, lead, member, staff):
    with pytest.raises(ValidationError, match="only lead"):
        chapter_set_lead(chapter=chapter, person=lead, by=staff, is_lead=False)

    chapter_set_lead(chapter=chapter, person=member, by=staff, is_lead=True)
    chapter_set_lead(chapter=chapter, person=lead, by=staff, is_lead=False)

    roles = dict(ChapterMember.objects.filter(chapter=chapter).values_list("person__email", "role"))
    assert roles == {"lea@example.org": ChapterRole.MEMBER, "mo@example.org": ChapterRole.LEAD}


def test_closing_a_chapter_is_audited_and_keeps_its_members(chapter, member, staff):
    chapter_update(chapter=chapter, by=staff, data={"is_active": False})

    assert _verbs(chapter) == ["chapter.close"]
    assert ChapterMember.objects.filter(chapter=chapter, person=member).exists()


def test_chapters_of_a_person_carry_their_role(chapter, lead, other_lead):
    chapter_join(chapter=Chapter.objects.get(slug="lagos"), person=lead, by=lead)

    rows = [(c.slug, c.member_role) for c in chapters_of(person=lead)]

    assert rows == [("lagos", ChapterRole.MEMBER), ("nairobi", ChapterRole.LEAD)]


# --- the list -----------------------------------------------------------------------------------------------


def test_the_list_shows_counts_and_lead_names_but_never_emails(client, chapter, lead, member):
    response = client.get(reverse("chapter_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nairobi Chapter" in html and "2 members" in html and "Lea Lead" in html
    assert "Mo Member" not in html
    assert "@example.org" not in html


def test_closed_chapters_are_listed_for_staff_only(client, chapter, staff):
    ChapterFactory(name="Old Chapter", slug="old", is_active=False)

    assert "Old Chapter" not in client.get(reverse("chapter_list")).content.decode()
    client.force_login(staff)
    assert "Old Chapter" in client.get(reverse("chapter_list")).content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "nair"}, {"Nairobi Chapter"}),  # name
        ({"q": "LAGOS"}, {"Lagos Chapter"}),  # city, any case
        ({"q": "kenya"}, {"Nairobi Chapter"}),  # country name
        ({"country": "NG"}, {"Lagos Chapter"}),
        ({"q": "chapter", "country": "KE"}, {"Nairobi Chapter"}),
    ],
)
def test_search_by_name_city_and_country(client, chapter, other_lead, params, expected):
    response = client.get(reverse("chapter_list"), params)

    assert {c.name for c in response.context["page"].object_list} == expected


def test_the_country_filter_offers_only_countries_with_chapters(client, chapter, other_lead):
    form = client.get(reverse("chapter_list")).context["form"]

    assert [code for code, _name in form.fields["country"].choices] == ["", "KE", "NG"]


def test_an_unknown_country_is_a_field_error_and_the_list_stays_whole(client, chapter, other_lead):
    response = client.get(reverse("chapter_list"), {"country": "XX"})

    assert response.status_code == 200
    assert response.context["form"].errors["country"]
    assert response.context["page"].paginator.count == 2


def test_the_empty_state_offers_the_whole_list(client, chapter):
    html = client.get(reverse("chapter_list"), {"q": "atlantis"}).content.decode()

    assert "No chapter matches this search." in html
    assert f'href="{reverse("chapter_list")}"' in html


def test_the_list_is_paginated(client):
    ChapterFactory.create_batch(13)

    first = client.get(reverse("chapter_list"))
    second = client.get(reverse("chapter_list"), {"page": 2})

    assert len(first.context["page"].object_list) == 12
    assert len(second.context["page"].object_list) == 1
    assert "Page 2 of 2" in second.content.decode()


def test_htmx_search_gets_only_the_results(client, chapter):
    response = client.get(reverse("chapter_list"), {"q": "nai"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "Nairobi Chapter" in html
    assert "<html" not in html and 'class="filter-bar"' not in html


def _chapters_with_people(count: int) -> None:
    for chapter in ChapterFactory.create_batch(count):
        ChapterMemberFactory(chapter=chapter, role=ChapterRole.LEAD)
        ChapterMemberFactory.create_batch(2, chapter=chapter)


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_list_query_count_does_not_grow_with_chapters(client, member, django_assert_max_num_queries, signed_in):
    if signed_in:
        client.force_login(member)
    _chapters_with_people(2)
    with django_assert_max_num_queries(9) as few:
        client.get(reverse("chapter_list"))
    _chapters_with_people(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("chapter_list"))
    assert len(response.context["page"].object_list) == 12


# --- the chapter page: Join / Leave -------------------------------------------------------------------------


def test_a_visitor_sees_the_chapter_and_is_asked_to_sign_in(client, chapter, lead, member):
    html = client.get(reverse("chapter_detail", args=["nairobi"])).content.decode()

    assert "Water and climate projects in Kenya." in html
    assert "#chapter-nairobi" in html and "Nairobi, Kenya" in html
    assert "Lea Lead" in html and "Mo Member" not in html
    assert "Sign in to join" in html
    assert reverse("chapter_join", args=["nairobi"]) not in html
    assert reverse("chapter_members", args=["nairobi"]) not in html
    assert "@example.org" not in html


def test_joining_on_the_page_confirms_and_shows_leave(client, chapter, collaborator):
    client.force_login(collaborator)
    assert reverse("chapter_join", args=["nairobi"]) in client.get(chapter.get_absolute_url()).content.decode()

    response = client.post(reverse("chapter_join", args=["nairobi"]), follow=True)

    html = response.content.decode()
    assert "Welcome to Nairobi Chapter" in html
    assert "Leave the chapter" in html
    assert ChapterMember.objects.filter(chapter=chapter, person=collaborator).exists()


def test_a_get_to_join_or_leave_changes_nothing(client, chapter, collaborator, member):
    client.force_login(collaborator)
    assert client.get(reverse("chapter_join", args=["nairobi"])).status_code == 405
    client.force_login(member)
    assert client.get(reverse("chapter_leave", args=["nairobi"])).status_code == 405

    assert not ChapterMember.objects.filter(person=collaborator).exists()
    assert ChapterMember.objects.filter(person=member).exists()


def test_join_and_leave_need_the_csrf_token(chapter, collaborator, member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(collaborator)
    assert browser.post(reverse("chapter_join", args=["nairobi"])).status_code == 403
    browser.force_login(member)
    assert browser.post(reverse("chapter_leave", args=["nairobi"])).status_code == 403

    assert not ChapterMember.objects.filter(person=collaborator).exists()
    assert ChapterMember.objects.filter(person=member).exists()


def test_a_visitor_posting_join_is_sent_to_sign_in(client, chapter):
    response = client.post(reverse("chapter_join", args=["nairobi"]))

    assert response.status_code == 302 and reverse("account_login") in response.url
    assert not ChapterMember.objects.exists()


def test_leaving_on_the_page(client, chapter, lead, member):
    client.force_login(member)

    html = client.post(reverse("chapter_leave", args=["nairobi"]), follow=True).content.decode()

    assert "You left Nairobi Chapter." in html
    assert "Join the chapter" in html


def test_the_last_lead_is_told_why_they_cannot_leave(client, chapter, lead, member):
    client.force_login(lead)

    html = client.post(reverse("chapter_leave", args=["nairobi"]), follow=True).content.decode()

    assert "Ask staff to name another lead" in html
    assert ChapterMember.objects.filter(chapter=chapter, person=lead).exists()


def test_a_closed_chapter_page_says_so_and_offers_no_join(client, chapter, collaborator):
    chapter.is_active = False
    chapter.save()
    client.force_login(collaborator)

    html = client.get(chapter.get_absolute_url()).content.decode()
    assert "does not take new members" in html
    assert reverse("chapter_join", args=["nairobi"]) not in html

    response = client.post(reverse("chapter_join", args=["nairobi"]), follow=True)
    assert "closed" in response.content.decode()
    assert not ChapterMember.objects.filter(person=collaborator).exists()


# --- the members page: leads and staff only -------------------------------------------------------------------


def test_a_lead_sees_the_members_with_country_and_role_but_no_emails(client, chapter, lead, member):
    client.force_login(lead)
    assert reverse("chapter_members", args=["nairobi"]) in client.get(chapter.get_absolute_url()).content.decode()

    response = client.get(reverse("chapter_members", args=["nairobi"]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Lea Lead" in html and "Mo Member" in html and "Uganda" in html
    assert html.index("Lea Lead") < html.index("Mo Member")  # leads first
    assert "@example.org" not in html


def test_staff_see_the_members_with_emails(client, chapter, lead, member, staff):
    client.force_login(staff)

    html = client.get(reverse("chapter_members", args=["nairobi"])).content.decode()

    assert "mo@example.org" in html and "lea@example.org" in html


def test_members_other_leads_and_visitors_do_not_see_the_members(client, chapter, lead, member, other_lead):
    url = reverse("chapter_members", args=["nairobi"])
    for outsider in (member, other_lead, UserFactory()):
        client.force_login(outsider)
        assert client.get(url).status_code == 403
        assert url not in client.get(chapter.get_absolute_url()).content.decode()

    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_join_dates_are_shown_in_the_viewers_time_zone(client, chapter, lead, member):
    ChapterMember.objects.filter(person=member).update(joined_at=dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC))
    url = reverse("chapter_members", args=["nairobi"])
    client.force_login(lead)
    assert "1 Mar 2026" in client.get(url).content.decode()

    lead.time_zone = "Asia/Tokyo"
    lead.save(update_fields=["time_zone"])
    html = client.get(url).content.decode()
    assert "2 Mar 2026" in html and "1 Mar 2026" not in html


def test_the_members_page_is_paginated_with_constant_queries(client, chapter, lead, django_assert_max_num_queries):
    ChapterMemberFactory.create_batch(5, chapter=chapter)
    client.force_login(lead)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("chapter_members", args=["nairobi"]))
    ChapterMemberFactory.create_batch(50, chapter=chapter)
    with django_assert_max_num_queries(len(few.captured_queries)):
        first = client.get(reverse("chapter_members", args=["nairobi"]))
    second = client.get(reverse("chapter_members", args=["nairobi"]), {"page": 2})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 6


# --- the admin ---------------------------------------------------------------------------------------------


def test_the_admin_action_makes_leads_through_the_service(admin_client, chapter, member):
    row = ChapterMember.objects.get(person=member)

    admin_client.post(
        reverse("admin:challenges_chaptermember_changelist"),
        {"action": "make_leads", "_selected_action": [row.pk]},
    )

    row.refresh_from_db()
    assert row.role == ChapterRole.LEAD
    assert _verbs(chapter) == ["chapter.lead"]


def _inline_post(chapter, rows, **extra) -> dict:
    data = {
        "name": chapter.name,
        "slug": chapter.slug,
        "city": chapter.city,
        "country": str(chapter.country),
        "slack_channel": chapter.slack_channel,
        "description": chapter.description,
        "is_active": "on",
        "members-TOTAL_FORMS": str(len(rows)),
        "members-INITIAL_FORMS": str(sum(1 for row in rows if row.get("id"))),
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"members-{index}-{key}"] = value
        if chapter.pk:
            data[f"members-{index}-chapter"] = chapter.pk
    data.update(extra)
    return data


def test_the_admin_inline_goes_through_the_services(admin_client, chapter, lead, member, collaborator):
    lead_row = ChapterMember.objects.get(person=lead)
    member_row = ChapterMember.objects.get(person=member)
    url = reverse("admin:challenges_chapter_change", args=[chapter.pk])
    assert admin_client.get(url).status_code == 200

    # Add a member and try to delete the only lead: the join happens, the lead stays (with a warning).
    rows = [
        {"id": lead_row.pk, "person": lead.pk, "role": ChapterRole.LEAD, "DELETE": "on"},
        {"id": member_row.pk, "person": member.pk, "role": ChapterRole.MEMBER},
        {"person": collaborator.pk, "role": ChapterRole.MEMBER},
    ]
    response = admin_client.post(url, _inline_post(chapter, rows), follow=True)

    assert "Ask staff to name another lead" in response.content.decode()
    assert set(ChapterMember.objects.filter(chapter=chapter).values_list("person_id", flat=True)) == {
        lead.pk,
        member.pk,
        collaborator.pk,
    }
    assert "chapter.join" in _verbs(chapter)


def test_the_admin_lists_chapters_with_their_countries_only(admin_client, chapter, other_lead):
    response = admin_client.get(reverse("admin:challenges_chapter_changelist"), {"country": "NG"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Kenya" in html and "Nigeria" in html  # the filter's choices
    assert list(response.context["cl"].queryset.values_list("slug", flat=True)) == ["lagos"]
    assert "Albania" not in html


# --- demo data -----------------------------------------------------------------------------------------------


def test_seed_chapters_is_idempotent_and_every_chapter_has_a_lead(staff):
    people = UserFactory.create_batch(20, country="NG")

    chapters = seed_chapters(people=people, staff=staff)
    counts = (Chapter.objects.count(), ChapterMember.objects.count(), AuditEntry.objects.count())
    seed_chapters(people=people, staff=staff)

    assert len(chapters) == len(CHAPTERS) == 6
    assert len({str(c.country) for c in chapters}) == 6
    assert (Chapter.objects.count(), ChapterMember.objects.count(), AuditEntry.objects.count()) == counts
    for chapter in chapters:
        assert chapter.members.filter(role=ChapterRole.LEAD).exists()


def test_opening_a_chapter_in_the_admin_is_audited(admin_client):
    data = _inline_post(
        Chapter(name="Accra Chapter", slug="accra", city="Accra", country="GH", slack_channel="#chapter-accra"), []
    )
    response = admin_client.post(reverse("admin:challenges_chapter_add"), data)

    assert response.status_code == 302
    accra = Chapter.objects.get(slug="accra")
    assert accra.is_active and str(accra.country) == "GH"
    assert _verbs(accra) == ["chapter.create"]
