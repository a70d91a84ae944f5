import os

import pytest
from rest_framework.test import APIClient

from .factories import PASSWORD, ChallengeFactory, OrganisationFactory, StaffFactory, UserFactory

pytest_plugins = ["tests.fakes.conftest_plugin"]

# Playwright's sync API runs an event loop in the test thread; the Django calls the browser
# tests make around it are synchronous and safe, so let Django allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttles and rate limits live in the cache: every test starts with none used."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def collaborator(db):
    return UserFactory(email="cam@example.org", display_name="Cam Collaborator")


@pytest.fixture
def staff(db):
    return StaffFactory(email="sam@example.org", display_name="Sam Staff")


@pytest.fixture
def client_organisation(db):
    return OrganisationFactory(name="Clean Water", slug="clean-water")


@pytest.fixture
def client_user(db, client_organisation):
    user = UserFactory(email="chris@cleanwater.example", display_name="Chris Client")
    client_organisation.users.add(user)
    return user


@pytest.fixture
def open_challenge(db, client_organisation):
    return ChallengeFactory(title="Water pump failures", slug="water-pumps", organisation=client_organisation)


@pytest.fixture
def api_client():
    return APIClient()
