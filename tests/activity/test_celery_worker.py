"""The weekly sync and scoring tasks run under a real Celery worker, through Redis, not only eagerly."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from activity.models import ActivityEvent, WeeklyScore
from challenges.enums import ChallengeStatus
from omdena.celery import app
from omdena.weeks import iso_week_label
from tests.factories import ChallengeFactory, MembershipFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_WORKER_TEST_BROKER", "redis://127.0.0.1:6379/14")
WAIT_SECONDS = 60

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _redis_up() -> bool:
    try:
        return redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        return False


@pytest.fixture
def worker(fake_github, fake_slack):
    """A real worker process on its own Redis database, using the test database and the fake servers."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the PostgreSQL test database")
    if not _redis_up():
        pytest.skip("Redis is not running at " + BROKER)
    redis.Redis.from_url(BROKER).flushdb()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "omdena.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": BROKER,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "GITHUB_API_URL": settings.GITHUB_API_URL,
        "GITHUB_TOKEN": settings.GITHUB_TOKEN,
        "SLACK_API_URL": settings.SLACK_API_URL,
        "SLACK_BOT_TOKEN": settings.SLACK_BOT_TOKEN,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "omdena",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--queues=default,integrations",  # both queues of settings.CELERY_TASK_ROUTES
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def _send(name: str, *args) -> None:
    """Through the broker, whatever this process's eager setting says."""
    with app.connection_for_write(BROKER) as conn:
        app.send_task(name, args=list(args), connection=conn)


def _wait_for(check, what: str):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)  # polling another process; no test logic depends on the clock
    pytest.fail(f"the worker did not {what} within {WAIT_SECONDS} s")


def test_sync_and_scoring_run_in_a_real_worker(worker, fake_github, fake_slack):
    now = timezone.now()
    start = (now - dt.timedelta(days=15)).date()
    challenge = ChallengeFactory(
        status=ChallengeStatus.RUNNING, start_date=start, github_repositories=["OmdenaAI/floods"], slack_channel_ids=[]
    )
    person = UserFactory(github_username="octocat", github_user_id=583231)
    membership = MembershipFactory(person=person, challenge=challenge)
    type(membership).objects.filter(pk=membership.pk).update(joined_at=now - dt.timedelta(days=20))
    fake_github.add_user("octocat", id=583231)
    fake_github.add_repo("OmdenaAI/floods")
    last_week_monday = (now - dt.timedelta(days=now.weekday() + 7)).replace(hour=12, minute=0, second=0, microsecond=0)
    fake_github.add_pull("OmdenaAI/floods", author="octocat", updated_at=last_week_monday, created_at=last_week_monday)

    _send("activity.tasks.sync_challenge", challenge.pk)
    _wait_for(
        lambda: ActivityEvent.objects.filter(challenge=challenge, person=person).exists(), "store the pull request"
    )

    week = iso_week_label(last_week_monday.date())
    _send("activity.tasks.score_and_police_week", challenge.pk, week)
    _wait_for(lambda: WeeklyScore.objects.filter(membership__person=person, week=week).exists(), "score the week")

    score = WeeklyScore.objects.get(membership__person=person, week=week)
    assert score.points >= 10 and score.active
