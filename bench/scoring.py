"""Scoring benchmark: weekly scores at 12,500 memberships and 1,000,000 events, and the HTTP requests of a sync.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scoring .venv/bin/python bench/scoring.py [--fresh] [--runs 7]

Creates the database if missing, migrates it, loads the data once with COPY (kept for the next run; --fresh
drops and rebuilds it), VACUUM ANALYZE, then times `week_score` and its aggregate (median of --runs after one
warm-up, time.perf_counter) beside one hand-written GROUP BY, counts their queries (CaptureQueriesContext) and
shows the aggregate's plan. Then runs syncs of one repository and one channel against the fake GitHub and Slack
servers (in-process, free ports) and reports the requests each sync made. A measurement, not a test: nothing
here asserts a time.
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
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omdena.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_scoring")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from activity import ingestion  # noqa: E402
from activity.models import ActivityEvent, SourceKind, WeeklyScore  # noqa: E402
from activity.scoring import event_counts, week_score  # noqa: E402
from bench.pg import copy_rows, explain, machine, prepare_database  # noqa: E402
from challenges.enums import ChallengeStatus  # noqa: E402
from challenges.models import Challenge, Organisation  # noqa: E402
from collaborators.models import Membership, User  # noqa: E402
from omdena.weeks import iso_week_bounds  # noqa: E402
from tests.fakes.github_server import FakeGitHub, iso  # noqa: E402
from tests.fakes.slack_server import FakeSlack  # noqa: E402

CHALLENGES = 250
TEAM = 50
MEMBERSHIPS = CHALLENGES * TEAM
PEOPLE = 10_000  # some people are in two or three challenges
EVENTS = 1_000_000
WEEKS = 8
START = dt.date(2026, 9, 28)  # a Monday: ISO week 2026-W40; the eight weeks end on Sunday 22 November
WEEK = "2026-W46"  # the week measured (a full week, not the first)
KINDS = [  # kind, share in %
    ("message", 55),
    ("reply", 20),
    ("pr_opened", 6),
    ("pr_merged", 4),
    ("review", 8),
    ("meeting", 7),
]
UNMATCHED_SHARE = 0.03  # events whose author is no known person (person null)
STRANGER_SHARE = 0.02  # events of a person who is not a member of that challenge
SLOW_SECONDS = 5.0

E = "activity_activityevent"
M = "collaborators_membership"

# The sync part: one repository and one channel.
REPO = "OmdenaAI/bench-sync"
CHANNEL = "C0BENCHSYNC"
PULLS = 300
MESSAGES = 2_000
THREADS = 50
SYNC_AUTHORS = 20


# --- database and data ---------------------------------------------------------------------------


def loaded() -> bool:
    return (
        Challenge.objects.filter(slug__startswith="bench-challenge-").count() == CHALLENGES
        and Membership.objects.filter(challenge__slug__startswith="bench-challenge-").count() == MEMBERSHIPS
        and ActivityEvent.objects.filter(challenge__slug__startswith="bench-challenge-").count() == EVENTS
    )


def utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def load(rng: random.Random) -> float:
    started = time.perf_counter()
    organisation = Organisation.objects.create(name="Bench organisation", slug="bench-organisation")
    challenges = Challenge.objects.bulk_create(
        Challenge(
            title=f"Bench challenge {n:03d}",
            slug=f"bench-challenge-{n:03d}",
            organisation=organisation,
            summary="Benchmark data.",
            status=ChallengeStatus.RUNNING,
            start_date=START,
            duration_weeks=WEEKS,
        )
        for n in range(CHALLENGES)
    )
    challenge_ids = [c.pk for c in challenges]

    now = utc(START + dt.timedelta(weeks=WEEKS))
    user_columns = [
        "password", "is_superuser", "email", "is_staff", "is_active", "date_joined", "display_name", "country",
        "time_zone", "skills", "experience_level", "github_username", "github_user_id", "slack_user_id",
        "slack_team_id", "profile_url", "tier", "profile_public",
    ]  # fmt: skip
    copy_rows(
        "collaborators_user",
        user_columns,
        (
            (
                "!unusable",
                False,
                f"bench-{n}@example.org",
                False,
                True,
                now - dt.timedelta(days=200),
                f"Person {n}",
                "IN",
                "UTC",
                "Python",
                "intermediate",
                f"bench{n}",
                10_000_000 + n,
                f"U{n:09d}",
                "T0OMDENA",
                "",
                "",
                False,
            )
            for n in range(PEOPLE)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM collaborators_user WHERE email LIKE 'bench-%%' ORDER BY id")
        people = [row[0] for row in cursor.fetchall()]

    # 50 members a challenge: 92 % active from the start, 3 % joined in week 3 (late), 3 % warned, 2 % removed in
    # week 5 (left_at set): the late and removed ones have events outside their membership window.
    members: dict[int, list[tuple[int, dt.datetime, dt.datetime | None]]] = {}
    membership_rows = []
    for challenge_id in challenge_ids:
        team = rng.sample(people, TEAM)
        members[challenge_id] = []
        for person in team:
            roll = rng.random()
            joined, left, status, reason = utc(START), None, "active", ""
            if roll < 0.03:
                joined = utc(START) + dt.timedelta(weeks=2, days=rng.randint(0, 6), hours=rng.randint(0, 23))
            elif roll < 0.06:
                status = "warned"
            elif roll < 0.08:
                left = utc(START) + dt.timedelta(weeks=4, days=rng.randint(0, 6), hours=rng.randint(0, 23))
                status, reason = "removed", "inactivity"
            members[challenge_id].append((person, joined, left))
            membership_rows.append((person, challenge_id, "collaborator", status, joined, left, reason, now))
    copy_rows(
        M,
        ["person_id", "challenge_id", "role", "status", "joined_at", "left_at", "removal_reason", "updated_at"],
        membership_rows,
    )

    kinds = [kind for kind, _ in KINDS]
    kind_weights = [share for _, share in KINDS]
    span = WEEKS * 7 * 86400
    per_challenge = EVENTS // CHALLENGES

    def events():
        serial = 0
        for challenge_id in challenge_ids:
            team = members[challenge_id]
            # Some members do much more than others (a long tail, as in real teams).
            weights = [rng.paretovariate(1.5) for _ in team]
            authors = rng.choices(team, weights, k=per_challenge)
            for kind, (person, _joined, _left) in zip(
                rng.choices(kinds, kind_weights, k=per_challenge), authors, strict=True
            ):
                serial += 1
                roll = rng.random()
                if roll < UNMATCHED_SHARE:
                    person = None
                elif roll < UNMATCHED_SHARE + STRANGER_SHARE:
                    person = rng.choice(people)  # most likely not in this challenge
                occurred = utc(START) + dt.timedelta(seconds=rng.randrange(span))
                if kind in ("message", "reply"):
                    source = f"slack:C{challenge_id:08d}"
                elif kind == "meeting":
                    source = "meeting"
                else:
                    source = f"github:bench/challenge-{challenge_id}"
                yield (
                    challenge_id,
                    source,
                    f"e{serial}",
                    person,
                    None,
                    "",
                    "",
                    kind,
                    occurred,
                    f"https://example.org/e/{serial}",
                    "",
                    None,
                    now,
                )

    copy_rows(
        E,
        [
            "challenge_id",
            "source_key",
            "external_id",
            "person_id",
            "actor_github_id",
            "actor_login",
            "actor_slack_id",
            "kind",
            "occurred_at",
            "url",
            "reason",
            "created_by_id",
            "created_at",
        ],
        events(),
    )
    seconds = time.perf_counter() - started
    print(f"loaded {MEMBERSHIPS:,} memberships and {EVENTS:,} events in {seconds:.1f} s", flush=True)
    return seconds


def vacuum_analyze() -> None:
    with connection.cursor() as cursor:
        for table in (E, M, "collaborators_user", "challenges_challenge", "activity_weeklyscore"):
            cursor.execute(f"VACUUM ANALYZE {table}")


# --- what is measured ----------------------------------------------------------------------------


def measure(function, runs: int) -> tuple[float, int, int]:
    """Median milliseconds over `runs` after a warm-up, the queries of the first timed call, the runs timed.

    The queries are counted after the warm-up: the very first week_score of a challenge also creates its
    ScoringPolicy (three queries more), which later runs do not repeat."""
    started = time.perf_counter()
    function()
    first = time.perf_counter() - started
    if first > SLOW_SECONDS:
        with CaptureQueriesContext(connection) as context:
            started = time.perf_counter()
            function()
            return (time.perf_counter() - started) * 1000, len(context.captured_queries), 1
    times, queries = [], 0
    for run in range(runs):
        with CaptureQueriesContext(connection) as context:
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
        if run == 0:
            queries = len(context.captured_queries)
    return statistics.median(times) * 1000, queries, runs


# One GROUP BY (membership, kind) with the membership window; the ORM's aggregate returns the same rows.
RAW_COUNTS_SQL = f"""
    SELECT m.id, e.kind, count(*)
    FROM {E} e JOIN {M} m ON m.person_id = e.person_id AND m.challenge_id = e.challenge_id
    WHERE e.challenge_id = ANY(%(challenges)s) AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s
      AND m.joined_at <= e.occurred_at AND (m.left_at IS NULL OR m.left_at > e.occurred_at)
    GROUP BY m.id, e.kind
