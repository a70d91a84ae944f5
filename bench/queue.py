"""Queue benchmark: 100,000 applications on PostgreSQL, each ORM query beside hand-written SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_queue .venv/bin/python bench/queue.py [--fresh] [--runs 7]

Creates the database if missing, migrates it, loads the data once with COPY (kept for the next run;
--fresh drops and rebuilds it), VACUUM ANALYZE, then times each query (median of --runs after one
warm-up, time.perf_counter) and counts its queries (an execute wrapper). Prints a Markdown table
and the plans of the position query. A measurement, not a test: nothing here asserts a time.
"""

import pathlib
import sys

BENCH_DIR = pathlib.Path(__file__).resolve().parent
# This file is called queue.py: keep its folder off the path, or `import queue` anywhere would load it.
sys.path[:] = [p for p in sys.path if pathlib.Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import importlib.util  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import string  # noqa: E402
import time  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omdena.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_queue")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.pg import QueryCounter, copy_rows, explain, machine, prepare_database  # noqa: E402
from challenges.enums import ChallengeStatus  # noqa: E402
from challenges.models import Challenge, Organisation  # noqa: E402
from collaborators.filters import ApplicationFilter  # noqa: E402
from collaborators.models import Application, User  # noqa: E402
from collaborators.selectors import (  # noqa: E402
    QUEUE_ORDER,
    queue_for_staff,
    queue_position,
    queue_positions,
    with_queue_position,
)

APPLICATIONS = 100_000
CHALLENGES = 40
PEOPLE = 60_000
REVIEWERS = 10
REFERRAL_SHARE = 0.15
SCORES = 25_000
PAGE = 50
STATUSES = [  # status, share
    ("submitted", 62),
    ("shortlisted", 8),
    ("waitlisted", 8),
    ("rejected", 14),
    ("accepted", 5),
    ("withdrawn", 3),
]
COUNTRIES = ["IN", "NG", "KE", "US", "PK", "EG", "BR", "ID", "DE", "GH", "PH", "MX", "TR", "GB", "BD"]
LEVELS = ["beginner", "beginner", "intermediate", "intermediate", "experienced"]
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)

A = "collaborators_application"


# --- database and data ---------------------------------------------------------------------------


def loaded() -> bool:
    return (
        Challenge.objects.filter(slug__startswith="bench-").count() == CHALLENGES
        and Application.objects.count() == APPLICATIONS
    )


