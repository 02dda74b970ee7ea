"""A real IMAP server (pymap's in-memory backend) in a child process, for the list's
inbox: tests put mails in it with APPEND, as a mail server delivers them."""

from __future__ import annotations

import imaplib
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.networks.newsletter.smtp_local import free_port

USER = "news@harbor.example"
PASSWORD = "imap secret"


class ImapServer:
    def __init__(self) -> None:
        self.port = free_port()
        pymap = Path(sys.executable).with_name("pymap")
        self.process = subprocess.Popen(
            [
                str(pymap),
                "--no-service",
                "admin",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-tls",
                "dict",
                "--demo-user",
                USER,
                "--demo-password",
                PASSWORD,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("pymap did not start")

    def deliver(self, *raws: bytes) -> None:
        session = imaplib.IMAP4("127.0.0.1", self.port, timeout=5)
        session.login(USER, PASSWORD)
        for raw in raws:
            session.append("INBOX", None, None, raw)
        session.logout()

    def seen(self) -> list[bool]:
        """Whether each message of the inbox is marked read."""
        session = imaplib.IMAP4("127.0.0.1", self.port, timeout=5)
        session.login(USER, PASSWORD)
        session.select("INBOX", readonly=True)
        _, data = session.fetch("1:*", "(FLAGS)")
        session.logout()
        return [b"\\Seen" in item for item in data if isinstance(item, bytes)]

    def config(self, **more: object) -> dict[str, object]:
        return {
            "imap_host": "127.0.0.1",
            "imap_port": self.port,
            "imap_security": "none",
            "imap_user": USER,
            "imap_password": PASSWORD,
            **more,
        }

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=3)
        except subprocess.TimeoutExpired:  # it waits for open connections: a test failed
            self.process.kill()
            self.process.wait(timeout=5)
