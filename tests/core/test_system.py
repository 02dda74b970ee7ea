"""/health, the System settings page, the worker heartbeat and secrets at rest."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from harken.core.crypto import decrypt_json, encrypt_json
from harken.core.models import Heartbeat
from harken.core.tasks import do_heartbeat, heartbeat
from harken.networks.models import Account


def test_health_reports_database_and_queue(db):
    response = Client().get(reverse("health"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": connection.vendor}
    assert body["queue"]["ok"] is True
    assert body["queue"]["consumer_alive"] is False


def test_health_sees_a_live_consumer_through_its_heartbeat(db):
    heartbeat()  # the periodic task, run inline by the test queue
    assert Client().get(reverse("health")).json()["queue"]["consumer_alive"] is True


def test_the_system_page_shows_the_last_heartbeat_and_versions(alice_client):
    do_heartbeat("worker-a")
    page = alice_client.get(reverse("system")).content.decode()
    assert "worker-a" in page
    assert "Worker alive." in page
    assert "Django" in page and "Huey" in page


def test_the_system_page_needs_a_login(db):
    response = Client().get(reverse("system"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_heartbeat_updates_one_row_per_worker(db):
    do_heartbeat("w1")
    do_heartbeat("w1")
    assert Heartbeat.objects.filter(name="w1").count() == 1


def test_secrets_are_encrypted_at_rest(workspace):
    Account.objects.create(
        workspace=workspace, network="mastodon", handle="@harbor", config={"token": "s3cr3t-token"}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT config FROM networks_account")
        stored = cursor.fetchone()[0]
    assert "s3cr3t-token" not in stored
    assert Account.objects.get().config == {"token": "s3cr3t-token"}


def test_encryption_round_trips_unicode():
    assert decrypt_json(encrypt_json({"pw": "ünï©ødé 🔑"})) == {"pw": "ünï©ødé 🔑"}


def test_check_deploy_passes_in_production_settings(tmp_path):
    unwanted = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set by browser tests
    env = {k: v for k, v in os.environ.items() if k not in unwanted}
    env.update(
        {
            "HARKEN_DATA_DIR": str(tmp_path),
            "HARKEN_HTTPS": "1",
            "HARKEN_ALLOWED_HOSTS": "harken.example.com",
            "HARKEN_DEBUG": "0",
            "HARKEN_EMAIL_HOST": "smtp.example.com",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "harken", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_a_redis_queue_runs_tasks_in_a_separate_worker(tmp_path):
    redis = pytest.importorskip("redis")
    url = os.environ.get("HARKEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        {
            "HARKEN_DATA_DIR": str(tmp_path),
            "REDIS_URL": url,
            "HARKEN_QUEUE_NAME": f"test-{os.getpid()}",
        }
    )
    script = (
        "import django, os, subprocess, sys, time\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from harken.core.tasks import ping\n"
        "worker = subprocess.Popen([sys.executable, '-m', 'harken', 'worker'])\n"
        "answer = ping().get(blocking=True, timeout=60)\n"
        "print('answer', answer, worker.pid)\n"
        "worker.send_signal(2); worker.wait(30)\n"
    )
    env["DJANGO_SETTINGS_MODULE"] = "harken.settings"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    words = result.stdout.split()
    assert words[:3] == ["answer", "pong", "from"], result.stdout + result.stderr
    assert words[3].endswith(f":{words[4]}")  # answered by the worker process, not inline


@pytest.mark.parametrize("signed_in", [False, True])
def test_health_answers_503_json_when_the_database_is_down(alice, signed_in):
    from unittest import mock

    from django.db import OperationalError

    client = Client()
    if signed_in:
        client.force_login(alice)
    # The database boundary: every connection attempt fails, as with a stopped server.
    with mock.patch.object(
        connection, "ensure_connection", side_effect=OperationalError("server closed")
    ):
        response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == {
        "ok": False,
        "vendor": connection.vendor,
        "error": "OperationalError",
    }
