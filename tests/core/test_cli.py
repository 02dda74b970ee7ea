"""`harken` on the command line: bad configuration is one clear line and exit code 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def harken(*args: str, env: dict[str, str] | None = None, timeout: float = 60):
    full_env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "harken", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )


def one_line_error(result) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_malformed_database_url_is_one_line(tmp_path):
    result = harken("check", env={"HARKEN_DATA_DIR": str(tmp_path), "DATABASE_URL": "nonsense://x"})
    assert "DATABASE_URL" in one_line_error(result)


def test_an_unwritable_data_folder_is_one_line(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "file").write_text("")
    # A path *under a file* can never be created, even by root.
    result = harken("check", env={"HARKEN_DATA_DIR": str(locked / "file" / "data")})
    assert "data folder" in one_line_error(result)


def test_a_bad_boolean_is_one_line(tmp_path):
    result = harken("check", env={"HARKEN_DATA_DIR": str(tmp_path), "HARKEN_DEBUG": "maybe"})
    assert "HARKEN_DEBUG" in one_line_error(result)


def test_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = harken("serve", "--port", str(port), env={"HARKEN_DATA_DIR": str(tmp_path)})
    assert "already in use" in one_line_error(result)


def test_an_unreachable_postgres_is_one_line(tmp_path):
    result = harken(
        "migrate",
        env={
            "HARKEN_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        },
    )
    assert "database cannot be reached" in one_line_error(result)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 45) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.mark.slow
def test_serve_migrates_keeps_a_secret_serves_and_stops_cleanly_on_ctrl_c(tmp_path: Path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL"}
    }
    env["HARKEN_DATA_DIR"] = str(tmp_path)
    server = subprocess.Popen(
        [sys.executable, "-m", "harken", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        page = wait_for(f"http://127.0.0.1:{port}/login/")
        assert b"Log in" in page
        assert b'"status": "ok"' in wait_for(f"http://127.0.0.1:{port}/health")
        # The queue consumer started with the server reports a heartbeat.
        deadline = time.monotonic() + 30
        while b'"consumer_alive": true' not in wait_for(f"http://127.0.0.1:{port}/health"):
            assert time.monotonic() < deadline, "no worker heartbeat"
            time.sleep(0.5)
        assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
        assert (tmp_path / "harken.sqlite3").exists()
    finally:
        server.send_signal(2)  # Ctrl-C
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert f"http://127.0.0.1:{port}/" in output
    assert "/setup/" in output and "harken createowner" in output
    assert "Traceback" not in output, output
