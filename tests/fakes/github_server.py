"""A fake GitHub REST API: the endpoints `activity/github.py` calls, with GitHub's payload and header shapes.

Follows https://docs.github.com/en/rest closely enough for PyGithub: users, repository collaborators and
invitations, team memberships, pull requests (sorted, paginated with `Link` headers) and reviews, the
`x-ratelimit-*` headers on every answer, conditional requests (ETag / 304, not counted against the limit), and
GitHub's error bodies (`{"message": ..., "documentation_url": ...}`).

    fake = FakeGitHub().start()          # or the `fake_github` fixture, which also points settings at it
    fake.add_user("octocat", id=583231)
    fake.add_repo("OmdenaAI/water")
    fake.exhaust_rate_limit(reset_at=...)  # the next request answers 403 with remaining 0
    fake.invitations("OmdenaAI/water")   # {"octocat"} after add_repository_collaborator
"""

import datetime as dt
import hashlib
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from . import FakeService, Request, Response

DOCS = "https://docs.github.com/rest"
PERMISSIONS = {"pull": "read", "triage": "triage", "push": "write", "maintain": "maintain", "admin": "admin"}
RATE_LIMIT_MESSAGE = (
    "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID."
)
SECONDARY_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out "
    "to GitHub Support for help, please include the request ID."
)


def iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def not_found(documentation: str = "") -> Response:
    return Response(404, {"message": "Not Found", "documentation_url": f"{DOCS}{documentation}", "status": "404"})


@dataclass
class Repo:
    full_name: str
    id: int
    collaborators: set[str] = field(default_factory=set)  # lower-case logins
    invitations: dict[str, dict] = field(default_factory=dict)  # lower-case login -> invitation payload
    invitations_sent: int = 0
    pulls: dict[int, dict] = field(default_factory=dict)
    reviews: dict[int, list[dict]] = field(default_factory=dict)

    @property
    def owner(self) -> str:
        return self.full_name.split("/")[0]


