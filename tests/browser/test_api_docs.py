"""The interactive API docs work offline: every asset comes from the platform itself."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_docs_render_with_no_outside_request(page, live_server, outside_requests, screenshot):
    page.goto(f"{live_server.url}/api/docs/")

    expect(page.get_by_text("Omdena Challenges API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/applications/").first).to_be_visible()
    screenshot("api-docs")
    assert outside_requests == []
