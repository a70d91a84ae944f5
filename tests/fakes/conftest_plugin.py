"""pytest fixtures `fake_github` and `fake_slack`: a fake server per test, with settings pointed at it.

Registered in tests/conftest.py with `pytest_plugins`. Nothing in the suite may reach api.github.com or
slack.com: any test that calls `activity.github` or `activity.slack` takes one of these fixtures.
"""

import pytest

from .github_server import FakeGitHub
from .slack_server import FakeSlack


@pytest.fixture
def fake_github(settings):
    server = FakeGitHub().start()
    settings.GITHUB_API_URL = server.url
    settings.GITHUB_TOKEN = "ghp_fake_token_for_tests"
    yield server
    server.stop()


@pytest.fixture
def fake_slack(settings):
    server = FakeSlack().start()
    settings.SLACK_API_URL = server.api_url
    settings.SLACK_BOT_TOKEN = "xoxb-fake-token-for-tests"
    yield server
    server.stop()
