import pytest

from collaborators.enums import ApplicationStatus, MembershipStatus
from collaborators.services.applications import application_accept
from tests.factories import ApplicationFactory, ChallengeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seat(staff, collaborator):
    application = ApplicationFactory(
        person=collaborator, challenge=ChallengeFactory(slug="floods"), status=ApplicationStatus.SHORTLISTED
    )
    return application_accept(application=application, by=staff).membership


def test_people_see_only_their_own_seats(api_client, seat, staff):
    other = ApplicationFactory(person=UserFactory(), status=ApplicationStatus.SHORTLISTED)
    application_accept(application=other, by=staff)
    api_client.force_authenticate(seat.person)

    rows = api_client.get("/api/v1/memberships/").json()["results"]

    assert [row["id"] for row in rows] == [seat.pk]
    assert api_client.get(f"/api/v1/memberships/{other.membership.pk}/").status_code == 404


def test_staff_remove_with_a_reason(api_client, staff, seat):
    api_client.force_authenticate(staff)

    response = api_client.post(
        f"/api/v1/memberships/{seat.pk}/move/", {"action": "remove", "reason": "inactivity"}, format="json"
    )

    assert response.status_code == 200 and response.json()["status"] == MembershipStatus.REMOVED
    assert response.json()["removal_reason"] == "inactivity"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"action": "remove"}, "reason"),
        ({"action": "explode"}, "action"),
        ({"action": "remove", "reason": "x"}, "reason"),
    ],
)
def test_bad_moves_are_400_with_the_field(api_client, staff, seat, payload, field):
    api_client.force_authenticate(staff)
    response = api_client.post(f"/api/v1/memberships/{seat.pk}/move/", payload, format="json")
    assert response.status_code == 400 and field in response.json()


def test_refused_move_is_400(api_client, staff, seat):
    api_client.force_authenticate(staff)
    response = api_client.post(f"/api/v1/memberships/{seat.pk}/move/", {"action": "reactivate"}, format="json")
    assert response.status_code == 400 and "status" in response.json()


def test_members_cannot_move_seats(api_client, seat):
    api_client.force_authenticate(seat.person)
    response = api_client.post(f"/api/v1/memberships/{seat.pk}/move/", {"action": "warn"}, format="json")
    assert response.status_code == 403
    seat.refresh_from_db()
    assert seat.status == MembershipStatus.ACTIVE
