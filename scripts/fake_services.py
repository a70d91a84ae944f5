"""Run the fake GitHub (port 8201) and Slack (port 8202) servers with demo data, for the local demo.

Usage: python scripts/fake_services.py [--host 127.0.0.1] [--github-port 8201] [--slack-port 8202]
Then run the platform with
    GITHUB_API_URL=http://127.0.0.1:8201 GITHUB_TOKEN=demo SLACK_API_URL=http://127.0.0.1:8202/api/ SLACK_BOT_TOKEN=demo

Nothing here talks to GitHub or Slack. Repositories, teams and channels come into existence on first use, each
with a few days of pull requests, reviews and messages from the demo users (seed_demo's GitHub usernames and
emails). The demo applicant is not in the Slack workspace, so accepting them shows the "join the workspace
first" path; every other demo user is.
"""

import argparse
import datetime as dt
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.github_server import FakeGitHub, Repo
from tests.fakes.slack_server import Channel, FakeSlack

# seed_demo's users: GitHub username, Slack user id (None: not in the workspace), email.
DEMO_PEOPLE = [
    ("samstaff", "U0SAMSTAFF", "staff@demo.omdena.test"),
    ("chrisclient", "U0CHRIS", "client@demo.omdena.test"),
    ("leeleader", "U0LEELEAD", "leader@demo.omdena.test"),
    ("camcollaborator", "U0CAMCOLL", "collaborator@demo.omdena.test"),
    ("adaapplicant", None, "applicant@demo.omdena.test"),
]
ORGANISATION = "OmdenaAI"
ACTIVE = ["leeleader", "camcollaborator"]


class DemoGitHub(FakeGitHub):
    """Every repository created on first use gets a week of pull requests and reviews."""

    def add_repo(self, full_name: str, *, collaborators: tuple[str, ...] = ()) -> Repo:
        with self.lock:
            is_new = full_name.lower() not in self.repos
            repo = super().add_repo(full_name, collaborators=collaborators)
            if is_new:
                now = dt.datetime.now(dt.UTC)
                for day in range(1, 8):
                    author, reviewer = ACTIVE[day % 2], ACTIVE[(day + 1) % 2]
                    updated = now - dt.timedelta(days=day, hours=3)
                    merged = updated if day % 3 else None
                    pull = self.add_pull(
                        full_name, author=author, created_at=updated, updated_at=updated, merged_at=merged
                    )
                    self.add_review(full_name, pull["number"], author=reviewer, submitted_at=updated)
            return repo


class DemoSlack(FakeSlack):
    """Every channel created on first use gets a week of messages, a thread and a few joins."""

    def add_channel(self, channel_id: str, *, name: str = "", members: tuple[str, ...] = (), bot: bool = True) -> None:
        with self.lock:
            is_new = channel_id not in self.channels
            super().add_channel(channel_id, name=name, members=members, bot=bot)
            if is_new:
                self._seed(self.channels[channel_id])

    def _seed(self, channel: Channel) -> None:
        now = dt.datetime.now(dt.UTC)
        people = [slack_id for _, slack_id, _ in DEMO_PEOPLE if slack_id and slack_id != "U0CHRIS"]
        channel.members.update(people)
        for day in range(1, 8):
            moment = now - dt.timedelta(days=day)
            author = people[day % len(people)]
            parent = self.post(channel.id, user=author, text=f"Day {8 - day}: progress update", ts=moment.timestamp())
            reply_at = moment + dt.timedelta(hours=2)
            self.post(
                channel.id,
                user=people[(day + 1) % len(people)],
                text="Nice!",
                ts=reply_at.timestamp(),
                thread_ts=parent,
            )
        self.post(channel.id, user=None, subtype="bot_message", bot_id="B0CI", text="CI passed")


def build(host: str, github_port: int, slack_port: int) -> tuple[FakeGitHub, FakeSlack]:
    github = DemoGitHub(host, github_port, autocreate=True)
    slack = DemoSlack(host, slack_port, autocreate=True)
    for login, slack_id, email in DEMO_PEOPLE:
        github.add_user(login)
        if slack_id:
            slack.add_user(slack_id, email=email, name=login)
    github.add_org_member(ORGANISATION, "samstaff")
    github.add_org_member(ORGANISATION, "leeleader")
    return github, slack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--github-port", type=int, default=8201)
    parser.add_argument("--slack-port", type=int, default=8202)
    args = parser.parse_args()

    github, slack = build(args.host, args.github_port, args.slack_port)
    github.start()
    slack.start()
    print(f"Fake GitHub on {github.url}  (GITHUB_API_URL={github.url})", flush=True)
    print(f"Fake Slack  on {slack.url}  (SLACK_API_URL={slack.api_url})", flush=True)
    print("Ctrl-C to stop.", flush=True)

    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        github.stop()
        slack.stop()


if __name__ == "__main__":
    main()
