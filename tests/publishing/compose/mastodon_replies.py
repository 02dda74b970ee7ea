"""The local Mastodon server of the publishing tests, taught replies and media.

Replies: ``in_reply_to_id`` is kept on the status and ``GET /api/v1/statuses/:id``
answers with it (Mastodon.py reads the parent before replying). Media:
``POST /api/v1/media`` (or v2) answers with the attachment Mastodon.py's own test suite recorded
(recorded-api/mastodon/test_media_post_file.yaml) under a new id, keeping the upload's
description and bytes.
"""

from __future__ import annotations

import contextlib
import json
from email.parser import BytesParser
from email.policy import default
from urllib.parse import parse_qs, urlsplit

import yaml

from tests.networks.recorded import recorded
from tests.publishing.mastodon_server import Handler, MastodonServer


def recorded_media() -> dict:
    data = yaml.safe_load(recorded("mastodon", "test_media_post_file.yaml").read_text())
    return json.loads(data["interactions"][0]["response"]["body"]["string"])


class RepliesServer(MastodonServer):
    def __init__(self) -> None:
        super().__init__()
        self.RequestHandlerClass = RepliesHandler
        self.media_template = recorded_media()
        self.uploads: list[dict] = []
        self.next_media = 117020576894252000

    def by_id(self, local: str) -> dict | None:
        return next((s for s in self.statuses if s["id"] == local), None)


class RepliesHandler(Handler):
    server: RepliesServer

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path in ("/api/v1/media", "/api/v2/media"):
            return self._upload()
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode()) if length else {}
        key = self.headers.get("Idempotency-Key")
        server = self.server
        with server.lock:
            server.posts.append({"form": form, "key": key})
            failure = server.failures.pop(0) if server.failures else None
        if failure:
            return self._send(*failure)
        status = server.make_status(form.get("status", [""])[0], key)
        with server.lock:
            status["in_reply_to_id"] = form.get("in_reply_to_id", [None])[0]
            status["media_ids"] = form.get("media_ids[]", [])
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._send(200, status)

    def _upload(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        message = BytesParser(policy=default).parsebytes(head + self.rfile.read(length))
        fields = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[name] = part.get_payload(decode=True)
        server = self.server
        with server.lock:
            server.next_media += 1
            media = {**server.media_template, "id": str(server.next_media)}
            media["description"] = (fields.get("description") or b"").decode() or None
            server.uploads.append({"id": media["id"], "file": fields.get("file"), **media})
        self._send(200, media)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path.startswith("/api/v1/statuses/"):
            found = self.server.by_id(url.path.rsplit("/", 1)[-1])
            return self._send(200, found) if found else self._send(404, {"error": "Not found"})
        super().do_GET()