class FakeGitHub(FakeService):
    """In-memory GitHub. Logins, orgs and repository names are case-insensitive, as on GitHub."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, autocreate: bool = False):
        super().__init__(host, port)
        # autocreate (the local demo): unknown repositories, teams and users spring into existence when used.
        self.autocreate = autocreate
        self._ids = itertools.count(1000)
        self.users: dict[str, dict] = {}
        self.org_members: dict[str, set[str]] = {}
        self.repos: dict[str, Repo] = {}
        self.teams: dict[tuple[str, str], dict[str, dict]] = {}  # (org, slug) -> login -> {state, role}
        self.invitation_limit = 50  # per repository per day, as on GitHub
        self.rate_limit = 5000
        self.rate_remaining = 5000
        self.rate_reset = int(time.time()) + 3600
        self.add_user("omdena-bot", id=1)

    # -- setting up ---------------------------------------------------------------------------------------------

    def add_user(self, login: str, *, id: int | None = None, deleted: bool = False) -> dict:
        with self.lock:
            user = {"login": login, "id": id or next(self._ids), "type": "User", "site_admin": False}
            if not deleted:
                self.users[login.lower()] = user
            return user

    def add_org_member(self, org: str, login: str) -> None:
        with self.lock:
            self._user(login)
            self.org_members.setdefault(org.lower(), set()).add(login.lower())

    def add_team(self, org: str, slug: str) -> None:
        with self.lock:
            self.teams.setdefault((org.lower(), slug.lower()), {})

    def add_repo(self, full_name: str, *, collaborators: tuple[str, ...] = ()) -> Repo:
        with self.lock:
            repo = self.repos.setdefault(full_name.lower(), Repo(full_name=full_name, id=next(self._ids)))
            repo.collaborators.update(login.lower() for login in collaborators)
            return repo

    def add_pull(
        self,
        full_name: str,
        *,
        author: str | dict | None,
        updated_at: dt.datetime,
        created_at: dt.datetime | None = None,
        merged_at: dt.datetime | None = None,
        number: int | None = None,
        title: str = "Improve the model",
    ) -> dict:
        """A pull request; `author` a login, a user payload, or None for a deleted account's `"user": null`."""
        with self.lock:
            repo = self._repo(full_name)
            number = number or len(repo.pulls) + 1
            user = self._known_user(author) if isinstance(author, str) else author
            closed = merged_at is not None
            pull = {
                "url": f"{self.url}/repos/{repo.full_name}/pulls/{number}",
                "id": next(self._ids) * 1000 + number,
                "node_id": f"PR_{number}",
                "html_url": f"https://github.com/{repo.full_name}/pull/{number}",
                "number": number,
                "state": "closed" if closed else "open",
                "locked": False,
                "title": title,
                "user": self._user_payload(user) if user else None,
                "body": "",
                "labels": [],
                "created_at": iso(created_at or updated_at),
                "updated_at": iso(updated_at),
                "closed_at": iso(merged_at),
                "merged_at": iso(merged_at),
                "merge_commit_sha": "0" * 40 if closed else None,
                "draft": False,
                "head": {"label": "contributor:feature", "ref": "feature", "sha": "1" * 40},
                "base": {"label": f"{repo.owner}:main", "ref": "main", "sha": "2" * 40},
                "author_association": "CONTRIBUTOR",
                "auto_merge": None,
                "active_lock_reason": None,
                "sub_issues_summary": {"total": 0},  # a field PyGithub does not know: must be ignored
            }
            repo.pulls[number] = pull
            return pull

    def add_review(
        self,
        full_name: str,
        number: int,
        *,
        author: str | None,
        submitted_at: dt.datetime | None,
        state: str = "APPROVED",
    ) -> dict:
        with self.lock:
            repo = self._repo(full_name)
            review_id = next(self._ids) * 100
            review = {
                "id": review_id,
                "node_id": f"PRR_{review_id}",
                "user": self._user_payload(self._known_user(author)) if author else None,
                "body": "Looks good.",
                "state": state,
                "html_url": f"https://github.com/{repo.full_name}/pull/{number}#pullrequestreview-{review_id}",
                "pull_request_url": f"{self.url}/repos/{repo.full_name}/pulls/{number}",
                "author_association": "CONTRIBUTOR",
                "commit_id": "1" * 40,
            }
            if state != "PENDING":  # a pending review has no submitted_at
                review["submitted_at"] = iso(submitted_at)
            repo.reviews.setdefault(number, []).append(review)
            return review

    def accept_invitation(self, full_name: str, login: str) -> None:
        with self.lock:
            repo = self._repo(full_name)
            repo.invitations.pop(login.lower(), None)
            repo.collaborators.add(login.lower())

    def expire_invitation(self, full_name: str, login: str) -> None:
        """Seven days passed: GitHub keeps listing the invitation, marked expired, and it can no longer be accepted."""
        with self.lock:
            self._repo(full_name).invitations[login.lower()]["expired"] = True

    def expire_org_invitation(self, org: str, login: str) -> None:
        """The organisation invitation expired: the pending team memberships it carried are gone."""
        with self.lock:
            for (team_org, _slug), members in self.teams.items():
                if team_org == org.lower() and members.get(login.lower(), {}).get("state") == "pending":
                    members.pop(login.lower())

    def accept_org_invitation(self, org: str, login: str) -> None:
        with self.lock:
            self.org_members.setdefault(org.lower(), set()).add(login.lower())
            for (team_org, _slug), members in self.teams.items():
                if team_org == org.lower() and login.lower() in members:
                    members[login.lower()]["state"] = "active"

    # -- inspecting ---------------------------------------------------------------------------------------------

    def collaborators(self, full_name: str) -> set[str]:
        with self.lock:
            return set(self._repo(full_name).collaborators)

    def invitations(self, full_name: str) -> set[str]:
        with self.lock:
            return set(self._repo(full_name).invitations)

    def team_members(self, org: str, slug: str) -> dict[str, str]:
        """login -> membership state (active / pending)."""
        with self.lock:
            return {login: member["state"] for login, member in self.teams[(org.lower(), slug.lower())].items()}

    # -- scripted failures --------------------------------------------------------------------------------------

    def exhaust_rate_limit(self, *, reset_at: dt.datetime, status: int = 403, count: int = 1) -> None:
        """The next `count` requests answer as a spent primary rate limit (GitHub uses 403 or 429)."""
        reset = str(int(reset_at.timestamp()))

        def answer() -> Response:
            return Response(
                status,
                {"message": RATE_LIMIT_MESSAGE, "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api"},
                {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset, "x-ratelimit-used": str(self.rate_limit)},
            )

        self.fail_next(answer, count=count)

    def throttle_next(self, *, retry_after: int = 60, status: int = 429, count: int = 1) -> None:
        """The next `count` requests answer as a secondary rate limit with `retry-after`."""

        def answer() -> Response:
            return Response(
                status,
                {
                    "message": SECONDARY_LIMIT_MESSAGE,
                    "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api",
                },
                {"retry-after": str(retry_after)},
            )

        self.fail_next(answer, count=count)

    def break_next(self, *, status: int = 502, count: int = 1) -> None:
        """The next `count` requests fail as GitHub's front end does when a backend is down."""
        self.fail_next(lambda: Response(status, {"message": "Server Error"}), count=count)

    # -- serving ------------------------------------------------------------------------------------------------

    ROUTES = [
        ("GET", r"/rate_limit", "get_rate_limit"),
        ("GET", r"/users/(?P<login>[^/]+)", "get_user"),
        ("GET", r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)", "get_repo"),
        ("GET", r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)/collaborators/(?P<login>[^/]+)", "check_collaborator"),
        ("PUT", r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)/collaborators/(?P<login>[^/]+)", "put_collaborator"),
        ("GET", r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)/invitations", "list_invitations"),
        ("DELETE", r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)/collaborators/(?P<login>[^/]+)", "delete_collaborator"),
        ("GET", r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)/pulls", "list_pulls"),
        ("GET", r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)/pulls/(?P<number>\d+)/reviews", "list_reviews"),
        ("GET", r"/orgs/(?P<org>[^/]+)/teams/(?P<slug>[^/]+)/memberships/(?P<login>[^/]+)", "get_membership"),
        ("PUT", r"/orgs/(?P<org>[^/]+)/teams/(?P<slug>[^/]+)/memberships/(?P<login>[^/]+)", "put_membership"),
        ("DELETE", r"/orgs/(?P<org>[^/]+)/teams/(?P<slug>[^/]+)/memberships/(?P<login>[^/]+)", "delete_membership"),
    ]

    def handle(self, request: Request) -> Response:
        if request.path != "/rate_limit" and self.rate_remaining <= 0 and time.time() < self.rate_reset:
            return Response(403, {"message": RATE_LIMIT_MESSAGE, "documentation_url": DOCS})
        for method, pattern, name in self.ROUTES:
            match = re.fullmatch(pattern, request.path)
            if match and request.method == method:
                with self.lock:
                    return getattr(self, f"_{name}")(request, **match.groupdict())
        return not_found()

    def finish(self, request: Request, response: Response) -> Response:
        if request.method == "GET" and response.status == 200 and response.body is not None:
            etag = 'W/"' + hashlib.sha1(json.dumps(response.body).encode(), usedforsecurity=False).hexdigest() + '"'
            response.headers.setdefault("ETag", etag)
            if request.headers.get("if-none-match") == etag:  # 304s are free: not counted against the limit
                response = Response(304, None, {"ETag": etag})
        with self.lock:
            if request.path != "/rate_limit" and response.status != 304 and self.rate_remaining > 0:
                self.rate_remaining -= 1
            for name, value in {
                "x-ratelimit-limit": str(self.rate_limit),
                "x-ratelimit-remaining": str(self.rate_remaining),
                "x-ratelimit-reset": str(self.rate_reset),
                "x-ratelimit-used": str(self.rate_limit - self.rate_remaining),
                "x-ratelimit-resource": "core",
                "x-github-api-version-selected": "2022-11-28",
            }.items():
                response.headers.setdefault(name, value)
        return response

    # -- state helpers ------------------------------------------------------------------------------------------

    def _user(self, login: str) -> dict | None:
        user = self.users.get(login.lower())
        if user is None and self.autocreate:
            user = self.add_user(login)
        return user

    def _known_user(self, login: str) -> dict:
        return self._user(login) or self.add_user(login)

    def _repo(self, full_name: str) -> Repo:
        repo = self.repos.get(full_name.lower())
        if repo is None and self.autocreate:
            repo = self.add_repo(full_name)
        if repo is None:
            raise KeyError(full_name)
        return repo

    def _find_repo(self, owner: str, name: str) -> Repo | None:
        try:
            return self._repo(f"{owner}/{name}")
        except KeyError:
            return None

    def _user_payload(self, user: dict) -> dict:
        login = user["login"]
        return {
            "login": login,
            "id": user["id"],
            "node_id": f"U_{user['id']}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{user['id']}?v=4",
            "url": f"{self.url}/users/{login}",
            "html_url": f"https://github.com/{login}",
            "type": user["type"],
            "site_admin": user["site_admin"],
        }

    def _repo_payload(self, repo: Repo) -> dict:
        owner = self._known_user(repo.owner)
        return {
            "id": repo.id,
            "node_id": f"R_{repo.id}",
            "name": repo.full_name.split("/")[1],
            "full_name": repo.full_name,
            "owner": self._user_payload(owner),
            "private": False,
            "html_url": f"https://github.com/{repo.full_name}",
            "url": f"{self.url}/repos/{repo.full_name}",
        }

    # -- endpoints ----------------------------------------------------------------------------------------------

    def _get_rate_limit(self, request: Request) -> Response:
        core = {
            "limit": self.rate_limit,
            "remaining": self.rate_remaining,
            "reset": self.rate_reset,
            "used": self.rate_limit - self.rate_remaining,
        }
        return Response(200, {"resources": {"core": core}, "rate": core})

    def _get_user(self, request: Request, login: str) -> Response:
        user = self._user(login)
        if user is None:
            return not_found("/users/users#get-a-user")
        return Response(200, {**self._user_payload(user), "name": None, "company": None, "public_repos": 1})

    def _get_repo(self, request: Request, owner: str, name: str) -> Response:
        repo = self._find_repo(owner, name)
        return Response(200, self._repo_payload(repo)) if repo else not_found("/repos/repos#get-a-repository")

    def _put_collaborator(self, request: Request, owner: str, name: str, login: str) -> Response:
        repo = self._find_repo(owner, name)
        user = self._user(login)
        if repo is None or user is None:
            return not_found("/collaborators/collaborators#add-a-repository-collaborator")
        key = login.lower()
        if key in repo.collaborators:
            return Response(204)
        if key in self.org_members.get(repo.owner.lower(), set()):  # org members get access without invitation
            repo.collaborators.add(key)
            return Response(204)
        if key in repo.invitations and not repo.invitations[key]["expired"]:
            return Response(201, repo.invitations[key])  # an invitation is already pending: GitHub answers with it
        if repo.invitations_sent >= self.invitation_limit:
            return Response(
                422,
                {
                    "message": "Validation Failed",
                    "errors": [
                        {
                            "resource": "Repository",
                            "code": "custom",
                            "message": f"{repo.full_name} has reached the limit of invitations per 24 hours.",
                        }
                    ],
                    "documentation_url": f"{DOCS}/collaborators/collaborators#add-a-repository-collaborator",
                    "status": "422",
                },
            )
        permission = (request.json() or {}).get("permission", "push")
        invitation_id = next(self._ids)
        invitation = {
            "id": invitation_id,
            "node_id": f"RI_{invitation_id}",
            "repository": self._repo_payload(repo),
            "invitee": self._user_payload(user),
            "inviter": self._user_payload(self.users["omdena-bot"]),
            "permissions": PERMISSIONS.get(permission, permission),
            "created_at": iso(dt.datetime.now(dt.UTC)),
            "expired": False,
            "url": f"{self.url}/user/repository_invitations/{invitation_id}",
            "html_url": f"https://github.com/{repo.full_name}/invitations",
        }
        repo.invitations[key] = invitation
        repo.invitations_sent += 1
        return Response(201, invitation)

    def _check_collaborator(self, request: Request, owner: str, name: str, login: str) -> Response:
        repo = self._find_repo(owner, name)
        if repo is None:
            return not_found("/collaborators/collaborators#check-if-a-user-is-a-repository-collaborator")
        return Response(204) if login.lower() in repo.collaborators else Response(404, {"message": "Not Found"})

    def _list_invitations(self, request: Request, owner: str, name: str) -> Response:
        repo = self._find_repo(owner, name)
        if repo is None:
            return not_found("/collaborators/invitations#list-repository-invitations")
        return self._page(request, list(repo.invitations.values()))

    def _delete_collaborator(self, request: Request, owner: str, name: str, login: str) -> Response:
        repo = self._find_repo(owner, name)
        if repo is None or self._user(login) is None:
            return not_found("/collaborators/collaborators#remove-a-repository-collaborator")
        # "This endpoint also cancels any outstanding invitations" (GitHub's documentation).
        repo.collaborators.discard(login.lower())
        repo.invitations.pop(login.lower(), None)
        return Response(204)

    def _list_pulls(self, request: Request, owner: str, name: str) -> Response:
        repo = self._find_repo(owner, name)
        if repo is None:
            return not_found("/pulls/pulls#list-pull-requests")
        state = request.query.get("state", "open")
        sort = request.query.get("sort", "created")
        field_name = {"updated": "updated_at", "created": "created_at"}.get(sort, "created_at")
        pulls = [pull for pull in repo.pulls.values() if state == "all" or pull["state"] == state]
        pulls.sort(key=lambda pull: (pull[field_name], pull["number"]), reverse=request.query.get("direction") != "asc")
        return self._page(request, pulls)

    def _list_reviews(self, request: Request, owner: str, name: str, number: str) -> Response:
        repo = self._find_repo(owner, name)
        if repo is None or int(number) not in repo.pulls:
            return not_found("/pulls/reviews#list-reviews-for-a-pull-request")
        return self._page(request, repo.reviews.get(int(number), []))

    def _page(self, request: Request, items: list[dict]) -> Response:
        """One page of a list with GitHub's `Link` header (first/prev/next/last, absolute URLs)."""
        per_page = min(int(request.query.get("per_page", 30)), 100)
        page = max(int(request.query.get("page", 1)), 1)
        last = max((len(items) + per_page - 1) // per_page, 1)
        body = items[(page - 1) * per_page : page * per_page]

        def link(number: int, rel: str) -> str:
            query = urlencode({**request.query, "page": number})
            return f'<{self.url}{request.path}?{query}>; rel="{rel}"'

        links = []
        if page > 1:
            links += [link(page - 1, "prev"), link(1, "first")]
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        return Response(200, body, {"Link": ", ".join(links)} if links else {})

    def _put_membership(self, request: Request, org: str, slug: str, login: str) -> Response:
        key = (org.lower(), slug.lower())
        if key not in self.teams and self.autocreate:
            self.add_team(org, slug)
        user = self._user(login)
        if key not in self.teams or user is None:
            return not_found("/teams/members#add-or-update-team-membership-for-a-user")
        role = (request.json() or {}).get("role", "member")
        members = self.teams[key]
        in_org = login.lower() in self.org_members.get(org.lower(), set())
        state = members.get(login.lower(), {}).get("state") or ("active" if in_org else "pending")
        members[login.lower()] = {"state": state, "role": role}
        return Response(
            200,
            {"url": f"{self.url}/orgs/{org}/teams/{slug}/memberships/{user['login']}", "role": role, "state": state},
        )

    def _get_membership(self, request: Request, org: str, slug: str, login: str) -> Response:
        membership = self.teams.get((org.lower(), slug.lower()), {}).get(login.lower())
        user = self._user(login)
        if membership is None or user is None:
            return not_found("/teams/members#get-team-membership-for-a-user")
        url = f"{self.url}/orgs/{org}/teams/{slug}/memberships/{user['login']}"
        return Response(200, {"url": url, "role": membership["role"], "state": membership["state"]})

    def _delete_membership(self, request: Request, org: str, slug: str, login: str) -> Response:
        key = (org.lower(), slug.lower())
        if key not in self.teams or self._user(login) is None:
            return not_found("/teams/members#remove-team-membership-for-a-user")
        self.teams[key].pop(login.lower(), None)
        return Response(204)
