"""`harken` on the command line: bad configuration is one clear line and exit code 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.core import processes
from tests.core.processes import free_port, running, serve_argv


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


@pytest.mark.slow
def test_serve_migrates_keeps_a_secret_serves_and_stops_cleanly_on_ctrl_c(tmp_path: Path):
    port = free_port()
    data = tmp_path / "data"
    with running(serve_argv(port), fresh_env(tmp_path), tmp_path / "serve.log") as server:
        page = server.wait_for(f"http://127.0.0.1:{port}/login/")
        assert b"Log in" in page
        assert b'"status": "ok"' in server.wait_for(f"http://127.0.0.1:{port}/health")
        # The queue consumer started with the server reports a heartbeat.
        deadline = time.monotonic() + 60  # a loaded machine takes a while to import it all
        while b'"consumer_alive": true' not in server.wait_for(f"http://127.0.0.1:{port}/health"):
            assert time.monotonic() < deadline, "no worker heartbeat"
            time.sleep(0.5)
        assert (data / "secret_key").stat().st_mode & 0o077 == 0
        assert (data / "harken.sqlite3").exists()
        server.interrupt()
    output = server.output()
    assert server.process.returncode == 0, output
    assert "Traceback" not in output, output
    # The address and the setup link come last, after whatever starting up printed; the
    # queue's chatter (the consumer starting, each task it ran) is not printed at all.
    before_stop = output.split("Stopping…")[0].strip().splitlines()
    assert before_stop[-3].startswith(f"Harken is running at http://127.0.0.1:{port}/"), output
    assert "/setup/" in before_stop[-2] and "harken createowner" in before_stop[-2]
    assert before_stop[-1] == "Sample data: `harken demo`. Stop with Ctrl-C."
    assert "huey" not in output and "Executing" not in output, output


def fresh_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a first run: a new data folder and its own SQLite database."""
    return processes.fresh_env(tmp_path / "data", **extra)


def harken_fresh(
    *args: str, env: dict[str, str], terminal: bool = True, timeout: float = 60
) -> subprocess.CompletedProcess:
    """`harken` with exactly ``env``; without ``terminal``, in a new session with no
    controlling terminal and nothing on stdin (like cron or a container)."""
    return subprocess.run(
        [sys.executable, "-m", "harken", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=None if terminal else subprocess.DEVNULL,
        start_new_session=not terminal,
        timeout=timeout,
    )


def test_import_is_named_as_people_type_it(tmp_path):
    result = harken("import", "--help", env={"HARKEN_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: harken import ")
    assert "import_mentions" not in result.stdout


def test_a_mistyped_command_suggests_harkens_name_for_it(tmp_path):
    result = harken("imprt", "x.csv", env={"HARKEN_DATA_DIR": str(tmp_path)})
    assert (
        one_line_error(result) == "harken: unknown command 'imprt'; did you mean `harken import`?"
    )


def test_a_command_on_a_database_without_tables_says_what_to_run(tmp_path):
    export = tmp_path / "export.csv"
    export.write_text("id,text,created_at,author\n")
    result = harken_fresh("import", str(export), "--workspace", "w", env=fresh_env(tmp_path))
    assert "run `harken migrate` first" in one_line_error(result)


def test_createowner_without_a_terminal_says_what_to_pass(tmp_path):
    result = harken_fresh("createowner", env=fresh_env(tmp_path), terminal=False)
    assert one_line_error(result) == (
        "CommandError: No username given, and no terminal to ask for it: pass --username NAME."
    )
    result = harken_fresh(
        "createowner", "--username", "olga", env=fresh_env(tmp_path), terminal=False
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().endswith(
        "No password given, and no terminal to ask for it: "
        "pass --password-from-env with HARKEN_OWNER_PASSWORD set."
    )


@pytest.fixture
def fresh_postgres():
    """A new, empty PostgreSQL database when the suite runs on PostgreSQL."""
    suite = os.environ.get("DATABASE_URL", "")
    if not suite.startswith(("postgres://", "postgresql://")):
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://...)")
    import psycopg

    server, name = suite.rsplit("/", 1)[0], f"harken_fresh_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_demo_on_a_fresh_data_folder_creates_the_tables_first(tmp_path):
    result = harken_fresh("demo", env=fresh_env(tmp_path), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "is ready" in result.stdout
    assert (tmp_path / "data" / "harken.sqlite3").exists()


@pytest.mark.slow
def test_demo_on_a_fresh_postgresql_database_creates_the_tables_first(tmp_path, fresh_postgres):
    env = fresh_env(
        tmp_path, DATABASE_URL=fresh_postgres, HARKEN_OWNER_PASSWORD="correct horse battery"
    )
    before = harken_fresh("createowner", "--username", "olga", "--password-from-env", env=env)
    assert "run `harken migrate` first" in one_line_error(before)  # 'relation ... does not exist'
    result = harken_fresh("demo", env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "is ready" in result.stdout


def children_of(pid: int) -> dict[int, str]:
    """The processes whose parent is ``pid``, with their command lines (from /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # it ended while we looked
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = command
    return found


def worker_of(pid: int) -> int | None:
    return next((c for c, command in children_of(pid).items() if "harken worker" in command), None)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_serve_restarts_a_queue_consumer_that_was_killed(tmp_path: Path):
    port = free_port()
    with running(serve_argv(port), fresh_env(tmp_path), tmp_path / "serve.log") as server:
        server.wait_for(f"http://127.0.0.1:{port}/login/")
        first = worker_of(server.pid)
        assert first is not None, children_of(server.pid)
        os.kill(first, 9)  # SIGKILL: as the out-of-memory killer would
        deadline = time.monotonic() + 20
        while (again := worker_of(server.pid)) in (None, first):
            assert time.monotonic() < deadline, "the queue consumer did not come back"
            time.sleep(0.2)
        time.sleep(1)
        assert worker_of(server.pid) == again  # and it stays up
        assert b"Log in" in server.wait_for(f"http://127.0.0.1:{port}/login/")  # never left
        server.interrupt()
    output = server.output()
    assert server.process.returncode == 0, output
    assert "The queue consumer stopped unexpectedly (killed by SIGKILL)" in output
    assert f"Restarted the queue consumer (pid {again})" in output
    assert "Traceback" not in output, output
    assert not Path(f"/proc/{again}").exists() or "Z" in Path(f"/proc/{again}/stat").read_text()


def test_a_ctrl_c_inside_a_finalizer_is_delivered_after_it_not_lost(tmp_path: Path):
    # A Ctrl-C that lands while Python runs a __del__ would be printed as "Exception
    # ignored … Traceback" and dropped; Harken's handler delivers it once the finalizer is done.
    program = """
import signal, time
from harken.cli import raise_interrupt
signal.signal(signal.SIGINT, raise_interrupt)
class Finalized:
    def __del__(self):
        signal.raise_signal(signal.SIGINT)
try:
    Finalized()
    time.sleep(5)
    print("not interrupted")
except KeyboardInterrupt:
    print("interrupted after the finalizer")
"""
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=30
    )
    assert result.stdout.strip() == "interrupted after the finalizer", result
    assert "Exception ignored" not in result.stderr, result.stderr