def ids(table: str, where: str = "") -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} {where} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def load(rng: random.Random) -> None:
    started = time.perf_counter()
    organisation = Organisation.objects.create(name="Bench organisation", slug="bench-organisation")
    Challenge.objects.bulk_create(
        Challenge(
            title=f"Bench challenge {n:02d}",
            slug=f"bench-challenge-{n:02d}",
            organisation=organisation,
            summary="Benchmark data.",
            status=ChallengeStatus.OPEN,
            application_deadline=NOW + dt.timedelta(days=365),
        )
        for n in range(CHALLENGES)
    )
    challenge_ids = ids("challenges_challenge", "WHERE slug LIKE 'bench-%'")

    user_columns = [
        "password", "is_superuser", "email", "is_staff", "is_active", "date_joined", "display_name", "country",
        "time_zone", "skills", "experience_level", "github_username", "slack_user_id", "slack_team_id",
        "profile_url", "tier", "profile_public",
    ]  # fmt: skip

    def user(n: int, staff: bool):
        email = f"bench-staff-{n}@example.org" if staff else f"bench-{n}@example.org"
        country = rng.choice(COUNTRIES)
        return (
            "!unusable", staff, email, staff, True, NOW - dt.timedelta(days=rng.randint(1, 900)),
            f"Person {n}", country, "UTC", "Python, pandas", rng.choice(LEVELS), f"bench{n}", "", "", "", "", False,
        )  # fmt: skip

    copy_rows("collaborators_user", user_columns, (user(n, staff=False) for n in range(PEOPLE)))
    copy_rows("collaborators_user", user_columns, (user(n, staff=True) for n in range(REVIEWERS)))
    people = ids("collaborators_user", "WHERE email LIKE 'bench-%' AND NOT is_staff")
    reviewers = ids("collaborators_user", "WHERE email LIKE 'bench-staff-%'")

    # Challenge sizes are skewed like real demand: the most popular has about a tenth of the applications.
    weights = [1 / (n + 1) ** 0.6 for n in range(CHALLENGES)]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < APPLICATIONS:
        pairs.add((rng.choice(people), rng.choices(challenge_ids, weights)[0]))
    pairs_list = sorted(pairs, key=lambda _pair: rng.random())
    referrals = int(APPLICATIONS * REFERRAL_SHARE)

    code_count = referrals // 5
    alphabet = string.ascii_uppercase + string.digits
    codes = {"".join(rng.choice(alphabet) for _ in range(14)) for _ in range(code_count)}
    copy_rows(
        "referrals_referralcode",
        ["code", "owner_id", "max_uses", "uses", "is_active", "created_at", "deactivation_reason"],
        ((code, rng.choice(people), 5, 5, True, NOW - dt.timedelta(days=400), "") for code in codes),
    )
    code_ids = ids("referrals_referralcode")

    statuses = [status for status, _ in STATUSES]
    status_weights = [share for _, share in STATUSES]

    def application(index: int, person: int, challenge: int):
        submitted = NOW - dt.timedelta(seconds=rng.randint(0, 365 * 86400))
        status = rng.choices(statuses, status_weights)[0]
        reviewed = None
        if status != "submitted":
            reviewed = min(submitted + dt.timedelta(days=rng.randint(1, 60)), NOW)
        decided = reviewed if status in ("accepted", "waitlisted", "rejected") else None
        referral = index < referrals
        return (
            person, challenge, status, 0 if referral else 1, code_ids[index % len(code_ids)] if referral else None,
            submitted, reviewed, decided, NOW, "I want to help.", "Some Python.", "Python, pandas",
            rng.choice(LEVELS), rng.choice(COUNTRIES), "UTC", 20, True, f"bench{person}",
        )  # fmt: skip

    copy_rows(
        A,
        [
            "person_id",
            "challenge_id",
            "status",
            "priority",
            "referral_code_id",
            "submitted_at",
            "reviewed_at",
            "decided_at",
            "updated_at",
            "motivation",
            "relevant_experience",
            "skills",
            "experience_level",
            "country",
            "time_zone",
            "weekly_hours",
            "commits_to_hours",
            "github_username",
        ],
        (application(index, person, challenge) for index, (person, challenge) in enumerate(pairs_list)),
    )

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, person_id, challenge_id, status, decided_at FROM {A} ORDER BY id")
        rows = cursor.fetchall()
    scored = rng.sample(rows, SCORES)
    copy_rows(
        "collaborators_reviewscore",
        ["application_id", "reviewer_id", "score", "note", "created_at", "updated_at"],
        ((row[0], rng.choice(reviewers), rng.randint(1, 5), "", NOW, NOW) for row in scored),
    )

    # Memberships of the accepted, one in 25 of them removed for inactivity (the page flags earlier removals).
    def membership(n: int, application_id: int, person: int, challenge: int, decided: dt.datetime):
        if n % 25 == 0:
            return (application_id, person, challenge, "collaborator", "removed", decided,
                    decided + dt.timedelta(days=21), "inactivity", NOW)  # fmt: skip
        return (application_id, person, challenge, "collaborator", "active", decided, None, "", NOW)

    accepted = [row for row in rows if row[3] == "accepted"]
    copy_rows(
        "collaborators_membership",
        [
            "application_id",
            "person_id",
            "challenge_id",
            "role",
            "status",
            "joined_at",
            "left_at",
            "removal_reason",
            "updated_at",
        ],
        (membership(n, row[0], row[1], row[2], row[4]) for n, row in enumerate(accepted)),
    )
    print(f"loaded {APPLICATIONS:,} applications, {PEOPLE:,} people in {time.perf_counter() - started:.1f} s")


def vacuum_analyze() -> None:
    # VACUUM sets the visibility map, without which an index-only scan still visits the table.
    with connection.cursor() as cursor:
        for table in (A, "collaborators_user", "collaborators_reviewscore", "referrals_referralcode",
                      "collaborators_membership", "challenges_challenge"):  # fmt: skip
            cursor.execute(f"VACUUM ANALYZE {table}")


# --- what is measured ----------------------------------------------------------------------------


SLOW_SECONDS = 2.0


def measure(function, runs: int) -> tuple[float, int, int]:
    """Median milliseconds over `runs` after a warm-up, the queries one call makes, and the runs timed.

    The warm-up call is the one whose queries are counted. A query slower than SLOW_SECONDS is timed
    on that one call only, to keep the whole run within minutes.
    """
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        function()
        first = time.perf_counter() - started
    if first > SLOW_SECONDS:
        return first * 1000, counter.count, 1
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, counter.count, runs


