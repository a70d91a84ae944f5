"""Project-wide behaviour: health check, API schema and docs, settings, error pages."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "omdena.settings.production",
    "SECRET_KEY": "x" * 30 + "production-secret-for-the-check-only-0123456789",
    "ALLOWED_HOSTS": "challenges.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
}


def _manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_check_deploy_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_healthz_is_ok_with_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"


@pytest.mark.django_db
def test_healthz_checks_the_real_broker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

    response = client.get("/healthz")

    assert response.status_code == 200 and response.json()["checks"]["broker"] == "ok"


def test_openapi_schema_is_valid_openapi_3(tmp_path, db):
    out = tmp_path / "schema.json"
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(out))
    schema = json.loads(out.read_text())
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/challenges/", "/api/v1/me/", "/api/v1/challenges/{slug}/transition/"} <= set(schema["paths"])


@pytest.mark.django_db
def test_api_docs_load_only_local_assets(client):
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_seed_demo_is_idempotent(db):
    from challenges.models import Challenge
    from collaborators.models import User

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    counts = (Challenge.objects.count(), User.objects.count())
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert (Challenge.objects.count(), User.objects.count()) == counts
    assert set(Challenge.objects.values_list("status", flat=True)) == {
        "draft",
        "open",
        "running",
        "completed",
        "cancelled",
    }
    assert User.objects.filter(is_staff=True).exists()
