"""activity.github through the real PyGithub client against the fake GitHub server (no mocks)."""

import ast
import datetime as dt
import os
from pathlib import Path

import pytest
import time_machine

from activity import github
from activity.integrations import NotFound, PermanentError, Provider, RateLimited, TransientError

REPO = "OmdenaAI/water-pumps"
NOW = dt.datetime(2026, 11, 9, 12, 0, tzinfo=dt.UTC)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo(fake_github):
    fake_github.add_user("octocat", id=583231)
    fake_github.add_user("ada-codes", id=1001)
    return fake_github.add_repo(REPO)


# -- onboarding ---------------------------------------------------------------------------------------------------


def test_get_user_returns_the_numeric_id(fake_github, repo):
    assert github.get_user("octocat") == github.GitHubUser(id=583231, login="octocat")


def test_unknown_user_is_not_found_with_githubs_message(fake_github):
    with pytest.raises(NotFound) as raised:
        github.get_user("nobody-here")
    assert (raised.value.status, raised.value.message, raised.value.source) == (404, "Not Found", Provider.GITHUB)


def test_adding_a_collaborator_records_a_pending_invitation_then_existing_access(fake_github, repo):
    first = github.add_repository_collaborator(REPO, "octocat")

    assert (first.status, first.http_status) == ("invited", 201)
    assert first.invitation_id is not None
    assert fake_github.invitations(REPO) == {"octocat"}

    fake_github.accept_invitation(REPO, "octocat")
    again = github.add_repository_collaborator(REPO, "octocat")

    assert again == github.InviteResult(status="already_had_access", http_status=204)
    assert fake_github.collaborators(REPO) == {"octocat"}
    # The repository is never fetched: one PUT per call.
    assert fake_github.requests_by_path() == {f"PUT /repos/{REPO}/collaborators/octocat": 2}


def test_an_organisation_member_gets_access_without_invitation(fake_github, repo):
    fake_github.add_org_member("OmdenaAI", "ada-codes")

    result = github.add_repository_collaborator(REPO, "ada-codes", permission="pull")

    assert (result.status, result.http_status) == ("already_had_access", 204)


def test_adding_an_unknown_user_as_collaborator_is_not_found(fake_github, repo):
    with pytest.raises(NotFound, match="Not Found"):
        github.add_repository_collaborator(REPO, "nobody-here")
    assert fake_github.invitations(REPO) == set()


def test_the_daily_invitation_limit_is_a_permanent_error_with_githubs_words(fake_github, repo):
    fake_github.invitation_limit = 0

    with pytest.raises(PermanentError) as raised:
        github.add_repository_collaborator(REPO, "octocat")

    assert raised.value.status == 422
    assert "Validation Failed" in raised.value.message
    assert "limit of invitations" in raised.value.message


def test_removing_a_collaborator_also_cancels_the_pending_invitation(fake_github, repo):
    github.add_repository_collaborator(REPO, "octocat")
    github.add_repository_collaborator(REPO, "ada-codes")
    fake_github.accept_invitation(REPO, "ada-codes")

    github.remove_repository_collaborator(REPO, "octocat")
    github.remove_repository_collaborator(REPO, "ada-codes")

    assert fake_github.invitations(REPO) == set()
    assert fake_github.collaborators(REPO) == set()


def test_team_membership_is_pending_for_outsiders_and_active_for_org_members(fake_github, repo):
    fake_github.add_team("OmdenaAI", "water-pumps")
    fake_github.add_org_member("OmdenaAI", "ada-codes")

    outsider = github.add_team_member("OmdenaAI", "water-pumps", "octocat")
    member = github.add_team_member("OmdenaAI", "water-pumps", "ada-codes")

    assert (outsider.state, member.state) == ("pending", "active")
    assert fake_github.team_members("OmdenaAI", "water-pumps") == {"octocat": "pending", "ada-codes": "active"}

    github.remove_team_member("OmdenaAI", "water-pumps", "octocat")
    assert fake_github.team_members("OmdenaAI", "water-pumps") == {"ada-codes": "active"}


def test_unknown_team_is_not_found(fake_github, repo):
    with pytest.raises(NotFound):
        github.add_team_member("OmdenaAI", "no-such-team", "octocat")


# -- rate limits and faults ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [403, 429])
def test_a_spent_rate_limit_is_retried_at_the_reset_time(fake_github, repo, status):
    reset_at = dt.datetime(2026, 11, 9, 13, 0, tzinfo=dt.UTC)
    fake_github.exhaust_rate_limit(reset_at=reset_at, status=status)

    with pytest.raises(RateLimited) as raised:
        github.add_repository_collaborator(REPO, "octocat")

    assert raised.value.retry_at == reset_at
    assert raised.value.status == status
    assert "rate limit exceeded" in raised.value.message
    assert fake_github.invitations(REPO) == set()
    # Answered at once, never slept on: the next call goes through.
    assert github.add_repository_collaborator(REPO, "octocat").http_status == 201


@pytest.mark.parametrize("status", [403, 429])
def test_retry_after_sets_the_retry_time(fake_github, repo, status):
    fake_github.throttle_next(retry_after=90, status=status)

    with time_machine.travel(NOW, tick=False), pytest.raises(RateLimited) as raised:
        github.list_pull_requests_updated_since(REPO, since=NOW - dt.timedelta(days=7))

    assert raised.value.retry_at == NOW + dt.timedelta(seconds=90)
    assert fake_github.request_count() == 1  # no retry inside the client


