"""`harken mcp`: the MCP server for AI assistants, over stdio (the default: an assistant
starts it, with the token in ``HARKEN_TOKEN``) or streamable HTTP at ``/mcp``
(``--http --port N``; each request sends ``Authorization: Bearer hk_…``).

HTTP is served by uvicorn here: the MCP transport is an ASGI app, and ``harken serve`` is
a WSGI server (waitress). ``harken serve`` runs this command as a supervised child on a
loopback port, ``--stateless`` (each call one POST answered with JSON: no server-sent
event stream ties up one of waitress' threads), and relays ``/mcp`` to it
(``harken.api.mcp.proxy``).
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harken.api.mcp.server import CALLER, build, caller_for


class Command(BaseCommand):
    help = "Run the MCP server for AI assistants (stdio, or streamable HTTP with --http)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--http", action="store_true", help="serve streamable HTTP at /mcp")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--stateless",
            action="store_true",
            help="no sessions, JSON answers (as `harken serve` runs it behind /mcp)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        server = build()
        if options["http"]:
            import uvicorn

            stateless = options["stateless"]
            app = server.streamable_http_app(
                host=options["host"], stateless_http=stateless, json_response=stateless
            )
            uvicorn.run(app, host=options["host"], port=options["port"], log_level="warning")
            return
        secret = os.environ.get("HARKEN_TOKEN", "")
        caller = caller_for(secret) if secret else None
        if caller is None:
            raise CommandError("Set HARKEN_TOKEN to a live personal access token (hk_…).")
        CALLER.set(caller)
        server.run("stdio")