"""


def raw_counts(challenge_ids: list[int]) -> list[tuple]:
    start, end = iso_week_bounds(WEEK)
    with connection.cursor() as cursor:
        cursor.execute(RAW_COUNTS_SQL, {"challenges": challenge_ids, "start": start, "end": end})
        return cursor.fetchall()


def scans(plan: list[str]) -> str:
    found = []
    for line in plan:
        match = re.search(r"(Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)(?: using (\S+))? on (\S+)", line)
        if match:
            kind, index, table = match.groups()
            found.append(f"{kind} {'using ' + index + ' ' if index else ''}on {table}")
        elif "Bitmap Index Scan on" in line:
            found.append(line.strip().split("  (")[0].lstrip("-> "))
    return "; ".join(dict.fromkeys(found))


def scoring_rows(runs: int) -> tuple[list, list[str], str, list[str]]:
    challenges = list(Challenge.objects.filter(slug__startswith="bench-challenge-").order_by("pk"))
    one = challenges[len(challenges) // 2]
    all_ids = [c.pk for c in challenges]

    # Same rows from both (the window filter agrees).
    orm_rows = {(m, k, n) for m, counts in event_counts(challenge=one, week=WEEK).items() for k, n in counts.items()}
    if orm_rows != set(raw_counts([one.pk])):
        raise RuntimeError("the ORM aggregate and the raw GROUP BY disagree")

    rows = []

    def row(label, orm, raw_function):
        orm_ms, orm_queries, orm_runs = measure(orm, runs)
        raw_ms, raw_queries, _ = measure(raw_function, runs)
        rows.append(
            (label + (" ¹" if orm_runs == 1 else ""), orm_ms, raw_ms, orm_ms / raw_ms, orm_queries, raw_queries)
        )
        print(f"  measured: {label}", flush=True)

    row(
        "event_counts (the aggregate), 1 challenge",
        lambda: event_counts(challenge=one, week=WEEK),
        lambda: raw_counts([one.pk]),
    )
    row(
        "week_score (aggregate + scores + upsert), 1 challenge",
        lambda: week_score(challenge=one, week=WEEK),
        lambda: raw_counts([one.pk]),
    )

    def all_counts():
        for challenge in challenges:
            event_counts(challenge=challenge, week=WEEK)

    def all_scores():
        for challenge in challenges:
            week_score(challenge=challenge, week=WEEK)

    all_runs = max(1, min(runs, 3))
    orm_ms, orm_queries, _ = measure(all_counts, all_runs)
    raw_ms, raw_queries, _ = measure(lambda: raw_counts(all_ids), all_runs)
    rows.append(
        (
            f"event_counts × {CHALLENGES} challenges (total) vs one GROUP BY for all",
            orm_ms,
            raw_ms,
            orm_ms / raw_ms,
            orm_queries,
            raw_queries,
        )
    )
    print("  measured: all counts", flush=True)
    orm_ms, orm_queries, _ = measure(all_scores, all_runs)
    rows.append(
        (
            f"week_score × {CHALLENGES} challenges (total) vs one GROUP BY for all",
            orm_ms,
            raw_ms,
            orm_ms / raw_ms,
            orm_queries,
            raw_queries,
        )
    )
    print("  measured: all scores", flush=True)

    stored = WeeklyScore.objects.filter(week=WEEK, membership__challenge__in=all_ids).count()
    active = WeeklyScore.objects.filter(week=WEEK, membership__challenge__in=all_ids, active=True).count()
    facts = [f"{stored:,} weekly scores stored for {WEEK}, {active:,} of them active (≥ threshold)"]

    with CaptureQueriesContext(connection) as context:
        event_counts(challenge=one, week=WEEK)
    orm_sql = context.captured_queries[-1]["sql"]
    start, end = iso_week_bounds(WEEK)
    orm_plan = explain(orm_sql)
    raw_plan = explain(RAW_COUNTS_SQL, {"challenges": [one.pk], "start": start, "end": end})
    facts.append(f"ORM aggregate plan: {scans(orm_plan)}")
    facts.append(f"raw GROUP BY plan: {scans(raw_plan)}")
    return rows, facts, orm_sql, [*orm_plan, "", "-- raw GROUP BY:", *raw_plan]


# --- HTTP requests of a sync --------------------------------------------------------------------------


def github_breakdown(fake: FakeGitHub) -> str:
    kinds = Counter()
    for key, count in fake.requests_by_path().items():
        kinds["reviews" if key.endswith("/reviews") else "pulls list" if key.endswith("/pulls") else key] += count
    return ", ".join(f"{name} {count}" for name, count in sorted(kinds.items()))


def slack_breakdown(fake: FakeSlack) -> str:
    return ", ".join(f"{key.split('/')[-1]} {count}" for key, count in sorted(fake.requests_by_path().items()))


def sync_rows(rng: random.Random) -> tuple[list, list[str]]:
    # The sync challenge is rebuilt on every run (its sources, events and fake data live only for the run).
    Challenge.objects.filter(slug="bench-sync").delete()
    organisation = Organisation.objects.get(slug="bench-organisation")
    real_now = dt.datetime.now(dt.UTC)
    start = (real_now - dt.timedelta(weeks=WEEKS)).date()
    challenge = Challenge.objects.create(
        title="Bench sync",
        slug="bench-sync",
        organisation=organisation,
        summary="Benchmark data.",
        status=ChallengeStatus.RUNNING,
        start_date=start,
        github_repositories=[REPO],
        slack_channel_ids=[CHANNEL],
    )
    authors = list(User.objects.filter(email__startswith="bench-").order_by("pk")[:SYNC_AUTHORS])
    github, slack = FakeGitHub().start(), FakeSlack().start()
    try:
        for person in authors:
            github.add_user(person.github_username, id=person.github_user_id)
            slack.add_user(person.slack_user_id, email=person.email)
        github.add_repo(REPO)
        span = (real_now - utc(start)).total_seconds() - 3600
        for number in range(1, PULLS + 1):
            created = utc(start) + dt.timedelta(seconds=rng.uniform(0, span))
            updated = created + dt.timedelta(hours=rng.uniform(0, 48))
            updated = min(updated, real_now - dt.timedelta(minutes=30))
            merged = updated if rng.random() < 0.6 else None
            author, reviewer = rng.sample(authors, 2)
            github.add_pull(
                REPO,
                author=author.github_username,
                created_at=created,
                updated_at=updated,
                merged_at=merged,
                number=number,
            )
            for _ in range(rng.choice([1, 1, 2])):
                github.add_review(REPO, number, author=reviewer.github_username, submitted_at=updated)
        slack.add_channel(CHANNEL)
        moments = sorted(utc(start).timestamp() + rng.uniform(0, span) for _ in range(MESSAGES))
        parents = []
        for index, moment in enumerate(moments):
            parent = slack.post(CHANNEL, user=rng.choice(authors).slack_user_id, text="update", ts=moment)
            if index % (MESSAGES // THREADS) == 0:
                parents.append((parent, moment))
        for parent, moment in parents:
            for reply in range(rng.randint(2, 6)):
                slack.post(
                    CHANNEL,
                    user=rng.choice(authors).slack_user_id,
                    text="reply",
                    ts=moment + 60 * (reply + 1),
                    thread_ts=parent,
                )

        with override_settings(
            GITHUB_API_URL=github.url,
            GITHUB_TOKEN="ghp_fake_token_for_bench",  # noqa: S106 (a fake server)
            SLACK_API_URL=slack.api_url,
            SLACK_BOT_TOKEN="xoxb-fake-token-for-bench",  # noqa: S106
        ):
            sources = {s.kind: s for s in ingestion.challenge_sources_ensure(challenge=challenge)}
            rows = []

            def run(label: str) -> None:
                for kind, fake, breakdown in (
                    (SourceKind.GITHUB_REPOSITORY, github, github_breakdown),
                    (SourceKind.SLACK_CHANNEL, slack, slack_breakdown),
                ):
                    fake.reset_requests()
                    started = time.perf_counter()
                    source = ingestion.source_sync(source_id=sources[kind].pk)
                    seconds = time.perf_counter() - started
                    name = "repository" if kind == SourceKind.GITHUB_REPOSITORY else "channel"
                    rows.append(
                        (
                            label,
                            name,
                            source.status,
                            source.last_run_events,
                            source.last_run_requests,
                            fake.request_count(),
                            breakdown(fake),
                            seconds * 1000,
                        )
                    )
                print(f"  synced: {label}", flush=True)

            run("first sync (8 weeks of history)")
            run("second sync, nothing changed")
            # 10 pull requests updated (5 merged now, each with a new review), 100 messages, 5 thread replies.
            now = dt.datetime.now(dt.UTC)
            for number in rng.sample(range(1, PULLS + 1), 10):
                pull = github.repos[REPO.lower()].pulls[number]
                pull["updated_at"] = iso(now)
                if number % 2 and pull["merged_at"] is None:
                    pull["merged_at"] = pull["closed_at"] = iso(now)
                    pull["state"] = "closed"
                github.add_review(REPO, number, author=authors[number % SYNC_AUTHORS].github_username, submitted_at=now)
            for index in range(100):
                slack.post(
                    CHANNEL, user=authors[index % SYNC_AUTHORS].slack_user_id, text="new", ts=now.timestamp() + index
                )
            recent = [parent for parent, moment in parents if moment > (now - dt.timedelta(days=20)).timestamp()]
            for index, parent in enumerate(recent[-5:]):
                slack.post(
                    CHANNEL,
                    user=authors[index].slack_user_id,
                    text="late reply",
                    ts=now.timestamp() + 200 + index,
                    thread_ts=parent,
                )
            run("after 10 PRs updated, 100 messages + 5 thread replies")
    finally:
        github.stop()
        slack.stop()
    data = [
        f"Sync data: {PULLS} pull requests in one repository (60 % merged, 1-2 reviews each), "
        f"{MESSAGES:,} messages and {THREADS} threads (2-6 replies) in one channel over {WEEKS} weeks, "
        f"{SYNC_AUTHORS} authors known by GitHub id and Slack id"
    ]
    return rows, data


# --- report ---------------------------------------------------------------------------------------


def data_facts() -> list[str]:
    start, end = iso_week_bounds(WEEK)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE e.person_id IS NULL),
                       count(*) FILTER (WHERE e.occurred_at >= %s AND e.occurred_at < %s)
                FROM {E} e JOIN challenges_challenge c ON c.id = e.challenge_id
                WHERE c.slug LIKE 'bench-challenge-%%'""",
            [start, end],
        )
        total, unmatched, in_week = cursor.fetchone()
        cursor.execute(
            f"""SELECT count(*) FROM {E} e JOIN challenges_challenge c ON c.id = e.challenge_id
                JOIN {M} m ON m.person_id = e.person_id AND m.challenge_id = e.challenge_id
                WHERE c.slug LIKE 'bench-challenge-%%' AND m.joined_at <= e.occurred_at
                  AND (m.left_at IS NULL OR m.left_at > e.occurred_at)"""
        )
        inside = cursor.fetchone()[0]
        cursor.execute(
            f"""SELECT kind, count(*) FROM {E} e JOIN challenges_challenge c ON c.id = e.challenge_id
                WHERE c.slug LIKE 'bench-challenge-%%' GROUP BY kind ORDER BY count(*) DESC"""
        )
        mix = ", ".join(f"{kind} {count / total:.0%}" for kind, count in cursor.fetchall())
    return [
        f"- Data: {CHALLENGES} running challenges × {TEAM} = {MEMBERSHIPS:,} memberships of {PEOPLE:,} people; "
        f"{total:,} events over {WEEKS} ISO weeks (2026-W40..W47), {in_week:,} in {WEEK}; {mix}; "
        f"{unmatched:,} unmatched (person null), {total - unmatched - inside:,} of a person outside a membership "
        f"window of that challenge (not a member, joined later, or already removed)"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the benchmark database")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per query (median reported)")
    args = parser.parse_args()

    begun = time.perf_counter()
    prepare_database(fresh=args.fresh)
    load_note = "data reused"
    if not loaded():
        if Challenge.objects.exists():
            sys.exit("The database holds other data: run with --fresh to rebuild it.")
        load_note = f"loading took {load(random.Random(42)):.1f} s"
    vacuum_analyze()

    rows, facts, orm_sql, plans = scoring_rows(args.runs)
    sync, sync_data = sync_rows(random.Random(7))

    print()
    print("\n".join(machine()))
    print("\n".join(data_facts()))
    print(f"- {load_note}; whole run {time.perf_counter() - begun:.0f} s")
    print(f"\nScoring {WEEK} (medians of {args.runs} runs; totals over all challenges: median of up to 3)\n")
    print("| measured | ORM ms | raw SQL ms | ORM / raw | ORM queries | raw queries |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, orm_ms, raw_ms, ratio, orm_queries, raw_queries in rows:
        print(f"| {label} | {orm_ms:.1f} | {raw_ms:.1f} | {ratio:.2f} | {orm_queries} | {raw_queries} |")
    print(f"\n¹ slower than {SLOW_SECONDS:g} s: timed once.")
    for fact in facts:
        print(f"- {fact}")
    print("\n" + "\n".join(f"- {line}" for line in sync_data) + "\n")
    print("| sync | source | status | events | last_run_requests | requests the fake answered | by endpoint | ms |")
    print("| --- | --- | --- | ---: | ---: | ---: | --- | ---: |")
    for label, name, status, events, counted, answered, breakdown, ms in sync:
        print(f"| {label} | {name} | {status} | {events} | {counted} | {answered} | {breakdown} | {ms:.0f} |")
    print(f"\nORM aggregate SQL:\n\n    {orm_sql}\n")
    print("\n".join("    " + line for line in plans))


if __name__ == "__main__":
    main()