def test_every_answer_carries_rate_limit_headers_and_counts_down(fake_github, repo):
    github.get_user("octocat")
    github.get_user("ada-codes")

    assert (fake_github.rate_limit - fake_github.rate_remaining) == 2


def test_a_502_is_transient(fake_github, repo):
    fake_github.break_next(status=502)

    with pytest.raises(TransientError) as raised:
        github.get_user("octocat")

    assert (raised.value.status, raised.value.message) == (502, "Server Error")
    assert fake_github.request_count() == 1


def test_an_unreachable_server_is_transient(fake_github, settings):
    fake_github.stop()

    with pytest.raises(TransientError):
        github.get_user("octocat")


# -- activity -----------------------------------------------------------------------------------------------------


def _fill(fake, *, total: int, changed: int) -> None:
    """`total` pull requests, of which the newest `changed` were updated in the last day."""
    for number in range(1, total + 1):
        recent = number > total - changed
        updated = NOW - (dt.timedelta(minutes=total - number + 1) if recent else dt.timedelta(days=30, hours=number))
        fake.add_pull(REPO, number=number, author="octocat", updated_at=updated, created_at=updated)


def test_pull_request_listing_stops_at_the_cursor(fake_github, repo):
    _fill(fake_github, total=250, changed=30)

    pulls = github.list_pull_requests_updated_since(REPO, since=NOW - dt.timedelta(days=1))

    assert [pull.number for pull in pulls] == list(range(250, 220, -1))
    # 250 pull requests are three pages of 100, but the first page already reaches the cursor.
    assert fake_github.requests_by_path() == {f"GET /repos/{REPO}/pulls": 1}
    listed = fake_github.requests[0].query
    assert listed == {"state": "all", "sort": "updated", "direction": "desc", "per_page": "100"}


def test_pull_request_listing_follows_link_pages_until_the_cursor(fake_github, repo):
    _fill(fake_github, total=250, changed=130)

    pulls = github.list_pull_requests_updated_since(REPO, since=NOW - dt.timedelta(days=7))

    assert len(pulls) == 130
    assert [request.query.get("page") for request in fake_github.requests] == [None, "2"]


def test_an_unchanged_repository_costs_one_request(fake_github, repo):
    _fill(fake_github, total=250, changed=0)

    assert github.list_pull_requests_updated_since(REPO, since=NOW - dt.timedelta(days=1)) == []
    assert fake_github.request_count() == 1


def test_pull_request_fields(fake_github, repo):
    opened = NOW - dt.timedelta(days=3)
    merged = NOW - dt.timedelta(hours=2)
    fake_github.add_pull(REPO, number=7, author="ada-codes", created_at=opened, updated_at=merged, merged_at=merged)
    fake_github.add_pull(REPO, number=8, author=None, updated_at=NOW - dt.timedelta(hours=1))  # deleted account

    deleted, merged_pull = github.list_pull_requests_updated_since(REPO, since=NOW - dt.timedelta(days=1))

    assert merged_pull == github.PullRequest(
        number=7,
        id=merged_pull.id,
        author_id=1001,
        author_login="ada-codes",
        state="closed",
        created_at=opened,
        updated_at=merged,
        merged_at=merged,
        html_url=f"https://github.com/{REPO}/pull/7",
    )
    assert (deleted.number, deleted.author_id, deleted.author_login, deleted.merged_at) == (8, None, None, None)
    assert fake_github.request_count() == 1  # every field came from the list: no per-PR fetch


def test_naive_cursor_is_refused(fake_github, repo):
    with pytest.raises(ValueError, match="timezone-aware"):
        github.list_pull_requests_updated_since(REPO, since=dt.datetime(2026, 11, 1))


def test_reviews_are_listed_with_their_authors(fake_github, repo):
    fake_github.add_pull(REPO, number=3, author="octocat", updated_at=NOW)
    approved_at = NOW - dt.timedelta(hours=5)
    fake_github.add_review(REPO, 3, author="ada-codes", submitted_at=approved_at, state="APPROVED")
    fake_github.add_review(REPO, 3, author="octocat", submitted_at=None, state="PENDING")

    approved, pending = github.list_reviews(REPO, 3)

    assert (approved.author_id, approved.author_login, approved.state, approved.submitted_at) == (
        1001,
        "ada-codes",
        "APPROVED",
        approved_at,
    )
    assert approved.html_url.startswith(f"https://github.com/{REPO}/pull/3#pullrequestreview-")
    assert (pending.state, pending.submitted_at) == ("PENDING", None)
    assert fake_github.requests_by_path() == {f"GET /repos/{REPO}/pulls/3/reviews": 1}


def test_reviews_of_an_unknown_pull_request_are_not_found(fake_github, repo):
    with pytest.raises(NotFound):
        github.list_reviews(REPO, 999)


# -- the boundary -------------------------------------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _project_sources() -> list[Path]:
    sources = []
    for directory, subdirectories, files in os.walk(ROOT):
        subdirectories[:] = [name for name in subdirectories if not name.startswith(".") and name != "node_modules"]
        sources += [Path(directory) / name for name in files if name.endswith(".py")]
    return sources


def test_only_the_integration_modules_import_pygithub_and_slack_sdk():
    allowed = {"github": ROOT / "activity" / "github.py", "slack_sdk": ROOT / "activity" / "slack.py"}
    sources = _project_sources()
    offenders = [
        f"{path.relative_to(ROOT)} imports {package}"
        for path in sources
        for package in _imports(path) & allowed.keys()
        if path != allowed[package]
    ]
    assert offenders == []
    assert set(allowed.values()) <= set(sources)  # the scan did see the two modules
