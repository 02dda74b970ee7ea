"""Real `harken` processes for tests, and the guarantee that none outlives its test.

``running(...)`` starts a command in a session of its own and, whatever happens in the
``with`` block (an assertion, a timeout, Ctrl-C at the test run), kills every process of
that session on the way out: `harken serve`, the queue consumer and the Bluesky listener it
started (each in a process group of its own, but all in serve's session), and anything they
started in turn. Output goes to a file, never a pipe, so a chatty process never blocks on a
full pipe while the test waits for it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

#: Variables a person starting Harken would not have: the suite's own settings.
SUITE_ONLY = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def fresh_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a first run on the embedded default: a data folder of its own."""
    env = {k: v for k, v in os.environ.items() if k not in SUITE_ONLY}
    env.update(HARKEN_DATA_DIR=str(data_dir), **extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_members(sid: int) -> dict[int, str]:
    """Every live process of session ``sid`` with its command line (Linux, from /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # it ended while we looked
            continue
        state, session = fields[0], int(fields[3])
        if session == sid and state != "Z":
            found[int(entry.name)] = command.strip()
    return found


def kill_session(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL ``process`` and every process in its session, and wait until they are gone."""
    if not Path("/proc/self/stat").exists():  # no /proc: its process group at least
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return
    deadline = time.monotonic() + 10
    while members := session_members(process.pid):
        for pid in members:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.wait()
        if time.monotonic() > deadline:
            raise AssertionError(f"processes outlived SIGKILL: {members}")
        time.sleep(0.05)
    process.wait()


@dataclass
class Running:
    """A process started by ``running``: its Popen and the file its output goes to."""

    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(
        self, url: str, seconds: float = 45, headers: dict[str, str] | None = None
    ) -> bytes:
        """GET ``url`` until it answers 2xx; fail at once, with the output, if the process
        has ended."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                request = urllib.request.Request(url, headers=headers or {})
                with urllib.request.urlopen(request, timeout=2) as response:
                    return response.read()
            except OSError:
                if self.process.poll() is not None:
                    raise AssertionError(
                        f"exited with {self.process.returncode}:\n{self.output()}"
                    ) from None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def interrupt(self, timeout: float = 30) -> float:
        """Ctrl-C: SIGINT to the process, as a terminal sends it; the seconds it took to end."""
        began = time.monotonic()
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=timeout)
        return time.monotonic() - began


@contextmanager
def running(
    argv: Sequence[str],
    env: dict[str, str],
    log: Path,
    *,
    cwd: Path | None = None,
    ignore_sigint: bool = False,
) -> Iterator[Running]:
    """Start ``argv`` in a new session; on leaving, kill all that is left of the session.

    ``ignore_sigint`` starts it as a non-interactive shell starts a background job (`cmd &`):
    with SIGINT ignored, which its children inherit unless they say otherwise."""

    def before_exec() -> None:
        if ignore_sigint:
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    with log.open("wb") as out:
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=before_exec if ignore_sigint else None,  # noqa: PLW1509
        )
    try:
        yield Running(process, log)
    finally:
        kill_session(process)


def serve_argv(port: int, *args: str) -> list[str]:
    """`harken serve` on ``port`` of 127.0.0.1, as a person types it."""
    return [sys.executable, "-m", "harken", "serve", "--port", str(port), *args]
