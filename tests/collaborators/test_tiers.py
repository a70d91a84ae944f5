"""Community tiers: the suggestion rule at its edges, the history it reads, granting (staff only, audited)."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import FloatField, IntegerField, Value
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from activity.models import WeeklyScore
from audit.models import AuditEntry
from challenges.enums import ChallengeStatus, TaskRole, TaskStatus
from challenges.models import Task, TaskMember
from collaborators.enums import MembershipRole, MembershipStatus, Tier
from collaborators.models import User
from collaborators.services.tiers import tier_grant
from collaborators.tiers import (
    STEADY_AVERAGE,
    STRONG_AVERAGE,
    TierHistory,
    suggest_tier,
    suggested_tier_expression,
    tier_histories_for,
    tier_history_for,
)
from tests.factories import ChallengeFactory, MembershipFactory, UserFactory

TIERS = reverse("staff:tiers")
API = "/api/v1/tiers/"


def history(completed=0, led=0, mentored=0, average=None) -> TierHistory:
    return TierHistory(
        completed_challenges=completed, led_task_challenges=led, mentor_roles=mentored, average_weekly_score=average
    )


# The rule at each threshold, and one below it.
EDGES = [
    (history(), None),
    (history(completed=1), Tier.COLLABORATOR),
    (history(completed=2), Tier.JUNIOR_ML_ENGINEER),
    (history(completed=1, average=99), Tier.COLLABORATOR),
    # ML engineer: three completed and a steady average.
    (history(completed=3, average=STEADY_AVERAGE), Tier.ML_ENGINEER),
    (history(completed=3, average=STEADY_AVERAGE - 0.1), Tier.JUNIOR_ML_ENGINEER),
    (history(completed=3), Tier.JUNIOR_ML_ENGINEER),  # no scored week: no average to meet
    (history(completed=2, average=STEADY_AVERAGE), Tier.JUNIOR_ML_ENGINEER),
    # Lead ML engineer: four, led once, steady.
    (history(completed=4, led=1, average=STEADY_AVERAGE), Tier.LEAD_ML_ENGINEER),
    (history(completed=4, led=0, average=STEADY_AVERAGE), Tier.ML_ENGINEER),
    (history(completed=3, led=1, average=STEADY_AVERAGE), Tier.ML_ENGINEER),
    (history(completed=4, led=1, average=STEADY_AVERAGE - 0.1), Tier.JUNIOR_ML_ENGINEER),
    # Task leader: led in two challenges.
    (history(completed=2, led=2), Tier.TASK_LEADER),
    (history(completed=2, led=1), Tier.JUNIOR_ML_ENGINEER),
    # Mentor: a completed mentor role, or five completed and led in three.
    (history(completed=1, mentored=1), Tier.MENTOR),
    (history(completed=5, led=3), Tier.MENTOR),
    (history(completed=4, led=3), Tier.TASK_LEADER),
    (history(completed=5, led=2), Tier.TASK_LEADER),
    # Top talent: six, led in three, strong average.
    (history(completed=6, led=3, average=STRONG_AVERAGE), Tier.TOP_TALENT),
    (history(completed=6, led=3, average=STRONG_AVERAGE - 0.1), Tier.MENTOR),
    (history(completed=5, led=3, average=STRONG_AVERAGE), Tier.MENTOR),
    (history(completed=6, led=2, average=STRONG_AVERAGE), Tier.TASK_LEADER),
]


@pytest.mark.parametrize(("tier_history", "expected"), EDGES)
def test_suggest_tier_at_and_below_each_threshold(tier_history, expected):
    assert suggest_tier(tier_history) == expected


def _sql_suggestion(tier_history: TierHistory) -> str:
    """The same table evaluated by the database, as the staff list does it."""
    return (
        User.objects.annotate(
            tier_completed=Value(tier_history.completed_challenges, output_field=IntegerField()),
            tier_led=Value(tier_history.led_task_challenges, output_field=IntegerField()),
            tier_mentored=Value(tier_history.mentor_roles, output_field=IntegerField()),
            tier_average_score=Value(tier_history.average_weekly_score, output_field=FloatField()),
        )
        .annotate(suggested_tier=suggested_tier_expression())
        .values_list("suggested_tier", flat=True)
        .first()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("tier_history", "expected"), EDGES)
def test_the_sql_rule_agrees_at_each_edge(tier_history, expected):
    UserFactory()
    assert _sql_suggestion(tier_history) == (expected.value if expected else "")


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(
    completed=st.integers(0, 8),
    led=st.integers(0, 8),
    mentored=st.integers(0, 3),
    average=st.none() | st.floats(0, 60, allow_nan=False),
)
def test_the_sql_rule_agrees_with_python_for_any_history(completed, led, mentored, average):
    if not User.objects.exists():
        UserFactory()
    tier_history = history(completed=completed, led=led, mentored=mentored, average=average)
    expected = suggest_tier(tier_history)
    assert _sql_suggestion(tier_history) == (expected.value if expected else "")


# The history read from the database


def completed_seat(person, *, role=MembershipRole.COLLABORATOR, **fields):
    challenge = ChallengeFactory(status=ChallengeStatus.COMPLETED)
    return MembershipFactory(person=person, challenge=challenge, role=role, status=MembershipStatus.COMPLETED, **fields)


def lead_a_task(membership, *, title="Data pipeline", role=TaskRole.LEADER):
    task = Task.objects.create(challenge=membership.challenge, title=title, goal="Clean data", status=TaskStatus.DONE)
    return TaskMember.objects.create(task=task, membership=membership, role=role)


def score(membership, week, points, **fields):
    return WeeklyScore.objects.create(membership=membership, week=week, points=points, **fields)


@pytest.mark.django_db
def test_only_completed_memberships_count():
    person = UserFactory()
    completed_seat(person)
    for status in (MembershipStatus.REMOVED, MembershipStatus.ACTIVE, MembershipStatus.WARNED):
        MembershipFactory(person=person, status=status)

    assert tier_history_for(person=person) == history(completed=1)


@pytest.mark.django_db
def test_leading_counts_once_per_completed_challenge_and_not_in_removed_seats():
    person = UserFactory()
    led_twice = completed_seat(person)
    lead_a_task(led_twice, title="Data pipeline")
    lead_a_task(led_twice, title="Modelling")
    lead_a_task(completed_seat(person), title="Dashboard", role=TaskRole.MEMBER)  # a member, not a leader
    lead_a_task(MembershipFactory(person=person, status=MembershipStatus.REMOVED), title="Labelling")

    assert tier_history_for(person=person) == history(completed=2, led=1)


@pytest.mark.django_db
def test_mentor_roles_count_when_completed():
    person = UserFactory()
    completed_seat(person, role=MembershipRole.MENTOR)
    MembershipFactory(person=person, role=MembershipRole.MENTOR, status=MembershipStatus.REMOVED)

    result = tier_history_for(person=person)

    assert (result.completed_challenges, result.mentor_roles) == (1, 1)
    assert suggest_tier(result) == Tier.MENTOR


@pytest.mark.django_db
def test_average_skips_excused_weeks_unscored_weeks_and_removed_seats():
    person = UserFactory()
    seat = completed_seat(person)
    score(seat, "2026-W10", 10)
    score(seat, "2026-W11", 20)
    score(seat, "2026-W12", 0, excused=True)  # declared leave: not held against them
    # The first week has no row at all (never scored), so it cannot pull the average down.
    removed = MembershipFactory(person=person, status=MembershipStatus.REMOVED)
    score(removed, "2026-W10", 0)

    assert tier_history_for(person=person).average_weekly_score == pytest.approx(15)


@pytest.mark.django_db
def test_no_scored_week_means_no_average():
    person = UserFactory()
    score(completed_seat(person), "2026-W10", 0, excused=True)

    assert tier_history_for(person=person).average_weekly_score is None


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 12])
def test_histories_of_many_people_take_one_query(django_assert_num_queries, size):
    people = UserFactory.create_batch(size)
    for person in people:
        lead_a_task(completed_seat(person))

    with django_assert_num_queries(1):
        histories = tier_histories_for(people=people)

    assert set(histories) == {person.pk for person in people}
    assert all(h == history(completed=1, led=1) for h in histories.values())


# Granting


@pytest.mark.django_db
def test_grant_writes_the_tier_and_an_audit_entry_once(staff):
    person = UserFactory()

    granted = tier_grant(person=person, tier=Tier.COLLABORATOR, by=staff, note="first challenge")
    tier_grant(person=person, tier=Tier.COLLABORATOR, by=staff)

    assert granted.tier == Tier.COLLABORATOR and granted.tier_granted_at is not None
    entry = AuditEntry.objects.get(verb="tier.grant")
    assert (entry.actor, entry.from_state, entry.to_state, entry.note) == (staff, "", "collaborator", "first challenge")


@pytest.mark.django_db
def test_staff_may_lower_or_clear_a_tier(staff):
    person = UserFactory(tier=Tier.MENTOR)

    tier_grant(person=person, tier=Tier.COLLABORATOR, by=staff)
    cleared = tier_grant(person=person, tier="", by=staff)

    assert (cleared.tier, cleared.tier_granted_at) == ("", None)
    moves = list(AuditEntry.objects.filter(verb="tier.grant").order_by("id").values_list("from_state", "to_state"))
    assert moves == [("mentor", "collaborator"), ("collaborator", "")]


@pytest.mark.django_db
def test_a_promotion_is_emailed_once_and_a_demotion_not_at_all(staff, django_capture_on_commit_callbacks):
    person = UserFactory(display_name="Ife Okoro", email="ife@example.org", tier=Tier.COLLABORATOR)

    with django_capture_on_commit_callbacks(execute=True):
        tier_grant(person=person, tier=Tier.ML_ENGINEER, by=staff)
        tier_grant(person=person, tier=Tier.ML_ENGINEER, by=staff)
        tier_grant(person=person, tier=Tier.JUNIOR_ML_ENGINEER, by=staff)

    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["ife@example.org"], "You are now ML engineer")
    ]
    assert "Congratulations: our staff made you ML engineer" in mail.outbox[0].body
    assert "/me/profile/" in mail.outbox[0].body  # no public profile yet: where to switch it on


@pytest.mark.django_db
def test_only_staff_grant(collaborator):
    with pytest.raises(PermissionDenied):
        tier_grant(person=collaborator, tier=Tier.TOP_TALENT, by=collaborator)
    collaborator.refresh_from_db()
    assert collaborator.tier == "" and not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_an_unknown_tier_is_refused(staff, collaborator):
    with pytest.raises(ValidationError):
        tier_grant(person=collaborator, tier="wizard", by=staff)


# The staff page


@pytest.fixture
def due_for_promotion(db):
    person = UserFactory(display_name="Pat Promoted", email="pat@example.org")
    completed_seat(person)
    completed_seat(person)
    return person


@pytest.mark.django_db
def test_tiers_page_is_staff_only(client, collaborator, due_for_promotion):
    assert client.get(TIERS).status_code == 302  # to the sign-in page
    client.force_login(collaborator)
    assert client.get(TIERS).status_code == 403
    response = client.post(reverse("staff:tier_grant", args=[due_for_promotion.pk]), {"tier": "mentor"})
    assert response.status_code == 403
    due_for_promotion.refresh_from_db()
    assert due_for_promotion.tier == ""


@pytest.mark.django_db
def test_tiers_page_lists_only_differences(client, staff, due_for_promotion):
    settled = UserFactory(display_name="Sam Settled", tier=Tier.COLLABORATOR)
    completed_seat(settled)
    UserFactory(display_name="Dee Granted", tier=Tier.MENTOR)
    UserFactory(display_name="Nia Newcomer")  # no completed challenge, no tier: nothing to suggest
    client.force_login(staff)

    page = client.get(TIERS).content.decode()

    assert "Pat Promoted" in page and "Junior ML engineer" in page
    assert "Dee Granted" in page  # granted without the history for it: staff look again
    assert "Sam Settled" not in page and "Nia Newcomer" not in page
    assert page.index("Pat Promoted") < page.index("Dee Granted")  # promotions first


@pytest.mark.django_db
def test_granting_from_the_page_confirms_and_the_row_goes(client, staff, due_for_promotion):
    client.force_login(staff)

    response = client.post(
        reverse("staff:tier_grant", args=[due_for_promotion.pk]),
        {"tier": "junior_ml_engineer", "note": "two done", "next": TIERS},
        follow=True,
    )

    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Pat Promoted is now Junior ML engineer."]
    due_for_promotion.refresh_from_db()
    assert due_for_promotion.tier == Tier.JUNIOR_ML_ENGINEER
    assert AuditEntry.objects.get(verb="tier.grant").note == "two done"
    assert "Everyone has the tier their history suggests." in response.content.decode()


@pytest.mark.django_db
def test_granting_ignores_an_outside_next_address(client, staff, due_for_promotion):
    client.force_login(staff)
    response = client.post(
        reverse("staff:tier_grant", args=[due_for_promotion.pk]), {"tier": "", "next": "https://evil.example/"}
    )
    assert response["Location"] == TIERS


@pytest.mark.django_db
@pytest.mark.parametrize("people", [3, 30])
def test_tiers_page_query_count_is_constant(client, staff, django_assert_max_num_queries, people):
    for person in UserFactory.create_batch(people):
        seat = completed_seat(person)
        lead_a_task(seat)
        score(seat, "2026-W10", 12)
    client.force_login(staff)

    with django_assert_max_num_queries(6):
        response = client.get(TIERS)

    assert response.content.decode().count('name="tier"') == people


# The API


@pytest.mark.django_db
def test_tier_api_is_staff_only(api_client, collaborator, due_for_promotion):
    assert api_client.get(API).status_code == 403
    api_client.force_authenticate(collaborator)
    assert api_client.get(API).status_code == 403
    assert api_client.get(f"{API}{due_for_promotion.pk}/").status_code == 403
    response = api_client.post(f"{API}{due_for_promotion.pk}/grant/", {"tier": "mentor"}, format="json")
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(verb="tier.grant").exists()


@pytest.mark.django_db
def test_tier_api_lists_suggestions_and_grants(api_client, staff, due_for_promotion):
    api_client.force_authenticate(staff)

    listed = api_client.get(API).json()
    granted = api_client.post(f"{API}{due_for_promotion.pk}/grant/", {"tier": "junior_ml_engineer"}, format="json")
    refused = api_client.post(f"{API}{due_for_promotion.pk}/grant/", {"tier": "wizard"}, format="json")

    assert listed["count"] == 1
    row = listed["results"][0]
    assert (row["id"], row["suggested_tier"], row["tier"], row["completed_challenges"]) == (
        due_for_promotion.pk,
        "junior_ml_engineer",
        "",
        2,
    )
    assert granted.status_code == 200 and granted.json()["tier"] == "junior_ml_engineer"
    assert refused.status_code == 400 and "tier" in refused.json()
    assert api_client.get(API).json()["count"] == 0


# Admin and the person's own pages


@pytest.mark.django_db
def test_admin_action_grants_the_suggested_tier(admin_client, due_for_promotion):
    newcomer = UserFactory()
    changelist = reverse("admin:collaborators_user_changelist")

    response = admin_client.post(
        changelist,
        {"action": "grant_suggested_tier", "_selected_action": [due_for_promotion.pk, newcomer.pk]},
        follow=True,
    )

    due_for_promotion.refresh_from_db()
    newcomer.refresh_from_db()
    assert (due_for_promotion.tier, newcomer.tier) == (Tier.JUNIOR_ML_ENGINEER, "")
    assert "Granted the suggested tier to 1; 0 already had it; 1 have none suggested." in response.content.decode()
    assert admin_client.get(changelist, {"tier__exact": "junior_ml_engineer"}).context["cl"].result_count == 1


@pytest.mark.django_db
def test_own_profile_page_shows_the_tier(client, staff, collaborator):
    client.force_login(collaborator)
    assert "No tier yet" in client.get(reverse("profile_edit")).content.decode()

    tier_grant(person=collaborator, tier=Tier.LEAD_ML_ENGINEER, by=staff)

    assert "Lead ML engineer" in client.get(reverse("profile_edit")).content.decode()


@pytest.mark.django_db
def test_demo_seed_grants_suggestions_and_opens_a_few_profiles(staff):
    from collaborators.demo_community import seed_community

    veteran = UserFactory(display_name="Vera Veteran")
    for _ in range(2):
        completed_seat(veteran)
    newcomer = UserFactory(display_name="Nia Newcomer")

    first = seed_community(people=[veteran, newcomer], by=staff, public_profiles=1)
    again = seed_community(people=[veteran, newcomer], by=staff, public_profiles=1)

    veteran.refresh_from_db()
    assert (first.granted, first.public_handles) == (1, ["vera-veteran"])
    assert (again.granted, again.public_handles) == (0, ["vera-veteran"])
    assert veteran.tier == Tier.JUNIOR_ML_ENGINEER and veteran.profile_public
    assert AuditEntry.objects.filter(verb="tier.grant").count() == 1
