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


def test_exits_are_described_in_words():
    assert describe_exit(2) == "exit code 2"
    assert describe_exit(-9) == "killed by SIGKILL"
