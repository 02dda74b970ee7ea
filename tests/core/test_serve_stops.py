"""`harken serve` stops at once when asked, and a test never leaves one running.

Real processes: `harken serve` with its queue consumer and Bluesky listener.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.core.processes import (
    free_port,
    fresh_env,
    running,
    serve_argv,
    session_members,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc"),
]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for_children(pid: int, seconds: float = 60) -> dict[int, str]:
    """serve and its two children, once both children run Harken's own code."""
    deadline = time.monotonic() + seconds
    while True:
        members = session_members(pid)
        commands = " | ".join(members.values())
        if "harken worker" in commands and "harken jetstream" in commands:
            return members
        assert time.monotonic() < deadline, members
        time.sleep(0.1)


def test_a_test_that_fails_or_times_out_leaves_no_process_of_serve_behind(tmp_path: Path):
    port = free_port()
    members: dict[int, str] = {}
    env = fresh_env(tmp_path / "data")
    with (
        pytest.raises(TimeoutError, match="the test gave up"),
        running(serve_argv(port), env, tmp_path / "log") as serve,
    ):
        serve.wait_for(f"http://127.0.0.1:{port}/login/")
        members = wait_for_children(serve.pid)
        raise TimeoutError("the test gave up")  # as a failed wait or a timeout would
    assert len(members) >= 3, members
    assert [pid for pid in members if alive(pid)] == []
    assert session_members(serve.pid) == {}


def test_serve_started_with_ctrl_c_ignored_and_no_redis_stops_within_two_seconds(
    tmp_path: Path,
):
    """A troubled start: launched as `harken serve &` from a script (SIGINT ignored, which
    the Bluesky listener used to inherit and sit out until killed 15 s later), its Redis
    unreachable (a traceback every few tenths of a second) and its data folder open to
    everyone. Each is said once; Ctrl-C still stops everything within two seconds."""
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    port = free_port()
    env = fresh_env(data, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    with running(serve_argv(port), env, tmp_path / "log", ignore_sigint=True) as serve:
        serve.wait_for(f"http://127.0.0.1:{port}/login/")
        members = wait_for_children(serve.pid)
        deadline = time.monotonic() + 30
        while "cannot be reached" not in serve.output():
            assert time.monotonic() < deadline, serve.output()
            time.sleep(0.1)
        time.sleep(3)  # the consumer and the idle listener settle
        assert serve.interrupt() < 2, serve.output()
        assert [pid for pid in members if alive(pid)] == []
    output = serve.output()
    assert serve.process.returncode == 0, output
    assert "Traceback" not in output and "Error reading" not in output, output
    assert output.count("cannot be reached") == 1, output
    assert f"The data folder {data} is open to other users (mode 0755)" in output
    assert output.rstrip().endswith("Harken stopped."), output
    assert len(output) < 3000, output
    assert os.stat(data / "harken.sqlite3").st_mode & 0o077 == 0


def test_the_bluesky_listener_stops_within_two_seconds_even_while_connecting(tmp_path: Path):
    """A listener with a live-stream source, stuck in a connection that never answers (the
    open timeout is 15 s), started with SIGINT ignored as serve's children once were."""
    import socket
    import subprocess
    import sys

    env = fresh_env(tmp_path / "data")
    setup = (
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from harken.core.models import Workspace\n"
        "from harken.listening.models import Source\n"
        "w = Workspace.objects.create(name='W', slug='w')\n"
        "Source.objects.create(workspace=w, name='Firehose', kind=Source.Kind.STREAM,"
        " network='bluesky')\n"
    )
    made = subprocess.run(
        [sys.executable, "-m", "harken", "shell", "-c", setup],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        url = f"ws://127.0.0.1:{silent.getsockname()[1]}/subscribe"
        argv = [sys.executable, "-m", "harken", "jetstream", "--url", url]
        with running(argv, env, tmp_path / "log", ignore_sigint=True) as listener:
            silent.settimeout(60)
            connection, _ = silent.accept()  # the listener is now opening its connection
            with connection:
                time.sleep(0.5)
                assert listener.interrupt() < 2, listener.output()
    assert "Listening to Jetstream for 1 source(s)" in listener.output()
