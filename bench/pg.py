"""What every benchmark here shares: its own PostgreSQL database, COPY loading, plans, the machine's facts.

Import it after `django.setup()` (the scripts do that first, see their opening lines).
"""

import os
import pathlib
import platform

import django
import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from psycopg import sql


def server_connection():
    db = settings.DATABASES["default"]
    params = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"]}
    return psycopg.connect(dbname="postgres", autocommit=True, **{k: v for k, v in params.items() if v})


def prepare_database(*, fresh: bool) -> None:
    """Create (or with `fresh`, drop and re-create) the benchmark's own database, then migrate it."""
    name = settings.DATABASES["default"]["NAME"]
    with server_connection() as server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            connection.close()
            server.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
    call_command("migrate", verbosity=0)


def copy_rows(table: str, columns: list[str], rows) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def explain(query: str, params=None) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY OFF) " + query, params)
        return [row[0] for row in cursor.fetchall()]


def machine() -> list[str]:
    memory = ""
    meminfo = pathlib.Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return [
        f"- CPU: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), memory {memory}",
        f"- PostgreSQL {server}, Python {platform.python_version()}, Django {django.get_version()}",
    ]


class QueryCounter:
    """Counts every query through the connection, including those of a request the test client makes
    (a request resets `connection.queries`, which CaptureQueriesContext reads)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)
