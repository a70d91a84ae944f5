"""GitHub, through PyGithub: repository and team access for onboarding, pull requests and reviews for activity.

The only module that imports PyGithub. Every function takes plain values and returns plain dataclasses; every
failure is one of the exceptions of `activity.integrations`. Base URL and token come from settings
(`GITHUB_API_URL`, `GITHUB_TOKEN`), so tests and the local demo point it at a fake server.

API documentation relied on:
- https://docs.github.com/en/rest/users/users#get-a-user
- https://docs.github.com/en/rest/collaborators/collaborators#add-a-repository-collaborator (201 invitation / 204)
- https://docs.github.com/en/rest/collaborators/collaborators#remove-a-repository-collaborator
- https://docs.github.com/en/rest/teams/members#add-or-update-team-membership-for-a-user (state active / pending)
- https://docs.github.com/en/rest/teams/members#remove-team-membership-for-a-user
- https://docs.github.com/en/rest/pulls/pulls#list-pull-requests (no `since`: sort by updated, stop at the cursor)
- https://docs.github.com/en/rest/pulls/reviews#list-reviews-for-a-pull-request
- https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api (403/429, x-ratelimit-*, retry-after)
- https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api (Link headers)
- PyGithub 2.10: https://pygithub.readthedocs.io/en/stable/
"""

import datetime as dt
import json
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import github
import requests
from django.conf import settings
from django.utils import timezone

from .integrations import IntegrationError, NotFound, PermanentError, Provider, RateLimited, TransientError

__all__ = [
    "GitHubUser",
    "IntegrationError",
    "InviteResult",
    "NotFound",
    "PermanentError",
    "PullRequest",
    "RateLimited",
    "Review",
    "TeamMembershipResult",
    "TransientError",
    "add_repository_collaborator",
    "add_team_member",
    "get_user",
    "list_pull_requests_updated_since",
    "list_reviews",
    "pull_requests_changed",
    "remove_repository_collaborator",
    "remove_team_member",
]

PAGE_SIZE = 100  # the API's maximum: fewest requests per sync
TIMEOUT_SECONDS = 15
# A secondary rate limit may come without retry-after or reset; GitHub says to wait at least a minute.
SECONDARY_LIMIT_WAIT = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class GitHubUser:
    id: int
    login: str


@dataclass(frozen=True)
class InviteResult:
    """`invited`: a pending invitation (201) until the person accepts; `already_had_access`: nothing to accept (204)."""

    status: Literal["invited", "already_had_access"]
    http_status: int
    invitation_id: int | None = None


@dataclass(frozen=True)
class TeamMembershipResult:
    """`pending` until the person accepts the organisation's invitation; `active` when they already belong to it."""

    state: Literal["active", "pending"]
    role: str


@dataclass(frozen=True)
class PullRequest:
    number: int
    id: int
    author_id: int | None  # None when GitHub sends no user (deleted accounts show as the "ghost" user or null)
    author_login: str | None
    state: str
    created_at: dt.datetime
    updated_at: dt.datetime
    merged_at: dt.datetime | None
    html_url: str


@dataclass(frozen=True)
class Review:
    id: int
    author_id: int | None
    author_login: str | None
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING
    submitted_at: dt.datetime | None  # None for a PENDING review
    html_url: str


def _client() -> github.Github:
    token = settings.GITHUB_TOKEN
    return github.Github(
        base_url=settings.GITHUB_API_URL.rstrip("/"),
        auth=github.Auth.Token(token) if token else None,
        per_page=PAGE_SIZE,
        timeout=TIMEOUT_SECONDS,
        # No retries inside the client: the Celery task is the one retry policy (reschedule at `retry_at` when
        # rate limited, backoff on 5xx). PyGithub's GithubRetry would sleep in the worker, and its
        # `max_rate_limit_wait` does not cap a `Retry-After` header, which urllib3 honours on its own.
        retry=None,
        # Pacing belongs to the one paced queue per token; a per-client throttle resets with every client.
        seconds_between_requests=None,
        seconds_between_writes=None,
        # Lazy objects: `get_repo` and `get_pull` cost no request; only the calls below reach the API.
        lazy=True,
    )


