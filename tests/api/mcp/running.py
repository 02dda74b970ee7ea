"""Run an MCP client coroutine to completion from a synchronous test.

The browser tests' Playwright (sync API) keeps an event loop running in the main thread of
the pytest worker for the whole session, so ``asyncio.run`` there refuses to start; a
fresh thread has no loop and runs the client as a plain program would."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    outcome: dict[str, Any] = {}

    def main() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # handed to the test's thread below
            outcome["error"] = exc

    thread = threading.Thread(target=main, name="mcp-client")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
