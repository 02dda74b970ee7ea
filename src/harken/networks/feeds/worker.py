"""Parsing an XML feed in a child process with a CPU-time limit.

A feed is a stranger's document, and feedparser's time on one is not bounded by its size
in any useful way: 300 KB of nested markup keeps its sanitizer busy for seconds, five
megabytes (the most a feed may weigh) for minutes, and its author e-mail pattern was
quadratic (see ``authors``). The download has its limit (``lib.http``); this is the
parse's. A forked child parses the document with ``PARSE_CPU_SECONDS`` of CPU
(``RLIMIT_CPU``: the kernel stops it whatever it is doing) and sends the entries back
through a pipe; a feed that needs more becomes a source error in plain words, and the
source is backed off like any failing source.

Why ``fork`` is safe here although the worker has threads: the child runs the parser
only (already imported, pure computation), touches no lock, connection or file of the
parent's, and leaves by ``os._exit`` without running any clean-up. A fork costs a few
milliseconds; a fresh interpreter (``spawn``, or multiprocessing's forkserver, which
re-imports the main module in every child) costs a few hundred.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import resource
import select
import signal
import time
import warnings
from typing import TYPE_CHECKING, Any

from harken.networks.base import ConnectorError

if TYPE_CHECKING:
    from harken.networks.feeds.connector import Parsed

log = logging.getLogger(__name__)

#: CPU seconds one feed document may take to parse. Real feeds take milliseconds; the
#: slowest documents of feedparser's own test corpus, well under a second.
PARSE_CPU_SECONDS = 10
#: The wall-clock wait on top: on a loaded machine the child's CPU seconds come slower.
WALL_SECONDS = 60


def parse_xml_bounded(body: bytes, url: str, content_type: str) -> Parsed:
    """``connector.parse_xml_feed`` in a child process limited to ``PARSE_CPU_SECONDS``."""
    from harken.networks.feeds.connector import parse_xml_feed

    read_end, write_end = os.pipe()
    try:
        with warnings.catch_warnings():
            # Python 3.12 warns at every fork of a process with threads; see above why
            # this one is safe.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:  # no process to be had (a sandbox's limit): parse here, unbounded
        os.close(read_end)
        os.close(write_end)
        log.warning("Could not fork a feed parser; parsing in this process", exc_info=True)
        return parse_xml_feed(body, url, content_type)
    if pid == 0:  # the child: parse, answer, leave without any clean-up
        code = 1
        try:
            os.close(read_end)
            _answer(write_end, body, url, content_type)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    data = None
    try:
        data = _read_all(read_end, time.monotonic() + WALL_SECONDS)
    finally:
        os.close(read_end)
        # Having answered, the child is on its way out; one that did not is stopped now.
        status = _reap(pid, grace=5.0 if data is not None else 0.0)
    if data is None or status != 0:
        raise _stopped(url, status)
    answer: tuple[Any, ...] = pickle.loads(data)  # noqa: S301 - our own child's bytes
    if answer[0] == "error":
        raise ConnectorError(answer[1], permanent=answer[2])
    parsed: Parsed = answer[1]
    return parsed


#: Signals whose handlers the child must not run: they are the parent's (a supervisor's
#: clean-up would act on the parent's children and files from the wrong process).
_PARENTS_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT)


def _answer(fd: int, body: bytes, url: str, content_type: str) -> None:
    for number in _PARENTS_SIGNALS:
        signal.signal(number, signal.SIG_DFL)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        hard = min(hard, PARSE_CPU_SECONDS + 1)
    else:
        hard = PARSE_CPU_SECONDS + 1
    resource.setrlimit(resource.RLIMIT_CPU, (min(PARSE_CPU_SECONDS, hard), hard))
    from harken.networks.feeds.connector import parse_xml_feed

    answer: tuple[Any, ...]
    try:
        answer = ("ok", parse_xml_feed(body, url, content_type))
    except ConnectorError as exc:
        answer = ("error", exc.message, exc.permanent)
    except Exception as exc:  # the parent records it as the source's error
        answer = ("error", f"The feed at {url} cannot be read ({type(exc).__name__}).", False)
    data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.close(fd)


def _read_all(fd: int, deadline: float) -> bytes | None:
    """Everything the child writes, or None when it is still writing at ``deadline``."""
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _reap(pid: int, grace: float) -> int:
    """The child's exit status (negative: the signal that ended it); a child still there
    after ``grace`` seconds is killed."""
    deadline = time.monotonic() + grace
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() >= deadline:
            break
        time.sleep(0.002)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _stopped(url: str, status: int) -> ConnectorError:
    if status in (0, -signal.SIGXCPU, -signal.SIGKILL):  # 0: answered nothing in time
        return ConnectorError(
            f"The feed at {url} took more than {PARSE_CPU_SECONDS} seconds to read, so "
            "Harken stopped reading it (a document this slow is broken or hostile). "
            "It will try again later, less often."
        )
    return ConnectorError(f"Reading the feed at {url} failed (the reader exited with {status}).")
