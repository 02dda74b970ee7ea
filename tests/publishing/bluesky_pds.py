"""A local Bluesky PDS for publishing tests: app-password sessions and post records.

Records are kept per record key as a PDS keeps them: ``createRecord`` with a key that is
taken is refused (as the repository refuses a second record at one path), ``getRecord``
answers ``RecordNotFound`` for a key it does not have, ``listRecords`` lists newest first.
The shapes are those of the recorded ``getRecord`` body (recorded-api/bluesky-atproto/
post_record.json: uri, cid, value). ``fail`` scripts error answers for the next calls.

It is Bluesky's video service too (``BLUESKY_VIDEO_URL`` pointed at it), in the shapes of
the app.bsky.video lexicons: ``getServiceAuth`` gives a token, ``uploadVideo`` takes the
raw bytes and answers a job (409 ``already_exists`` with the job for bytes it has seen),
``getJobStatus`` answers ``{"jobStatus": ...}``: encoding for ``video_polls`` asks, then
completed with the blob, or failed with ``video_failure``'s error and message.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.networks.recorded import recorded

DID = "did:plc:kvwvcn5iqfooopmyzvb4qzba"  # the account MarshalX/atproto recorded with
HANDLE = "test.marshal.dev"


def _jwt() -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"scope": "com.atproto.appPass", "sub": DID, "iat": now, "exp": now + 7200}
    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part({**claims, 'jti': uuid.uuid4().hex})}.c2ln"


class BlueskyPds(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.cid = json.loads(recorded("bluesky-atproto", "post_record.json").read_text())["cid"]
        self.records: dict[str, dict] = {}  # rkey → {uri, cid, value}, in creation order
        self.creates: list[dict] = []  # every createRecord body
        self.failures: dict[str, list[tuple[int, dict]]] = {}
        self.lock = threading.Lock()
        self.service_auths: list[dict[str, str]] = []  # every getServiceAuth query
        self.video_uploads: list[dict] = []  # every uploadVideo: query, headers, bytes
        self.jobs: dict[str, dict] = {}  # jobId → {blob, polls left}
        self.video_polls = 2
        self.video_failure: tuple[str, str] | None = None  # (error, message) of a failed job

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def fail(self, nsid: str, status: int, body: dict, times: int = 1) -> None:
        self.failures.setdefault(nsid, []).extend([(status, body)] * times)

    def create(self, body: dict) -> tuple[int, dict]:
        with self.lock:
            self.creates.append(body)
            rkey = body.get("rkey") or f"3kserver{len(self.records):05d}"
            if rkey in self.records:
                return 400, {"error": "InvalidRequest", "message": "Record already exists"}
            uri = f"at://{DID}/{body['collection']}/{rkey}"
            self.records[rkey] = {"uri": uri, "cid": self.cid, "value": body["record"]}
            return 200, {"uri": uri, "cid": self.cid}

    def upload_video(self, query: dict, headers: dict, data: bytes) -> tuple[int, dict]:
        with self.lock:
            self.video_uploads.append({"query": query, "headers": headers, "data": data})
            job_id = hashlib.sha256(data).hexdigest()[:16]
            if job_id in self.jobs:
                return 409, {
                    "did": DID,
                    "jobId": job_id,
                    "state": "JOB_STATE_COMPLETED",
                    "error": "already_exists",
                    "message": "Video already processed",
                }
            blob = {
                "$type": "blob",
                "ref": {"$link": "bafkrei" + hashlib.sha256(data).hexdigest()[:52]},
                "mimeType": headers.get("content-type", ""),
                "size": len(data),
            }
            self.jobs[job_id] = {"blob": blob, "left": self.video_polls}
            return 200, {"did": DID, "jobId": job_id, "state": "JOB_STATE_CREATED"}

    def job_status(self, job_id: str) -> tuple[int, dict]:
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None:
                return 404, {"error": "NotFound", "message": "Job not found"}
            job["left"] -= 1
            status = {"did": DID, "jobId": job_id}
            if job["left"] > 0:
                return 200, {"jobStatus": {**status, "state": "JOB_STATE_ENCODING", "progress": 50}}
            if self.video_failure:
                error, message = self.video_failure
                failed = {"state": "JOB_STATE_FAILED", "error": error, "message": message}
                return 200, {"jobStatus": {**status, **failed}}
            done = {"state": "JOB_STATE_COMPLETED", "progress": 100, "blob": job["blob"]}
            return 200, {"jobStatus": {**status, **done}}

    def answer(self, nsid: str, query: dict, body: dict) -> tuple[int, dict]:
        if nsid == "com.atproto.server.createSession":
            session = {"accessJwt": _jwt(), "refreshJwt": _jwt(), "handle": HANDLE, "did": DID}
            return 200, {**session, "active": True}
        if nsid == "com.atproto.repo.createRecord":
            return self.create(body)
        if nsid == "com.atproto.repo.getRecord":
            found = self.records.get(query["rkey"][0])
            if found is None:
                return 400, {"error": "RecordNotFound", "message": "Could not locate record"}
            return 200, found
        if nsid == "com.atproto.server.getServiceAuth":
            self.service_auths.append({key: values[0] for key, values in query.items()})
            return 200, {"token": f"service.{uuid.uuid4().hex}"}
        if nsid == "app.bsky.video.getJobStatus":
            return self.job_status(query["jobId"][0])
        if nsid == "com.atproto.repo.listRecords":
            return 200, {"records": list(reversed(self.records.values()))}
        return 501, {"error": "MethodNotImplemented", "message": nsid}

    def __enter__(self) -> BlueskyPds:
        threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    server: BlueskyPds
    # Keep-alive, as a real PDS: HTTP/1.0 would make every call a new connection, and
    # the publish bench would measure connecting rather than publishing.
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        nsid = parts.path.removeprefix("/xrpc/")
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        with self.server.lock:
            pending = self.server.failures.get(nsid)
            failure = pending.pop(0) if pending else None
        if failure:
            status, payload = failure
        elif nsid == "app.bsky.video.uploadVideo":
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            headers = {key.lower(): value for key, value in self.headers.items()}
            status, payload = self.server.upload_video(query, headers, raw)
        else:
            body = json.loads(raw) if raw else {}
            status, payload = self.server.answer(nsid, parse_qs(parts.query), body)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _handle
