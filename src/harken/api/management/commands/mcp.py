"""`harken mcp`: the MCP server for AI assistants, over stdio (the default: an assistant
starts it, with the token in ``HARKEN_TOKEN``) or streamable HTTP at ``/mcp``
(``--http --port N``; each request sends ``Authorization: Bearer hk_…``).

HTTP is served here, not by ``harken serve``: the MCP transport is an ASGI app that
holds streams open (server-sent events), and ``harken serve`` is a WSGI server
(waitress), whose threads it would tie up; uvicorn runs it instead.
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

    def handle(self, *args: Any, **options: Any) -> None:
        server = build()
        if options["http"]:
            import uvicorn

            app = server.streamable_http_app(host=options["host"])
            uvicorn.run(app, host=options["host"], port=options["port"], log_level="warning")
            return
        secret = os.environ.get("HARKEN_TOKEN", "")
        caller = caller_for(secret) if secret else None
        if caller is None:
            raise CommandError("Set HARKEN_TOKEN to a live personal access token (hk_…).")
        CALLER.set(caller)
        server.run("stdio")
