"""A queue consumer whose Redis is down says so once, backs off, and says when it is back.

Against real Redis clients: a port nothing listens on, and a small TCP relay in front of the
suite's Redis (127.0.0.1:6379, or HARKEN_TEST_REDIS_URL) that the test opens and closes.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harken.core.queuewatch import QueueWatch, WatchedStorage, queue_address
from tests.core.processes import free_port, fresh_env, running

redis = pytest.importorskip("redis")
from huey.storage import RedisStorage  # noqa: E402 - needs the redis client

SUITE_REDIS = os.environ.get("HARKEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def storage_at(port: int) -> RedisStorage:
    return RedisStorage(name=f"watch-{os.getpid()}", url=f"redis://127.0.0.1:{port}/15")


def test_a_lost_queue_is_one_line_then_quiet_retries_that_wait_longer_each_time(caplog):
    stop = threading.Event()
    watch = QueueWatch("Redis at redis://127.0.0.1:1", stop, base_delay=0.02, max_delay=0.08)
    storage = WatchedStorage(storage_at(free_port()), watch)
    waits = []
    with caplog.at_level(logging.INFO, logger="harken.queue"):
        for _ in range(5):
            began = time.monotonic()
            with pytest.raises(redis.exceptions.ConnectionError) as raised:
                storage.dequeue()
            waits.append(time.monotonic() - began)
    lines = [r.getMessage() for r in caplog.records if r.name == "harken.queue"]
    assert len(lines) == 1, lines
    assert lines[0].startswith("The queue (Redis at redis://127.0.0.1:1) cannot be reached: ")
    assert watch.failures == 5
    assert [watch.delay(n) for n in range(1, 6)] == [0.02, 0.04, 0.08, 0.08, 0.08]
    assert waits[0] >= 0.02 and waits[2] >= 0.08 and waits[4] >= 0.08
    # Huey's own "Error reading from queue" with that traceback is dropped; a task's own
    # refused connection is not.
    huey_record = logging.LogRecord(
        "huey.consumer.Worker", logging.ERROR, __file__, 1, "Error reading from queue", None,
        (type(raised.value), raised.value, None),
    )  # fmt: skip
    assert watch.quiet(huey_record) is False
    refused = ConnectionRefusedError(111, "Connection refused")
    task_record = logging.LogRecord(
        "huey", logging.ERROR, __file__, 1, "Unhandled error during execution", None,
        (type(refused), refused, None),
    )  # fmt: skip
    assert watch.quiet(task_record) is True


def test_the_wait_ends_at_once_when_the_consumer_stops():
    stop = threading.Event()
    watch = QueueWatch("Redis", stop, base_delay=30, max_delay=30)
    storage = WatchedStorage(storage_at(free_port()), watch)
    threading.Timer(0.2, stop.set).start()
    began = time.monotonic()
    with pytest.raises(redis.exceptions.ConnectionError):
        storage.dequeue()
    assert time.monotonic() - began < 2


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, target):
            end.close()


class Relay:
    """A TCP relay on ``port`` to the suite's Redis, opened and closed on request."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port, self.target = port, target
        self.listener: socket.socket | None = None

    def open(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self.listener = listener

        def accept() -> None:
            while True:
                try:
                    client, _ = listener.accept()
                except OSError:
                    return
                upstream = socket.create_connection(self.target)
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=_pipe, args=(a, b), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()


@pytest.fixture
def suite_redis() -> Iterator[tuple[str, int]]:
    client = redis.Redis.from_url(SUITE_REDIS)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {SUITE_REDIS}")
    kwargs = client.connection_pool.connection_kwargs
    yield kwargs["host"], kwargs["port"]


def test_the_queue_coming_back_is_said_once(caplog, suite_redis):
    port = free_port()
    relay = Relay(port, suite_redis)
    watch = QueueWatch("Redis", threading.Event(), base_delay=0.01, max_delay=0.01)
    storage = WatchedStorage(storage_at(port), watch)
    with caplog.at_level(logging.INFO, logger="harken.queue"):
        for _ in range(3):
            with pytest.raises(redis.exceptions.ConnectionError):
                storage.queue_size()
        relay.open()
        try:
            assert storage.queue_size() == 0
            assert storage.queue_size() == 0
        finally:
            relay.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "harken.queue"]
    assert len(lines) == 2, lines
    assert "cannot be reached" in lines[0] and "answers again" in lines[1]
    assert watch.failures == 0 and watch.down_since is None


def test_the_queue_is_named_without_its_password():
    assert queue_address("redis://:s3cret@queue.internal:6380/2") == (
        "Redis at redis://queue.internal:6380/2"
    )
    assert queue_address("") == "the SQLite queue"


@pytest.mark.slow
def test_a_worker_without_its_redis_says_so_once_and_stops_at_once_on_ctrl_c(tmp_path: Path):
    data = tmp_path / "data"
    env = fresh_env(data, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    migrate = subprocess.run(
        [sys.executable, "-m", "harken", "migrate", "-v0"],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert migrate.returncode == 0, migrate.stderr
    argv = [sys.executable, "-m", "harken", "worker"]
    with running(argv, env, tmp_path / "worker.log") as worker:
        deadline = time.monotonic() + 60
        while "cannot be reached" not in worker.output():
            assert worker.process.poll() is None, worker.output()
            assert time.monotonic() < deadline, worker.output()
            time.sleep(0.1)
        time.sleep(4)  # Huey's consumer would have logged ~40 tracebacks by now
        assert worker.interrupt() < 2
    output = worker.output()
    assert worker.process.returncode == 0, output
    assert "Traceback" not in output and "Error reading" not in output, output
    assert output.count("cannot be reached") == 1, output
    assert len(output) < 1000, output
    assert "Huey consumer started" not in output  # the queue's chatter is DEBUG only


def test_the_system_page_and_health_say_the_queue_cannot_be_reached(
    alice_client, monkeypatch, settings
):
    import huey.contrib.djhuey as djhuey
    from django.urls import reverse
    from huey import RedisHuey

    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    monkeypatch.setattr(djhuey, "HUEY", RedisHuey("harken", url=url))
    settings.REDIS_URL = url
    page = alice_client.get(reverse("system")).content.decode()
    assert "Unreachable" in page
    assert "Harken cannot reach the queue (ConnectionError)" in page
    assert "Redis at redis://127.0.0.1:" in page and "hunter2" not in page
    health = alice_client.get(reverse("health"))
    assert health.status_code == 503
    assert health.json()["queue"]["unreachable"] is True
