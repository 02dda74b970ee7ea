"""Links in alerts point at the server that runs: `harken serve --port 8731` without
HARKEN_BASE_URL makes http://127.0.0.1:8731 the base URL, for the worker child too."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from django.urls import reverse

from harken.core.baseurl import ENV, adopt_served_base_url, served_base_url
from harken.listening.alerts.messages import rule_link
from harken.listening.models import AlertRule


@pytest.fixture
def no_base_url(monkeypatch, settings):
    monkeypatch.delenv(ENV, raising=False)
    settings.BASE_URL = "http://127.0.0.1:8000"


@pytest.mark.django_db
def test_serve_without_a_base_url_adopts_its_host_and_port(no_base_url, settings, workspace):
    assert adopt_served_base_url("127.0.0.1", 8731) == "http://127.0.0.1:8731"

    assert settings.BASE_URL == os.environ[ENV] == "http://127.0.0.1:8731"
    rule = AlertRule.objects.create(workspace=workspace, name="Watch", kind="intent")
    link = f"http://127.0.0.1:8731{reverse('alert_rule_detail', args=[rule.pk])}"
    assert rule_link(rule) == link


def test_an_explicit_base_url_wins(monkeypatch, settings):
    monkeypatch.setenv(ENV, "https://harken.example.com")
    settings.BASE_URL = "https://harken.example.com"
    assert adopt_served_base_url("127.0.0.1", 8731) == "https://harken.example.com"
    assert settings.BASE_URL == os.environ[ENV] == "https://harken.example.com"


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8731"),
        ("::1", "http://[::1]:8731"),
        ("[::1]", "http://[::1]:8731"),
        ("harken.lan", "http://harken.lan:8731"),
        ("0.0.0.0", f"http://{socket.gethostname()}:8731"),  # noqa: S104 (no link to 0.0.0.0)
    ],
)
def test_the_url_of_a_bound_address(host, url):
    assert served_base_url(host, 8731) == url


def test_a_child_process_started_by_serve_reads_the_same_base_url(no_base_url, tmp_path):
    # The worker is a fresh `python -m harken` process: it sees what serve put in the
    # environment before starting it.
    adopt_served_base_url("127.0.0.1", 8731)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["HARKEN_DATA_DIR"] = str(tmp_path)
    code = "from django.conf import settings; print(settings.BASE_URL)"
    child = subprocess.run(
        [sys.executable, "-m", "harken", "shell", "--verbosity", "0", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert child.stdout.strip() == "http://127.0.0.1:8731", child.stderr