def _header(headers: dict[str, Any] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return str(value)
    return None


def _message(error: github.GithubException) -> str:
    data = error.data if isinstance(error.data, dict) else {}
    message = data.get("message") or error.message or str(error.data or "") or f"HTTP {error.status}"
    details = [item.get("message") for item in data.get("errors") or [] if isinstance(item, dict)]
    details = [detail for detail in details if detail]
    return f"{message}: {'; '.join(details)}" if details else message


def _is_rate_limited(error: github.GithubException, message: str) -> bool:
    if error.status not in (403, 429):
        return False
    headers = error.headers
    return (
        _header(headers, "x-ratelimit-remaining") == "0"
        or _header(headers, "retry-after") is not None
        or "rate limit" in message.lower()
    )


def _retry_at(headers: dict[str, Any] | None) -> dt.datetime:
    retry_after = _header(headers, "retry-after")
    if retry_after and retry_after.isdigit():
        return timezone.now() + dt.timedelta(seconds=int(retry_after))
    reset = _header(headers, "x-ratelimit-reset")
    if _header(headers, "x-ratelimit-remaining") == "0" and reset and reset.isdigit():
        return dt.datetime.fromtimestamp(int(reset), tz=dt.UTC)
    return timezone.now() + SECONDARY_LIMIT_WAIT


def _translate(error: github.GithubException) -> IntegrationError:
    message = _message(error)
    status = error.status
    if _is_rate_limited(error, message):
        return RateLimited(message, source=Provider.GITHUB, status=status, retry_at=_retry_at(error.headers))
    if status >= 500:
        return TransientError(message, source=Provider.GITHUB, status=status)
    if status == 404:
        return NotFound(message, source=Provider.GITHUB, status=status)
    return PermanentError(message, source=Provider.GITHUB, status=status)


@contextmanager
def _calling_github() -> Iterator[None]:
    try:
        yield
    except github.GithubException as error:
        raise _translate(error) from error
    except requests.RequestException as error:  # refused, reset, timed out: PyGithub lets these through
        raise TransientError(str(error), source=Provider.GITHUB) from error


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _user_fields(user: Any) -> tuple[int | None, str | None]:
    if user is None:
        return None, None
    return user.id, user.login


def get_user(username: str) -> GitHubUser:
    """The account behind a username; NotFound (with GitHub's message) when there is none."""
    with _calling_github():
        user = _client().get_user(username)
        return GitHubUser(id=user.id, login=user.login)


def add_repository_collaborator(repo_full_name: str, username: str, permission: str = "push") -> InviteResult:
    """Give a person access to a repository: an invitation they must accept (201) or immediate access (204)."""
    with _calling_github():
        invitation = _client().get_repo(repo_full_name).add_to_collaborators(username, permission)
        if invitation is None:
            return InviteResult(status="already_had_access", http_status=204)
        return InviteResult(status="invited", http_status=201, invitation_id=invitation.id)


def remove_repository_collaborator(repo_full_name: str, username: str) -> None:
    """Revoke a person's access to a repository; GitHub also cancels their outstanding invitation."""
    with _calling_github():
        _client().get_repo(repo_full_name).remove_from_collaborators(username)


def add_team_member(org: str, team_slug: str, username: str, role: str = "member") -> TeamMembershipResult:
    """Add a person to an organisation team; `pending` means GitHub sent an organisation invitation first."""
    # PyGithub's Team.add_membership drops the answer (and needs a fetched user), so call the endpoint directly.
    path = f"/orgs/{_quote(org)}/teams/{_quote(team_slug)}/memberships/{_quote(username)}"
    with _calling_github():
        _, data = _client().requester.requestJsonAndCheck("PUT", path, input={"role": role})
    return TeamMembershipResult(state=data["state"], role=data.get("role", role))


def remove_team_member(org: str, team_slug: str, username: str) -> None:
    """Remove a person from an organisation team (NotFound when the team or the membership does not exist)."""
    path = f"/orgs/{_quote(org)}/teams/{_quote(team_slug)}/memberships/{_quote(username)}"
    with _calling_github():
        _client().requester.requestJsonAndCheck("DELETE", path)


def repository_invitation_state(repo_full_name: str, username: str) -> Literal["accepted", "pending", "expired"]:
    """Where a repository invitation stands: the person is a collaborator (accepted), an unexpired invitation
    waits for them (pending), or neither (GitHub expires invitations after 7 days, or someone cancelled it)."""
    # https://docs.github.com/en/rest/collaborators/collaborators#check-if-a-user-is-a-repository-collaborator
    # https://docs.github.com/en/rest/collaborators/invitations#list-repository-invitations
    with _calling_github():
        repo = _client().get_repo(repo_full_name)
        if repo.has_in_collaborators(username):
            return "accepted"
        for invitation in repo.get_pending_invitations():
            if invitation.invitee is not None and invitation.invitee.login.lower() == username.lower():
                return "expired" if invitation.expired else "pending"
    return "expired"


def team_membership_state(org: str, team_slug: str, username: str) -> Literal["active", "pending"] | None:
    """A person's team membership: active, pending (the organisation invitation is not accepted yet), or None
    when there is none (an organisation invitation that expired takes its pending team membership with it)."""
    # https://docs.github.com/en/rest/teams/members#get-team-membership-for-a-user
    path = f"/orgs/{_quote(org)}/teams/{_quote(team_slug)}/memberships/{_quote(username)}"
    try:
        with _calling_github():
            _, data = _client().requester.requestJsonAndCheck("GET", path)
    except NotFound:
        return None
    return data["state"]


class PullRequestListing(list):
    """The pull requests found, and `requests`: how many list pages were read to find them."""

    requests: int = 0


def list_pull_requests_updated_since(repo_full_name: str, since: dt.datetime) -> PullRequestListing:
    """Pull requests updated at or after `since`, newest first.

    The list endpoint has no `since`: list by `updated` descending and stop paginating at the first pull request
    older than the cursor, so an unchanged repository costs one request however many pull requests it has.
    """
    if timezone.is_naive(since):
        raise ValueError("since must be timezone-aware")
    found = PullRequestListing()
    read = 0
    with _calling_github():
        pulls = _client().get_repo(repo_full_name).get_pulls(state="all", sort="updated", direction="desc")
        for pull in pulls:  # PaginatedList fetches the next page only when iteration reaches it
            read += 1
            if pull.updated_at < since:
                break
            author_id, author_login = _user_fields(pull.user)
            found.append(
                PullRequest(
                    number=pull.number,
                    id=pull.id,
                    author_id=author_id,
                    author_login=author_login,
                    state=pull.state,
                    created_at=pull.created_at,
                    updated_at=pull.updated_at,
                    merged_at=pull.merged_at,
                    html_url=pull.html_url,
                )
            )
    # Pages of PAGE_SIZE up to the one holding the last pull request read (an empty list is one request).
    found.requests = max(1, -(-read // PAGE_SIZE))
    return found


def pull_requests_changed(repo_full_name: str, etag: str) -> tuple[bool, str]:
    """Ask with `If-None-Match` whether the first page of the pull-request list changed since `etag`.

    Answers (changed, etag). A 304 costs nothing against the hourly limit; since the list is sorted by `updated`,
    any new or updated pull request changes the first page. PyGithub cannot send a conditional request on a
    paginated list, so this is one raw call through its requester (same base URL, token and error handling).
    """
    path = f"/repos/{repo_full_name}/pulls"
    parameters = {"state": "all", "sort": "updated", "direction": "desc", "per_page": PAGE_SIZE}
    headers = {"If-None-Match": etag} if etag else {}
    with _calling_github():
        status, response_headers, body = _client().requester.requestJson("GET", path, parameters, headers)
        if status == 304:
            return False, etag
        if status >= 400:  # the same exception PyGithub raises, so rate limits and 5xx are handled as everywhere
            try:
                data = json.loads(body) if body else None
            except ValueError:
                data = body
            raise github.GithubException(status, data, response_headers)
    return True, _header(response_headers, "etag") or ""


def list_reviews(repo_full_name: str, number: int) -> list[Review]:
    """Every review of one pull request, oldest first (the API's order)."""
    with _calling_github():
        reviews = _client().get_repo(repo_full_name).get_pull(number).get_reviews()
        found = []
        for review in reviews:
            author_id, author_login = _user_fields(review.user)
            submitted_at = review.submitted_at
            found.append(
                Review(
                    id=review.id,
                    author_id=author_id,
                    author_login=author_login,
                    state=review.state,
                    submitted_at=submitted_at if isinstance(submitted_at, dt.datetime) else None,
                    html_url=review.html_url,
                )
            )
    return found
