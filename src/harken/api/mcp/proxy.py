"""``/mcp`` on `harken serve`'s own address: the MCP server's streamable HTTP, relayed.

The MCP transport is an ASGI app (``harken mcp --http``, under uvicorn) and `harken serve`
is a WSGI server (waitress), so serve runs the MCP server as one more supervised child on
a loopback port (``HARKEN_MCP_PORT``, chosen by serve) and this view relays each request
to it: method, body and the headers MCP uses go through, the answer streams back chunk by
chunk as it comes. The child runs stateless with JSON answers (``--stateless``): every
call is one POST answered at once, so no server-sent-event stream holds one of waitress'
threads for a session's life. A stateless server has nothing to push, so the GET that
would open such a stream is answered 405 here, as the transport allows (the SDK's
client expects it) and without tying up a thread.

The token is checked by the MCP server itself (each request's Bearer, as with
``harken mcp --http``); this view adds no authority of its own. It talks to our own child
on 127.0.0.1, not to the internet, so it uses httpx directly (``harken.lib.http`` guards
outbound calls and refuses loopback) with timeouts and no retries: a tool call is not
idempotent, and a child that is (re)starting answers 503 with ``Retry-After``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from harken.api.errors import error_response

#: Where `harken serve` tells its web server the MCP child listens.
PORT_VARIABLE = "HARKEN_MCP_PORT"
#: The request headers the MCP transport reads; nothing else (cookies!) goes through.
REQUEST_HEADERS = (
    "authorization",
    "content-type",
    "accept",
    "mcp-session-id",
    "mcp-protocol-version",
    "last-event-id",
)
#: The answer's headers worth passing on (hop-by-hop and length ones are not).
RESPONSE_HEADERS = (
    "content-type",
    "mcp-session-id",
    "mcp-protocol-version",
    "www-authenticate",
    "allow",
    "cache-control",
)
#: A tool may take a while (a topic's week reads thousands of mentions), but not forever.
TIMEOUT = httpx.Timeout(connect=2.0, read=120.0, write=30.0, pool=5.0)


def upstream() -> str | None:
    port = os.environ.get(PORT_VARIABLE, "")
    return f"http://127.0.0.1:{int(port)}/mcp" if port.isdigit() else None


@csrf_exempt
def relay(request: HttpRequest) -> HttpResponseBase:
    """Pass the request to the MCP child and stream its answer back."""
    url = upstream()
    if url is None:
        return error_response(
            404,
            "not_found",
            "The MCP server runs with `harken serve` (or alone: `harken mcp --http`).",
        )
    if request.method not in ("POST", "DELETE"):
        refused = error_response(
            405, "method_not_allowed", "This MCP server answers POST; it streams nothing."
        )
        refused["Allow"] = "POST, DELETE"
        return refused
    headers = {k: v for k in REQUEST_HEADERS if (v := request.headers.get(k))}
    client = httpx.Client(timeout=TIMEOUT, trust_env=False)
    outgoing = client.build_request(
        request.method or "GET", url, headers=headers, content=request.body
    )
    try:
        answer = client.send(outgoing, stream=True)
    except httpx.TimeoutException:
        client.close()
        return error_response(504, "timeout", "The MCP server did not answer in time.")
    except httpx.TransportError:
        client.close()
        busy = error_response(
            503, "unavailable", "The MCP server is starting; try again in a moment."
        )
        busy["Retry-After"] = "2"
        return busy
    relayed = StreamingHttpResponse(_chunks(answer, client), status=answer.status_code)
    for name in RESPONSE_HEADERS:
        if name in answer.headers:
            relayed[name] = answer.headers[name]
    # A proxy in front of Harken should pass a stream on as it comes, not buffer it.
    relayed["X-Accel-Buffering"] = "no"
    return relayed


def _chunks(answer: httpx.Response, client: httpx.Client) -> Iterator[bytes]:
    try:
        yield from answer.iter_bytes()
    finally:
        answer.close()
        client.close()
