"""Completion benchmark: completing a challenge of 50 and of 200 seats, the repeat, the PDF and the verification page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_completion .venv/bin/python bench/completion.py [--runs 5]

Re-creates its own database, makes one running challenge per size (seats active, a few warned and removed,
a few task leaders), then times `challenge_complete` (the staff's request: the seats move) and
`completion_rewards_issue` (the task after the commit: certificates, codes, messages), median of --runs,
each run inside a transaction that is rolled back, so every run completes the same challenge and no
message is sent; counts their queries, times completing again, renders certificate PDFs, and GETs the
public verification page. A measurement, not
a test: nothing here asserts a time.
"""

import pathlib
import sys

BENCH_DIR = pathlib.Path(__file__).resolve().parent
# bench/queue.py shadows the standard library's queue: keep this folder off the path.
sys.path[:] = [p for p in sys.path if pathlib.Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omdena.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_completion")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.pg import QueryCounter, machine, prepare_database  # noqa: E402
from challenges.enums import ChallengeStatus, TaskRole, TaskStatus  # noqa: E402
from challenges.models import Challenge, Organisation, Task, TaskMember  # noqa: E402
from challenges.services import challenge_complete  # noqa: E402
from collaborators.certificate_pdf import certificate_pdf  # noqa: E402
from collaborators.enums import MembershipStatus, RemovalReason  # noqa: E402
from collaborators.models import Certificate, Membership, User  # noqa: E402
from collaborators.services.completion import completion_rewards_issue  # noqa: E402

SIZES = [50, 200]
UNUSABLE = "!"  # an unusable password hash: nobody signs in as these people
START = dt.date(2026, 9, 7)


def seed(size: int, staff: User) -> Challenge:
    organisation, _ = Organisation.objects.get_or_create(name="Bench organisation", slug="bench-organisation")
    challenge = Challenge.objects.create(
        title=f"Bench challenge of {size} seats",
        slug=f"bench-{size}",
        organisation=organisation,
        summary="Benchmark data.",
        status=ChallengeStatus.RUNNING,
        start_date=START,
        capacity=max(size, 50),
    )
    people = User.objects.bulk_create(
        User(email=f"bench-{size}-{n}@example.org", display_name=f"Person {size}-{n}", password=UNUSABLE)
        for n in range(size)
    )
    statuses = [
        MembershipStatus.REMOVED if n % 25 == 0 else MembershipStatus.WARNED if n % 10 == 0 else MembershipStatus.ACTIVE
        for n in range(size)
    ]
    seats = Membership.objects.bulk_create(
        Membership(
            person=person,
            challenge=challenge,
            status=status,
            removal_reason=RemovalReason.INACTIVITY if status == MembershipStatus.REMOVED else "",
        )
        for person, status in zip(people, statuses, strict=True)
    )
    for n in range(0, size, 10):  # a task team of ten per ten seats, its first seat leading it
        task = Task.objects.create(challenge=challenge, title=f"Task {n}", goal="Work.", status=TaskStatus.ACTIVE)
        TaskMember.objects.bulk_create(
            TaskMember(task=task, membership=seat, role=TaskRole.LEADER if i == 0 else TaskRole.MEMBER)
            for i, seat in enumerate(seats[n : n + 10])
        )
    return challenge


def timed_completion(challenge: Challenge, staff: User) -> tuple[float, int, float, int, int]:
    """Complete, then issue the rewards as the task does, inside a transaction that is rolled back:
    (seconds and queries of the request's part, seconds and queries of the task's part, certificates)."""
    request_queries, task_queries = QueryCounter(), QueryCounter()
    with transaction.atomic():
        with connection.execute_wrapper(request_queries):
            started = time.perf_counter()
            challenge_complete(challenge=challenge, by=staff)
            request_seconds = time.perf_counter() - started
        with connection.execute_wrapper(task_queries):
            started = time.perf_counter()
            completion_rewards_issue(challenge=challenge, by=staff)
            task_seconds = time.perf_counter() - started
        issued = Certificate.objects.filter(membership__challenge=challenge).count()
        transaction.set_rollback(True)
    return request_seconds, request_queries.count, task_seconds, task_queries.count, issued


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    prepare_database(fresh=True)
    staff = User.objects.create(email="bench-staff@example.org", is_staff=True, password=UNUSABLE)
    print("\n".join(machine()))
    print()
    print(
        "| seats | complete, in the request (median) | queries | certificates, codes, messages in the task (median) "
        "| queries | certificates | complete again (request + task) | queries |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for size in SIZES:
        challenge = seed(size, staff)
        results = [timed_completion(challenge, staff) for _ in range(runs + 1)][1:]  # the first warms up
        request_ms = statistics.median(r[0] for r in results) * 1000
        task_ms = statistics.median(r[2] for r in results) * 1000
        _, request_queries, _, task_queries, issued = results[0]
        challenge_complete(challenge=challenge, by=staff)  # for real this time, then the repeat
        completion_rewards_issue(challenge=challenge, by=staff)
        repeat_queries = QueryCounter()
        with connection.execute_wrapper(repeat_queries):
            started = time.perf_counter()
            challenge_complete(challenge=challenge, by=staff)
            completion_rewards_issue(challenge=challenge, by=staff)
            repeat = time.perf_counter() - started
        print(
            f"| {size} | {request_ms:.0f} ms | {request_queries} | {task_ms:.0f} ms ({task_ms / max(issued, 1):.1f} ms "
            f"a seat) | {task_queries} | {issued} | {repeat * 1000:.0f} ms | {repeat_queries.count} |"
        )

    certificate = Certificate.objects.select_related("membership").first()
    timings, size_bytes = [], 0
    for _ in range(runs * 4 + 1):
        started = time.perf_counter()
        size_bytes = len(certificate_pdf(certificate))
        timings.append(time.perf_counter() - started)
    print()
    print(
        f"PDF: {statistics.median(timings[1:]) * 1000:.1f} ms median to render (first, with font loading, "
        f"{timings[0] * 1000:.0f} ms), {size_bytes / 1024:.0f} KiB"
    )
    client = Client()
    client.get(f"/certificates/{certificate.pk}/")
    page_timings = []
    for _ in range(runs * 4):
        with CaptureQueriesContext(connection) as page_queries:
            started = time.perf_counter()
            response = client.get(f"/certificates/{certificate.pk}/")
            page_timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    print(
        f"Verification page: {statistics.median(page_timings) * 1000:.1f} ms median, "
        f"{len(page_queries)} queries (anonymous visitor)"
    )


if __name__ == "__main__":
    main()
