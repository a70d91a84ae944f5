"""Demo chapters for `seed_demo`: six local communities with leads and members picked from the demo people.

Chapters are opened and people join through `challenges.chapter_services` (so each change has its audit trail);
afterwards new members' join dates are spread over the past months so the members page reads like a real one.
Safe to run again: a chapter is found by its slug, and joining or naming a lead twice changes nothing.
"""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from collaborators.enums import ExperienceLevel

from .chapter_services import chapter_create, chapter_join, chapter_set_lead
from .models import Chapter, ChapterMember

# name, slug, city, country, Slack channel, description, how many leads, how many people in all
CHAPTERS = [
    (
        "Lagos Chapter",
        "lagos",
        "Lagos",
        "NG",
        "#chapter-lagos",
        "Collaborators in Lagos working on flood mapping, mobile health and local-language NLP. "
        "We meet on the first Saturday of the month and run beginner study groups.",
        2,
        9,
    ),
    (
        "Nairobi Chapter",
        "nairobi",
        "Nairobi",
        "KE",
        "#chapter-nairobi",
        "Machine learning for water, agriculture and climate in Kenya; paper-reading club every other week.",
        1,
        8,
    ),
    (
        "São Paulo Chapter",
        "sao-paulo",
        "São Paulo",
        "BR",
        "#chapter-sao-paulo",
        "Projects on urban mobility and public health data in Brazil, in Portuguese and English.",
        1,
        6,
    ),
    (
        "Delhi Chapter",
        "delhi",
        "Delhi",
        "IN",
        "#chapter-delhi",
        "Air quality, crop yields and open government data; monthly meet-ups and hackathons.",
        2,
        8,
    ),
    (
        "Berlin Chapter",
        "berlin",
        "Berlin",
        "DE",
        "#chapter-berlin",
        "A small group of engineers mentoring newcomers and working on energy and climate data.",
        1,
        5,
    ),
    (
        "Manila Chapter",
        "manila",
        "Manila",
        "PH",
        "#chapter-manila",
        "Disaster response and typhoon early warning with local universities.",
        1,
        5,
    ),
]


def _pick(people: Sequence, *, country: str, offset: int, size: int) -> list:
    """Up to `size` people: those from the chapter's country first, then the rest taken round the list from `offset`."""
    if not people:
        return []
    # Experienced people from the country first: the first picked become the leads.
    local = sorted(
        (person for person in people if str(person.country) == country),
        key=lambda person: person.experience_level != ExperienceLevel.EXPERIENCED,
    )
    rotated = [people[(offset + i) % len(people)] for i in range(len(people))]
    picked: list = []
    for person in local + rotated:
        if person not in picked:
            picked.append(person)
        if len(picked) == size:
            break
    return picked


@transaction.atomic
def seed_chapters(*, people: Sequence, staff) -> list[Chapter]:
    """Open the demo chapters (if missing) and fill them: leads named by `staff`, members joining themselves."""
    now = timezone.now()
    people = [person for person in people if not person.is_staff]
    chapters = []
    for index, (name, slug, city, country, channel, description, lead_count, size) in enumerate(CHAPTERS):
        chapter = Chapter.objects.filter(slug=slug).first() or chapter_create(
            by=staff, name=name, slug=slug, city=city, country=country, slack_channel=channel, description=description
        )
        already = set(ChapterMember.objects.filter(chapter=chapter).values_list("person_id", flat=True))
        picked = _pick(people, country=country, offset=index * 3, size=size)
        for position, person in enumerate(picked):
            if position < lead_count:
                chapter_set_lead(chapter=chapter, person=person, by=staff, is_lead=True)
            else:
                chapter_join(chapter=chapter, person=person, by=person)
        # Leads joined first; the others over the following weeks. Only rows created now are moved.
        for position, person in enumerate(picked):
            if person.pk not in already:
                joined = now - dt.timedelta(days=180 - 11 * position, hours=3 * index)
                ChapterMember.objects.filter(chapter=chapter, person=person).update(joined_at=joined)
        chapters.append(chapter)
    return chapters
