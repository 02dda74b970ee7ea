"""A real Bluesky network for the tests: ../shared/tools/atproto-localnet, Bluesky's own PDS,
AppView and PLC directory on 127.0.0.1 (its README says what differs from bsky.social).

``Network.start`` installs it once (into ``ATNET_HOME``, default
``~/.cache/atproto-localnet``) and starts a fresh one with a database, a run folder and a
block of ports of its own, so two pytest workers, or a SQLite and a PostgreSQL run side by
side, never meet. ``stop`` ends its whole process group and drops its database, whatever
state it is in.

The people on it are driven with the ``atproto`` SDK straight against the PDS, as the
Bluesky app would: only Harken's own calls go through Harken's URL guard.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from atproto import Client, models
from atproto_client import exceptions as atproto_errors

TOOLS = Path(__file__).resolve().parents[3] / "shared" / "tools" / "atproto-localnet"
HOME = Path(os.environ.get("ATNET_HOME") or Path.home() / ".cache" / "atproto-localnet")
INSTALL_TIMEOUT = 15 * 60  # seconds; the README says about 2.5 minutes
START_TIMEOUT = 180  # seconds; the README says 4-12 on a quiet machine, 55 seen on a busy one
PORTS = 100  # a block per network: five named services and the internal ones

T = TypeVar("T")


def installed(home: Path = HOME) -> bool:
    return all(
        (home / part).exists()
        for part in ("start.sh", "node22/node/bin/node", "devenv/node_modules/@atproto/dev-env")
    )


def install(home: Path = HOME) -> None:
    """Run the tool's install script once; a second process waits for the first."""
    home.parent.mkdir(parents=True, exist_ok=True)
    with open(home.parent / f".{home.name}.install-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed(home):
            return
        log = home.parent / f"{home.name}-install.log"
        with open(log, "w") as out:
            done = subprocess.run(
                ["bash", str(TOOLS / "install.sh")],
                env={**os.environ, "ATNET_HOME": str(home)},
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=INSTALL_TIMEOUT,
                check=False,
            )
        if done.returncode or not installed(home):
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"installing the atproto network failed ({log}):\n{tail}")


def _die_with_parent() -> None:
    """In start.sh's process, before exec: the kernel sends it SIGTERM when the test
    process dies, even by SIGKILL, which no finalizer sees; start.sh then stops the
    network and drops its database as on any SIGTERM (Linux; elsewhere a no-op)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_block() -> int:
    """The first port of a block of ``PORTS`` free ports on 127.0.0.1."""
    for _ in range(200):
        base = random.randrange(20000, 60000 - PORTS, PORTS)
        if all(_free(port) for port in range(base, base + PORTS)):
            return base
    raise RuntimeError("no free block of ports on 127.0.0.1")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class Person:
    """An account on the network: its handle, DID, password and a logged-in SDK client."""

    name: str
    handle: str
    did: str
    password: str
    client: Client
    app_passwords: list[str] = field(default_factory=list)

    def post(self, text: str, **kwargs: Any) -> models.AppBskyFeedPost.CreateRecordResponse:
        return self.client.send_post(text, profile_identify=self.did, **kwargs)

    def notified(self) -> set[str]:
        """The URIs of the posts in this person's notifications, as the AppView lists them
        (a reply that mentions someone is a ``mention`` there, not a ``reply``)."""
        params = models.AppBskyNotificationListNotifications.Params(limit=100)
        notes = self.client.app.bsky.notification.list_notifications(params).notifications
        return {note.uri for note in notes}

    def records(self, collection: str = "app.bsky.feed.post") -> list[Any]:
        """The records in this person's repository (``com.atproto.repo.listRecords``):
        what was published, once each, whatever the AppView shows."""
        params = models.ComAtprotoRepoListRecords.Params(
            repo=self.did, collection=collection, limit=100
        )
        return list(self.client.com.atproto.repo.list_records(params).records)

    def app_password(self, name: str | None = None) -> str:
        """A new app password, as the Bluesky app's settings make one."""
        name = name or f"harken-{secrets.token_hex(3)}"
        made = self.client.com.atproto.server.create_app_password(
            models.ComAtprotoServerCreateAppPassword.Data(name=name)
        )
        self.app_passwords.append(name)
        return made.password


