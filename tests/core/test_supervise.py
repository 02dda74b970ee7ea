"""`harken serve` keeps its helper processes running, and stops them all when asked.

Real child processes (small Python programs) under a real Supervisor, with short delays.
Each child appends a line to a file when it starts, so the test counts the starts.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from harken.core.supervise import Supervisor, describe_exit


def program(starts: Path, body: str) -> list[str]:
    """A child that records its start, then runs ``body``."""
    return [
        sys.executable,
        "-c",
        f"import os, sys, time\nopen({str(starts)!r}, 'a').write('started\\n')\n{body}",
    ]


def count(starts: Path) -> int:
    return len(starts.read_text().splitlines()) if starts.exists() else 0


def wait_until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def quick(commands, said, **options) -> Supervisor:
    settings = {"base_delay": 0.05, "poll_seconds": 0.02, "stop_timeout": 5.0, **options}
    return Supervisor(commands, said.append, **settings)


def test_a_child_that_is_killed_comes_back(tmp_path):
    starts, said = tmp_path / "starts", []
    supervisor = quick([("queue consumer", program(starts, "time.sleep(60)"))], said)
    supervisor.start()
    try:
        wait_until(lambda: count(starts) == 1)
        first = supervisor.children[0].process
        os.kill(first.pid, signal.SIGKILL)
        wait_until(lambda: count(starts) == 2)
        assert supervisor.children[0].process.pid != first.pid
        assert supervisor.children[0].process.poll() is None
    finally:
        supervisor.stop()
    assert (
        said[0]
        == "The queue consumer stopped unexpectedly (killed by SIGKILL); restarting it in 0.05 s."
    )
    assert said[1].startswith("Restarted the queue consumer (pid ")


def test_a_child_that_keeps_crashing_at_once_is_given_up_with_a_clear_message(tmp_path):
    starts, said = tmp_path / "starts", []
    supervisor = quick(
        [("Bluesky listener", program(starts, "sys.exit(3)"))], said, max_fast_crashes=3
    )
    supervisor.start()
    try:
        wait_until(lambda: supervisor.children[0].gave_up)
        time.sleep(0.3)  # and no further start
    finally:
        supervisor.stop()
    assert count(starts) == 3
    assert supervisor.children[0].exits == [3, 3, 3]
    assert "restarting it in 0.05 s" in said[0] and "restarting it in 0.1 s" in said[2]
    assert len(said) == 5  # two exits with their restarts, then the last word
    assert said[-1].startswith(
        "The Bluesky listener stopped (exit code 3) 3 times in a row within 30 s of starting; "
        "not restarting it."
    )


def test_a_child_that_ran_a_while_before_it_died_is_always_restarted(tmp_path):
    starts, said = tmp_path / "starts", []
    supervisor = quick(
        [("worker", program(starts, "time.sleep(0.15); sys.exit(1)"))],
        said,
        fast_seconds=0.1,
        max_fast_crashes=1,
    )
    supervisor.start()
    try:
        wait_until(lambda: count(starts) >= 4)
    finally:
        supervisor.stop()
    assert not supervisor.children[0].gave_up
    assert all("in 0.05 s" in line for line in said if "restarting" in line)


def test_stop_ends_every_child_and_restarts_none(tmp_path):
    starts, said = tmp_path / "starts", []
    commands = [(f"child {n}", program(starts, "time.sleep(60)")) for n in range(2)]
    supervisor = quick(commands, said)
    supervisor.start()
    wait_until(lambda: count(starts) == 2)
    began = time.monotonic()
    supervisor.stop()
    assert time.monotonic() - began < 4
    assert all(child.process.poll() is not None for child in supervisor.children)
    time.sleep(0.2)
    assert count(starts) == 2 and said == []


def test_a_child_that_ignores_ctrl_c_is_killed_after_the_timeout(tmp_path):
    starts, said = tmp_path / "starts", []
    # Deaf to SIGINT before it says it has started.
    stubborn = [
        sys.executable,
        "-c",
        "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        f"open({str(starts)!r}, 'a').write('started\\n')\ntime.sleep(60)",
    ]
    supervisor = quick([("stubborn", stubborn)], said, stop_timeout=0.5)
    supervisor.start()
    wait_until(lambda: count(starts) == 1)
    supervisor.stop()
    assert supervisor.children[0].process.returncode == -signal.SIGKILL


def test_a_child_stops_on_ctrl_c_even_when_serve_was_started_with_it_ignored(tmp_path):
    """`harken serve &` from a script starts serve with SIGINT ignored, which children
    inherit: the supervisor's SIGINT must still stop them, not the SIGKILL after the timeout."""
    starts, said = tmp_path / "starts", []
    supervisor = quick([("listener", program(starts, "time.sleep(60)"))], said, stop_timeout=5)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        supervisor.start()
    finally:
        signal.signal(signal.SIGINT, previous)
    wait_until(lambda: count(starts) == 1)
    began = time.monotonic()
    supervisor.stop()
    assert time.monotonic() - began < 2
    assert supervisor.children[0].process.returncode == -signal.SIGINT  # not SIGKILL


def test_exits_are_described_in_words():
    assert describe_exit(2) == "exit code 2"
    assert describe_exit(-9) == "killed by SIGKILL"


def test_children_stop_when_serve_itself_is_killed(tmp_path):
    """SIGKILL reaches no handler: the kernel must end the children (Linux)."""
    import subprocess

    if not sys.platform.startswith("linux"):
        return
    pid_file = tmp_path / "child.pid"
    child = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    parent = (
        "import sys, time\n"
        "from harken.core.supervise import Supervisor\n"
        f"s = Supervisor([('child', [sys.executable, '-c', {child!r}])], print)\n"
        "s.start()\n"
        "time.sleep(60)\n"
    )
    serve = subprocess.Popen([sys.executable, "-c", parent])
    try:
        wait_until(lambda: pid_file.exists() and pid_file.read_text())
        child_pid = int(pid_file.read_text())
        serve.kill()
        serve.wait()
        wait_until(lambda: not _alive(child_pid), seconds=5)
    finally:
        serve.kill()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by init) counts as stopped.
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(")")[-1].split()[0] == "Z")
