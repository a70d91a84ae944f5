"""Browser tests: Playwright drives Debian's chromium (Playwright's own download is not used)."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if CHROMIUM is None and not os.environ.get("REQUIRE_BROWSER"):
                reason = "Debian's chromium is not installed (apt-get install chromium)"
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if CHROMIUM is None:
        pytest.fail("REQUIRE_BROWSER is set but chromium is not on PATH")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # The closed network refuses Chromium's own background connections.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under test-artifacts/ for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str, target=None) -> Path:
        path = ARTIFACTS / f"{name}.png"
        (target or page).screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def outside_requests(page, live_server):
    """Every request the page makes to a host other than the live server (there must be none)."""
    seen: list[str] = []

    def record(request):
        if not request.url.startswith(live_server.url):
            seen.append(request.url)

    page.on("request", record)
    return seen