class Network:
    """One running network; ``start`` returns it, ``stop`` ends it."""

    def __init__(self, home: Path = HOME) -> None:
        self.home = home
        tag = f"{os.getpid()}_{secrets.token_hex(3)}"
        self.db = f"atnet_harken_{tag}"
        self.run_dir = Path(os.environ.get("TMPDIR", "/tmp")) / f"atnet-harken-{tag}"
        self.base = _free_block()
        self.process: subprocess.Popen[bytes] | None = None
        self.info: dict[str, Any] = {}
        self.people: dict[str, Person] = {}

    @property
    def log_path(self) -> Path:
        return self.run_dir.with_name(self.run_dir.name + ".log")

    @property
    def pds(self) -> str:
        return str(self.info["pds"]).rstrip("/")

    @property
    def plc(self) -> str:
        return str(self.info["plc"]).rstrip("/")

    def env(self) -> dict[str, str]:
        base = self.base
        return {
            **os.environ,
            "ATNET_DB": self.db,
            "ATNET_RUN_DIR": str(self.run_dir),
            "ATNET_PLC_PORT": str(base),
            "ATNET_PDS_PORT": str(base + 1),
            "ATNET_BSKY_PORT": str(base + 2),
            "ATNET_OZONE_PORT": str(base + 3),
            "ATNET_INTROSPECT_PORT": str(base + 4),
            "ATNET_PORT_MIN": str(base + 10),
            "ATNET_PORT_MAX": str(base + PORTS - 1),
        }

    def start(self) -> Network:
        started = time.monotonic()
        with open(self.log_path, "wb") as out:
            self.process = subprocess.Popen(
                ["bash", str(self.home / "start.sh")],
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() ends all of it
                preexec_fn=_die_with_parent,
            )
        info_file = self.run_dir / "info.json"
        while time.monotonic() - started < START_TIMEOUT:
            if self.process.poll() is not None:
                raise RuntimeError(f"the atproto network stopped while starting:\n{self.tail()}")
            if b"[atnet] READY" in self.log_path.read_bytes() and info_file.exists():
                self.info = json.loads(info_file.read_text())
                self.info["seconds_to_start"] = round(time.monotonic() - started, 1)
                return self
            time.sleep(0.2)
        raise RuntimeError(
            f"the atproto network was not ready in {START_TIMEOUT} s:\n{self.tail()}"
        )

    def tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """End the network's process group (politely, then not) and drop its database."""
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        # start.sh drops its database when its node child ends; whatever is left of the
        # group (a child that ignored SIGTERM, a start.sh killed mid-way) goes now.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", self.db],
            capture_output=True,
            timeout=30,
            check=False,
        )
        subprocess.run(["rm", "-rf", str(self.run_dir)], check=False)
        with contextlib.suppress(OSError):
            self.log_path.unlink()

    # -- people ------------------------------------------------------------------------

    def create_person(self, name: str) -> Person:
        handle = f"{name}.test"
        password = f"{name}-{secrets.token_hex(8)}"
        anonymous = Client(base_url=self.pds)
        made = anonymous.com.atproto.server.create_account(
            models.ComAtprotoServerCreateAccount.Data(
                handle=handle, email=f"{name}@example.com", password=password
            )
        )
        client = Client(base_url=self.pds)
        client.login(handle, password, fetch_bsky_profile=False)
        person = Person(name, handle, made.did, password, client)
        self.people[name] = person
        return person

    def join_person(self, name: str, handle: str, did: str, password: str) -> Person:
        """Someone already on the network (made by another pytest worker): log in."""
        client = Client(base_url=self.pds)
        client.login(handle, password, fetch_bsky_profile=False)
        person = Person(name, handle, did, password, client)
        self.people[name] = person
        return person

    def shareable(self) -> dict[str, Any]:
        people = {p.name: [p.handle, p.did, p.password] for p in self.people.values()}
        return {"info": self.info, "people": people, "pid": os.getpid()}


class SharedNetwork:
    """One network for all the workers of one pytest run (``PYTEST_XDIST_TESTRUNUID``).

    The first worker to need it starts it and owns it; the others join it. Every user
    holds a shared lock on ``usage`` while its session lasts; the owner, at its end, takes
    the lock exclusively, so it stops the network only when no other worker uses it any
    more (a worker that comes later starts a new one). The network stays the owner's
    child, so it dies with the owner even when the owner is killed."""

    def __init__(self, run: str, names: tuple[str, ...]) -> None:
        self.folder = Path(tempfile.gettempdir()) / f"harken-atnet-{run}"
        self.names = names
        self.network: Network | None = None
        self.owner = False
        self._usage: Any = None

    def open(self, home: Path = HOME) -> Network:
        self.folder.mkdir(mode=0o700, exist_ok=True)
        state = self.folder / "network.json"
        self._usage = open(self.folder / "usage", "a+")  # noqa: SIM115 - held all session
        with open(self.folder / "start.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            shared = json.loads(state.read_text()) if state.exists() else None
            if shared and _alive(shared["pid"]) and shared["pid"] != os.getpid():
                network = Network(home)  # not started: another worker runs it
                network.info = shared["info"]
                for name, (handle, did, password) in shared["people"].items():
                    network.join_person(name, handle, did, password)
            else:
                network = Network(home)
                self.network, self.owner = network, True
                network.start()
                for name in self.names:
                    network.create_person(name)
                state.write_text(json.dumps(network.shareable()))
                state.chmod(0o600)
            fcntl.flock(self._usage, fcntl.LOCK_SH)
        self.network = network
        return network

    def close(self, wait: float = 15 * 60) -> None:
        """Stop using the network; the owner stops it once nobody else uses it."""
        usage, self._usage = self._usage, None
        if usage is None:
            return
        fcntl.flock(usage, fcntl.LOCK_UN)
        if self.owner and self.network is not None:
            with open(self.folder / "start.lock", "a+") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # nobody joins while it stops
                deadline = time.monotonic() + wait
                while time.monotonic() < deadline:
                    try:
                        fcntl.flock(usage, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        time.sleep(0.5)
                (self.folder / "network.json").unlink(missing_ok=True)
                self.network.stop()
        usage.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def eventually(fn: Callable[[], T | None], what: str, timeout: float = 20.0) -> T:
    """``fn()`` once it is truthy: the AppView indexes the PDS's firehose a moment later."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = fn()
        except atproto_errors.AtProtocolError:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not seen on the network within {timeout} s")
        time.sleep(0.1)