def raw(query: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def orm_queue_page(data: dict, offset: int):
    """The staff queue's queryset as the selector gives it: filters, aggregates and positions, then a slice."""
    return list(ApplicationFilter(data=data, queryset=queue_for_staff()).qs[offset : offset + PAGE])


def orm_queue_count(data: dict) -> int:
    return ApplicationFilter(data=data, queryset=queue_for_staff()).qs.count()


def orm_page_count(data: dict) -> int:
    """The count the staff page's paginator runs: over the bare filtered table."""
    return ApplicationFilter(data=data, queryset=Application.objects.all()).qs.count()


def orm_page_in_two_steps(data: dict, offset: int):
    """What /staff/applications/ does: page the ids in queue order, then annotate only those 50 rows."""
    page_ids = list(
        ApplicationFilter(data=data, queryset=Application.objects.all())
        .qs.order_by(*QUEUE_ORDER)
        .values_list("pk", flat=True)[offset : offset + PAGE]
    )
    return list(queue_for_staff().filter(pk__in=page_ids))


POSITION_SQL = f"""
    SELECT count(*) + 1 FROM {A} b
    WHERE b.challenge_id = %s AND b.status = %s AND (b.priority, b.submitted_at, b.id) < (%s, %s, %s)
"""
# A hand-written page of the staff queue: the page of ids first (the queue index), then only those
# 50 rows are joined, scored and numbered.
PAGE_SQL = f"""
    WITH page AS (
        SELECT a.id FROM {A} a JOIN challenges_challenge c ON c.id = a.challenge_id
        WHERE (%(slug)s::text IS NULL OR c.slug = %(slug)s)
        ORDER BY a.priority, a.submitted_at, a.id LIMIT {PAGE} OFFSET %(offset)s
    )
    SELECT a.*, p.email, p.display_name, c.title, c.slug, r.code, o.display_name,
           s.average, s.n, s.low, s.high,
           CASE WHEN a.status IN ('submitted', 'waitlisted') THEN (
               SELECT count(*) + 1 FROM {A} b
               WHERE b.challenge_id = a.challenge_id AND b.status = a.status
                 AND (b.priority, b.submitted_at, b.id) < (a.priority, a.submitted_at, a.id)
           ) END AS queue_position
    FROM page
    JOIN {A} a ON a.id = page.id
    JOIN collaborators_user p ON p.id = a.person_id
    JOIN challenges_challenge c ON c.id = a.challenge_id
    LEFT JOIN referrals_referralcode r ON r.id = a.referral_code_id
    LEFT JOIN collaborators_user o ON o.id = r.owner_id
    LEFT JOIN LATERAL (
        SELECT avg(score) AS average, count(*) AS n, min(score) AS low, max(score) AS high
        FROM collaborators_reviewscore WHERE application_id = a.id
    ) s ON true
    ORDER BY a.priority, a.submitted_at, a.id
"""
COUNT_SQL = f"""
    SELECT count(*) FROM {A} a JOIN challenges_challenge c ON c.id = a.challenge_id
    WHERE (%(slug)s::text IS NULL OR c.slug = %(slug)s)
"""
POSITIONS_PAGE_SQL = f"""
    SELECT a.*, (
        SELECT count(*) + 1 FROM {A} b
        WHERE b.challenge_id = a.challenge_id AND b.status = a.status
          AND (b.priority, b.submitted_at, b.id) < (a.priority, a.submitted_at, a.id)
    ) AS queue_position
    FROM {A} a WHERE a.challenge_id = %s AND a.status = 'submitted'
    ORDER BY a.priority, a.submitted_at, a.id LIMIT {PAGE} OFFSET %s
"""
# The same numbers from one pass over the challenge's queue, instead of one COUNT per row.
POSITIONS_WINDOW_SQL = f"""
    SELECT * FROM (
        SELECT a.*, row_number() OVER (ORDER BY a.priority, a.submitted_at, a.id) AS queue_position
        FROM {A} a WHERE a.challenge_id = %s AND a.status = 'submitted'
    ) numbered ORDER BY queue_position LIMIT {PAGE} OFFSET %s
"""


def scan_kind(plan: list[str]) -> str:
    text = "\n".join(plan)
    for kind in ("Index Only Scan", "Index Scan", "Bitmap Heap Scan", "Seq Scan"):
        if kind in text:
            return kind + (" using application_queue" if "application_queue " in text + " " else "")
    return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the benchmark database")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per query (median reported)")
    args = parser.parse_args()

    prepare_database(fresh=args.fresh)
    if not loaded():
        if Application.objects.exists():
            sys.exit("The database holds other data: run with --fresh to rebuild it.")
        load(random.Random(42))  # synthetic data, repeatable
    vacuum_analyze()

    challenges = {c.slug: c for c in Challenge.objects.filter(slug__startswith="bench-")}
    sizes = {
        row["challenge__slug"]: row["n"]
        for row in Application.objects.filter(challenge__slug__startswith="bench-")
        .values("challenge__slug")
        .annotate(n=Count("id"))
        .order_by()
    }
    big_slug = max(sizes, key=sizes.get)
    big = challenges[big_slug]
    waiting = Application.objects.filter(challenge=big, status="submitted").order_by(*QUEUE_ORDER)
    waiting_count = waiting.count()
    near_end = waiting[waiting_count - 5]  # near the end of the biggest challenge's queue
    deep_one = (sizes[big_slug] // PAGE - 2) * PAGE  # a page near the end of the challenge's list
    deep_all = (APPLICATIONS // PAGE // 2) * PAGE  # page 1,000 of 2,000
    deep_waiting = (waiting_count // PAGE - 1) * PAGE

    one, everyone = {"challenge": big_slug}, {}
    one_raw, all_raw = {"slug": big_slug}, {"slug": None}
    rows = []

    def row(label: str, orm, raw_function=None) -> None:
        orm_ms, orm_queries, orm_runs = measure(orm, args.runs)
        if orm_runs == 1:
            label += " ¹"
        if raw_function is None:
            rows.append((label, orm_ms, None, None, orm_queries, None))
        else:
            raw_ms, raw_queries, _runs = measure(raw_function, args.runs)
            rows.append((label, orm_ms, raw_ms, orm_ms / raw_ms, orm_queries, raw_queries))
        print(f"  measured: {label}", flush=True)

    print(f"biggest challenge {big_slug}: {sizes[big_slug]:,} applications, {waiting_count:,} waiting")
    row(
        "(a) queue_for_staff + filter, 1 challenge, page 1",
        lambda: orm_queue_page(one, 0),
        lambda: raw(PAGE_SQL, {**one_raw, "offset": 0}),
    )
    row(
        f"(a) queue_for_staff + filter, 1 challenge, offset {deep_one:,}",
        lambda: orm_queue_page(one, deep_one),
        lambda: raw(PAGE_SQL, {**one_raw, "offset": deep_one}),
    )
    row(
        "(a) queue_for_staff + filter, all, page 1",
        lambda: orm_queue_page(everyone, 0),
        lambda: raw(PAGE_SQL, {**all_raw, "offset": 0}),
    )
    row(
        f"(a) queue_for_staff + filter, all, offset {deep_all:,}",
        lambda: orm_queue_page(everyone, deep_all),
        lambda: raw(PAGE_SQL, {**all_raw, "offset": deep_all}),
    )
    row(
        "(a) COUNT of queue_for_staff + filter, 1 challenge",
        lambda: orm_queue_count(one),
        lambda: raw(COUNT_SQL, one_raw),
    )
    row(
        "(a) COUNT of queue_for_staff + filter, all", lambda: orm_queue_count(everyone), lambda: raw(COUNT_SQL, all_raw)
    )
    row(
        "(a) COUNT over the bare filter (the page's paginator), all",
        lambda: orm_page_count(everyone),
        lambda: raw(COUNT_SQL, all_raw),
    )
    row(
        "(a) two steps as the page does (ids, then 50 rows), 1 challenge, page 1",
        lambda: orm_page_in_two_steps(one, 0),
        lambda: raw(PAGE_SQL, {**one_raw, "offset": 0}),
    )
    row(
        f"(a) two steps as the page does, all, offset {deep_all:,}",
        lambda: orm_page_in_two_steps(everyone, deep_all),
        lambda: raw(PAGE_SQL, {**all_raw, "offset": deep_all}),
    )
    position_params = [big.pk, near_end.status, near_end.priority, near_end.submitted_at, near_end.pk]
    row(
        f"(b) queue_position, #{queue_position(application=near_end):,} of {waiting_count:,}",
        lambda: queue_position(application=near_end),
        lambda: raw(POSITION_SQL, position_params),
    )
    front = waiting[99]
    front_params = [big.pk, front.status, front.priority, front.submitted_at, front.pk]
    row(
        f"(b) queue_position, #{queue_position(application=front):,} of {waiting_count:,}",
        lambda: queue_position(application=front),
        lambda: raw(POSITION_SQL, front_params),
    )
    row(
        "(c) with_queue_position, page 1 of the waiting queue",
        lambda: list(with_queue_position(waiting)[:PAGE]),
        lambda: raw(POSITIONS_PAGE_SQL, [big.pk, 0]),
    )
    row(
        f"(c) with_queue_position, last page (offset {deep_waiting:,})",
        lambda: list(with_queue_position(waiting)[deep_waiting : deep_waiting + PAGE]),
        lambda: raw(POSITIONS_PAGE_SQL, [big.pk, deep_waiting]),
    )
    row(
        "(c) same last page, raw row_number() window (one pass)",
        lambda: list(with_queue_position(waiting)[deep_waiting : deep_waiting + PAGE]),
        lambda: raw(POSITIONS_WINDOW_SQL, [big.pk, deep_waiting]),
    )

    page_note = ""
    if importlib.util.find_spec("collaborators.staff_views"):
        from django.test import Client
        from django.test.utils import setup_test_environment

        setup_test_environment()
        client = Client()
        client.force_login(User.objects.filter(email__startswith="bench-staff-").first())

        def render(path: str):
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            return response

        row(
            f"GET /staff/applications/?challenge={big_slug}",
            lambda: render(f"/staff/applications/?challenge={big_slug}"),
        )
        row("GET /staff/applications/?page=1000 (all)", lambda: render("/staff/applications/?page=1000"))
        # The CSV export of a whole challenge: positions from one row_number() window (queue_positions),
        # beside the correlated COUNT per row it used before (with_queue_position on every row).
        export_path = f"{reverse('staff:queue_export')}?challenge={big_slug}"
        row(
            f"GET {export_path} ({sizes[big_slug]:,} rows, whole body)",
            lambda: b"".join(render(export_path).streaming_content),
        )
        row(
            f"(d) export rows with a correlated COUNT each (before), {sizes[big_slug]:,} rows",
            lambda: [a.queue_position for a in queue_for_staff().filter(challenge=big).iterator(chunk_size=1000)],
        )
        row(
            f"(d) export rows with queue_positions (after), {sizes[big_slug]:,} rows",
            lambda: (
                queue_positions(applications=Application.objects.filter(challenge=big)),
                [a.pk for a in queue_for_staff(positions=False).filter(challenge=big).iterator(chunk_size=1000)],
            ),
        )
        # The API's staff list pages queue_for_staff() itself (DRF's paginator counts it, then slices it).
        if client.get("/api/v1/applications/?page_size=1&challenge=bench-none").status_code != 404:
            row(
                f"GET /api/v1/applications/?challenge={big_slug}",
                lambda: render(f"/api/v1/applications/?challenge={big_slug}"),
            )
    else:
        page_note = "collaborators/staff_views.py does not exist yet: the rendered page was not measured."

    # Plans of the position query: the ORM's own SQL, then the hand-written row comparison.
    with CaptureQueriesContext(connection) as context:
        queue_position(application=near_end)
    orm_position_sql = context.captured_queries[-1]["sql"]
    orm_plan = explain(orm_position_sql)
    raw_plan = explain(POSITION_SQL, position_params)

    print_report(rows, orm_plan, raw_plan, orm_position_sql, page_note, sizes, waiting_count)


def print_report(rows, orm_plan, raw_plan, orm_position_sql, page_note, sizes, waiting_count) -> None:
    print()
    print("\n".join(machine()))
    print(
        f"- Data: {APPLICATIONS:,} applications in {len(sizes)} challenges "
        f"(biggest {max(sizes.values()):,}, smallest {min(sizes.values()):,}), {PEOPLE:,} people, "
        f"{REFERRAL_SHARE:.0%} referrals, {SCORES:,} review scores"
    )
    print()
    print("| query | ORM ms | raw SQL ms | ORM / raw | ORM queries | raw queries |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, orm_ms, raw_ms, ratio, orm_queries, raw_queries in rows:
        raw_cell = f"{raw_ms:.1f}" if raw_ms is not None else "–"
        ratio_cell = f"{ratio:.2f}" if ratio is not None else "–"
        raw_queries_cell = raw_queries if raw_queries is not None else "–"
        print(f"| {label} | {orm_ms:.1f} | {raw_cell} | {ratio_cell} | {orm_queries} | {raw_queries_cell} |")
    print(f"\n¹ slower than {SLOW_SECONDS:g} s: timed once (the warm-up call), not the median.")
    if page_note:
        print(f"\n{page_note}")
    print(f"\nPosition query, ORM ({scan_kind(orm_plan)}):\n\n    {orm_position_sql}\n")
    print("\n".join("    " + line for line in orm_plan))
    print(f"\nPosition query, hand-written row comparison ({scan_kind(raw_plan)}):\n")
    print("\n".join("    " + line for line in raw_plan))


if __name__ == "__main__":
    main()
