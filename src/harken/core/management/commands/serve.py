"""`harken serve`: migrate, then run the web server and a queue consumer in one process tree.

The queue consumer, the Bluesky listener and the MCP server run as child processes under a
``Supervisor``: one that exits unexpectedly is restarted with backoff (and given up, with
a clear message, when it keeps dying as soon as it starts); Ctrl-C or SIGTERM stops the
web server and every child.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from harken.cli import ConfigError, raise_interrupt
from harken.core.baseurl import adopt_served_base_url
from harken.core.datafolder import loose_permissions
from harken.core.setup import setup_is_open, setup_token
from harken.core.supervise import Supervisor

#: What `harken serve` runs beside the web server: the queue consumer, and the Bluesky
#: firehose listener (idle until a workspace adds a live-stream source).
CHILDREN = [("queue consumer", ["worker"]), ("Bluesky listener", ["jetstream", "--wait"])]


def mcp_child() -> tuple[str, list[str]]:
    """The MCP server for AI assistants (an ASGI app, which waitress cannot serve) on a free
    loopback port; the web server relays ``/mcp`` to it (``harken.api.mcp.proxy``)."""
    from harken.api.mcp.proxy import PORT_VARIABLE

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    os.environ[PORT_VARIABLE] = port
    return ("MCP server", ["mcp", "--http", "--stateless", "--port", port])


def bind(host: str, port: int) -> socket.socket:
    """Bind the listening socket ourselves so a port in use is one clear line."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(
                f"port {port} on {host} is already in use; try --port {port + 1}."
            ) from None
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}.") from None
    sock.listen(1024)
    return sock


class Command(BaseCommand):
    help = "Run Harken: the web server and a queue consumer."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8, help="Web server threads.")
        parser.add_argument(
            "--no-worker", action="store_true", help="Don't start a queue consumer here."
        )

    def handle(
        self, *args: Any, host: str, port: int, threads: int, no_worker: bool, **options: Any
    ) -> None:
        if not 0 < port < 65536:
            raise ConfigError(f"--port {port} is not a port number (1-65535).")
        sock = bind(host, port)
        adopt_served_base_url(host, port)  # before the children start: they inherit it
        call_command("migrate", interactive=False, verbosity=0)
        for warning in startup_warnings():
            self.stderr.write(f"Warning: {warning}")
        supervisor = self.supervisor([mcp_child(), *([] if no_worker else CHILDREN)])
        # Ctrl-C and SIGTERM stop Harken, even when it was started with SIGINT ignored
        # (`harken serve &` from a script).
        signal.signal(signal.SIGINT, raise_interrupt)
        signal.signal(signal.SIGTERM, raise_interrupt)
        try:
            supervisor.start()
            server = self.server(sock, threads)
            self.welcome(host, port)  # last: what to open, after what starting up printed
            server.run()  # until Ctrl-C or SIGTERM: waitress returns on KeyboardInterrupt
        except KeyboardInterrupt:  # one that came before the server ran
            pass
        finally:
            self.stdout.write("Stopping…")
            supervisor.stop()
            sock.close()
        self.stdout.write("Harken stopped.")

    def welcome(self, host: str, port: int) -> None:
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{port}/"
        self.stdout.write(f"Harken is running at {url}  (data in {settings.DATA_DIR})")
        if setup_is_open():
            self.stdout.write(
                "No owner yet. Create one with `harken createowner`, or open this one-time "
                f"setup link: {url}setup/{setup_token()}/"
            )
        self.stdout.write("Sample data: `harken demo`. Stop with Ctrl-C.")

    def supervisor(self, children: list[tuple[str, list[str]]]) -> Supervisor:
        """The children, each as `python -m harken <command>`, and who tells of them."""
        commands = [(name, [sys.executable, "-m", "harken", *argv]) for name, argv in children]
        return Supervisor(commands, say=lambda line: self.stderr.write(line))

    def server(self, sock: socket.socket, threads: int) -> Any:
        """The waitress server on ``sock``, believing the trusted proxy's headers, if any."""
        from waitress import create_server

        from harken.wsgi import application

        proxy: dict[str, Any] = {}
        if settings.TRUSTED_PROXY:
            proxy = {
                "trusted_proxy": settings.TRUSTED_PROXY,
                "trusted_proxy_headers": settings.TRUSTED_PROXY_HEADERS,
                "clear_untrusted_proxy_headers": True,
            }
        return create_server(application, sockets=[sock], threads=threads, ident="Harken", **proxy)


def startup_warnings() -> list[str]:
    """What to fix before anyone else uses this Harken: a data folder others can read, and
    HTTPS behind a proxy whose headers are not believed."""
    warnings = loose_permissions()
    if settings.HTTPS and not settings.TRUSTED_PROXY:
        warnings.append(
            "HARKEN_HTTPS=1 without HARKEN_TRUSTED_PROXY: Harken does not believe the "
            "proxy's X-Forwarded-Proto, sees plain HTTP and redirects every request to "
            "https://. Set HARKEN_TRUSTED_PROXY to the proxy's address (127.0.0.1 when it "
            "runs on this machine)."
        )
    return warnings
