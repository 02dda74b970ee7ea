"""Keep `harken serve`'s helper processes running: restart what exits, stop all on request.

`harken serve` runs the web server in its own process and the queue consumer and the
Bluesky listener as children. A child that exits while Harken is running (a crash, the
out-of-memory killer, someone's ``kill``) is restarted after a backoff that doubles with
each quick failure: 1 s, 2 s, 4 s … at most a minute. One that keeps dying within
``fast_seconds`` of starting is given up after ``max_fast_crashes`` tries, with a message
saying so, rather than restarted forever; one that ran a while before it died starts the
count afresh. Stopping (Ctrl-C, SIGTERM) asks every child to stop with SIGINT, kills one
that has not stopped after ``stop_timeout`` seconds, and restarts nothing.

Children run in their own process group, so a Ctrl-C at the terminal reaches only the
parent, which stops them itself: no child sees the signal, exits, and is "restarted" while
everything is stopping.
"""

from __future__ import annotations

import contextlib
import ctypes
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

#: prctl(2) option: the signal the kernel sends a child when its parent dies.
_PR_SET_PDEATHSIG = 1


def _prepare_child() -> None:
    """In the child, before exec.

    SIGINT is how we ask a child to stop, so it must not inherit SIGINT ignored (as it does
    when `harken serve` itself was started with ``&`` from a script): with the default
    disposition, Python turns it into KeyboardInterrupt again.

    And (Linux) have the kernel send SIGTERM when `harken serve` dies, even by SIGKILL, which
    no handler of ours sees; in their own process group the children would otherwise run on,
    orphaned, holding the queue and the stream."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    # Not Linux (no prctl): stopping serve normally still stops its children.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    """One supervised command and how it has been doing."""

    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    starts: int = 0
    fast_crashes: int = 0  # consecutive exits within fast_seconds of starting
    restart_at: float | None = None  # when to start it again, after an exit
    gave_up: bool = False
    exits: list[int] = field(default_factory=list)  # the return codes, latest last


def describe_exit(returncode: int) -> str:
    """ "exit code 3" or "killed by SIGKILL": how a child ended, in words."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


class Supervisor:
    """Starts ``commands`` (name → argv), restarts those that exit, stops them all."""

    def __init__(
        self,
        commands: Sequence[tuple[str, list[str]]],
        say: Callable[[str], None],
        *,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        fast_seconds: float = 30.0,
        max_fast_crashes: int = 5,
        stop_timeout: float = 15.0,
        poll_seconds: float = 0.5,
    ) -> None:
        self.children = [Child(name, list(argv)) for name, argv in commands]
        self.say = say
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.fast_seconds = fast_seconds
        self.max_fast_crashes = max_fast_crashes
        self.stop_timeout = stop_timeout
        self.poll_seconds = poll_seconds
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # start/stop of a child: never both at once
        self._thread = threading.Thread(target=self._watch, name="supervisor", daemon=True)

    def start(self) -> None:
        for child in self.children:
            self._spawn(child)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching, then stop every child: SIGINT, and SIGKILL after the timeout."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()
        with self._lock:
            running = [c.process for c in self.children if c.process and c.process.poll() is None]
            for process in running:
                process.send_signal(signal.SIGINT)
            deadline = time.monotonic() + self.stop_timeout
            for process in running:
                try:
                    process.wait(timeout=max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def _spawn(self, child: Child) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            child.process = subprocess.Popen(  # noqa: S603 - our own argv, no shell
                child.argv,
                stdin=subprocess.DEVNULL,
                process_group=0,
                preexec_fn=_prepare_child,  # noqa: PLW1509 - two syscalls, no locks
            )
            child.started = time.monotonic()
            child.starts += 1
            child.restart_at = None

    def _watch(self) -> None:
        while not self._stopping.wait(self.poll_seconds):
            for child in self.children:
                self._check(child)

    def _check(self, child: Child) -> None:
        if child.gave_up or child.process is None:
            return
        if child.restart_at is not None:
            if time.monotonic() >= child.restart_at:
                self._restart(child)
            return
        returncode = child.process.poll()
        if returncode is None or self._stopping.is_set():
            return
        self._exited(child, returncode)

    def _restart(self, child: Child) -> None:
        try:
            self._spawn(child)
        except OSError as error:  # no memory, no processes left: try again later
            child.restart_at = time.monotonic() + self.max_delay
            self.say(
                f"Could not restart the {child.name} ({error}); trying again in "
                f"{self.max_delay:g} s."
            )
            return
        if child.restart_at is None and child.process is not None:
            self.say(f"Restarted the {child.name} (pid {child.process.pid}).")

    def _exited(self, child: Child, returncode: int) -> None:
        child.exits.append(returncode)
        ran = time.monotonic() - child.started
        child.fast_crashes = child.fast_crashes + 1 if ran < self.fast_seconds else 0
        how = describe_exit(returncode)
        if child.fast_crashes >= self.max_fast_crashes:
            child.gave_up = True
            self.say(
                f"The {child.name} stopped ({how}) {child.fast_crashes} times in a row within "
                f"{self.fast_seconds:g} s of starting; not restarting it. Its own messages "
                f"above say why; `{shlex.join(child.argv)}` runs it alone. Restart Harken "
                "once it is fixed."
            )
            return
        delay = min(self.max_delay, self.base_delay * 2 ** max(0, child.fast_crashes - 1))
        child.restart_at = time.monotonic() + delay
        self.say(f"The {child.name} stopped unexpectedly ({how}); restarting it in {delay:g} s.")
