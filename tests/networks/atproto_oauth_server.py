"""A local server that plays an atproto account's whole world, per atproto.com/specs/oauth:
the did:web host of its DID document, its handle's ``/.well-known/atproto-did``, its PDS
(protected-resource metadata and XRPC) and its authorization server (metadata, PAR, the
authorization page, the token endpoint).

It checks what a real server checks, so the client cannot pass by accident: every DPoP
proof is verified (ES256 signature over the embedded public key, ``typ``, ``htm``,
``htu``, a never-seen ``jti``, a recent ``iat``, the current server ``nonce``, and towards
the PDS ``ath`` and the key the token is bound to); PAR needs PKCE S256, ``state`` and a
redirect URI the client's metadata declares; the code exchange needs the PKCE verifier and
the key used in PAR; refresh tokens rotate and a spent one is ``invalid_grant``. The first
DPoP request to it is refused with ``use_dpop_nonce``, as Bluesky's servers do.

The DID document is the recorded real one (the ``didDoc`` of recorded-api/bluesky-atproto/
did_doc.json, a describeRepo answer)
with its id, handle and PDS pointed here; listNotifications answers with the notification
views test_bluesky builds from recorded real posts.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import ECKey

from tests.networks.recorded import recorded

HANDLE = "harbor-street.test"
CID = "bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a"


def b64_sha256(value: str) -> str:
    digest = hashlib.sha256(value.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Refusal(Exception):
    def __init__(self, status: int, body: dict, headers: dict | None = None) -> None:
        super().__init__(body.get("error"))
        self.status, self.body, self.headers = status, body, headers or {}


@dataclass
class Seen:
    method: str
    path: str
    form: dict[str, str]
    headers: dict[str, str]
    raw: str = ""
    claims: dict[str, Any] = field(default_factory=dict)


class AtprotoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.seen: list[Seen] = []
        self.nonce = "nonce-" + secrets.token_hex(4)
        self.jtis: set[str] = set()
        self.pushed: dict[str, dict] = {}  # request_uri → PAR form + key thumbprint
        self.codes: dict[str, dict] = {}
        self.access: dict[str, dict] = {}
        self.refresh: dict[str, dict] = {}
        self.client_documents: dict[str, dict] = {}  # https client_id → its metadata
        # Knobs a test turns.
        self.access_lifetime = 900
        self.refresh_delay = 0.0
        self.sub: str | None = None  # sign in another account than asked
        self.iss: str | None = None  # answer the redirect in another server's name
        self.pds_endpoint: str | None = None
        self.claimed_handle = HANDLE  # the handle the DID document claims
        self.xrpc_failures: list[int] = []  # statuses the next XRPC calls answer with
        described = json.loads(recorded("bluesky-atproto", "did_doc.json").read_text())
        self.from_bluesky = described["didDoc"]
        from tests.networks.test_bluesky import _fixtures

        self.notifications = _fixtures()["notifications"]

    # -- who this server is --

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def did(self) -> str:
        return f"did:web:127.0.0.1%3A{self.server_address[1]}"

    def did_document(self) -> dict:
        doc = json.loads(json.dumps(self.from_bluesky))
        doc["id"] = self.did
        doc["alsoKnownAs"] = [f"at://{self.claimed_handle}"]
        for method in doc.get("verificationMethod", []):
            method["controller"] = self.did
            method["id"] = f"{self.did}#atproto"
        for service in doc["service"]:
            if service["type"] == "AtprotoPersonalDataServer":
                service["serviceEndpoint"] = self.pds_endpoint or self.url
        return doc

    def authorization_server(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/oauth/authorize",
            "token_endpoint": f"{self.url}/oauth/token",
            "pushed_authorization_request_endpoint": f"{self.url}/oauth/par",
            "require_pushed_authorization_requests": True,
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none", "private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["ES256"],
            "scopes_supported": ["atproto", "transition:generic"],
            "dpop_signing_alg_values_supported": ["ES256"],
            "authorization_response_iss_parameter_supported": True,
            "client_id_metadata_document_supported": True,
        }

    # -- what a test asks --

    def hits(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == path]

    def grants(self, grant_type: str) -> list[Seen]:
        return [s for s in self.hits("/oauth/token") if s.form.get("grant_type") == grant_type]

    def rotate_nonce(self) -> None:
        self.nonce = "nonce-" + secrets.token_hex(4)

    def revoke_all(self) -> None:
        with self.lock:
            self.refresh.clear()
            self.access.clear()

    # -- checks --

    def client(self, client_id: str) -> dict:
        """The client's metadata: read from a loopback client_id, or registered by the test
        for an https one (this server cannot fetch Harken's page, as Bluesky would)."""
        if client_id.startswith("http://localhost?") or client_id == "http://localhost":
            query = parse_qs(urlsplit(client_id).query)
            return {
                "redirect_uris": query.get("redirect_uri", ["http://127.0.0.1/"]),
                "scope": query.get("scope", ["atproto"])[0],
                "dpop_bound_access_tokens": True,
                "token_endpoint_auth_method": "none",
            }
        if client_id not in self.client_documents:
            raise Refusal(400, {"error": "invalid_client", "error_description": "unknown"})
        document = self.client_documents[client_id]
        if document.get("client_id") != client_id:
            raise Refusal(400, {"error": "invalid_client_metadata"})
        return document

    def check_proof(
        self, headers: dict, method: str, path: str, access_token: str | None, resource: bool
    ) -> tuple[str, dict]:
        """The proof's key thumbprint and claims, or the refusal a real server sends."""
        proof = headers.get("dpop", "")
        try:
            header = json.loads(base64.urlsafe_b64decode(proof.split(".")[0] + "=="))
            if header.get("typ") != "dpop+jwt" or header.get("alg") != "ES256":
                raise ValueError("typ/alg")
            if "d" in header["jwk"]:
                raise ValueError("private key in proof")
            key = ECKey.import_key(header["jwk"])
            claims = jwt.decode(proof, key, algorithms=["ES256"]).claims
        except Exception as exc:  # noqa: BLE001 - any malformed proof is the same refusal
            refusal = {"error": "invalid_dpop_proof", "error_description": str(exc)}
            raise Refusal(400, refusal) from None
        problems = []
        if claims.get("htm") != method:
            problems.append("htm")
        if claims.get("htu") != self.url + path:
            problems.append("htu")
        if abs(time.time() - claims.get("iat", 0)) > 60:
            problems.append("iat")
        with self.lock:
            if not claims.get("jti") or claims["jti"] in self.jtis:
                problems.append("jti replayed")
            self.jtis.add(claims.get("jti", ""))
        if access_token is not None and claims.get("ath") != b64_sha256(access_token):
            problems.append("ath")
        if problems:
            raise Refusal(400, {"error": "invalid_dpop_proof", "error_description": problems})
        if claims.get("nonce") != self.nonce:
            nonce = {"DPoP-Nonce": self.nonce}
            if resource:
                challenge = 'DPoP error="use_dpop_nonce", error_description="nonce"'
                raise Refusal(
                    401, {"error": "use_dpop_nonce"}, {**nonce, "WWW-Authenticate": challenge}
                )
            raise Refusal(400, {"error": "use_dpop_nonce"}, nonce)
        return str(key.thumbprint()), claims

    # -- endpoints --

    def par(self, form: dict, jkt: str) -> dict:
        client = self.client(form.get("client_id", ""))
        if form.get("response_type") != "code" or form.get("code_challenge_method") != "S256":
            raise Refusal(400, {"error": "invalid_request", "error_description": "PKCE S256"})
        if not form.get("code_challenge") or not form.get("state"):
            raise Refusal(400, {"error": "invalid_request", "error_description": "state/PKCE"})
        if form.get("redirect_uri") not in client["redirect_uris"]:
            raise Refusal(400, {"error": "invalid_redirect_uri"})
        if "atproto" not in form.get("scope", "").split():
            raise Refusal(400, {"error": "invalid_scope"})
        request_uri = "urn:ietf:params:oauth:request_uri:req-" + secrets.token_hex(8)
        self.pushed[request_uri] = {**form, "jkt": jkt}
        return {"request_uri": request_uri, "expires_in": 299}

    def authorize(self, query: dict) -> str:
        pushed = self.pushed.pop(query.get("request_uri", ""), None)
        if pushed is None or pushed["client_id"] != query.get("client_id"):
            raise Refusal(400, {"error": "invalid_request"})
        code = "cod-" + secrets.token_hex(12)
        self.codes[code] = pushed
        answer = {"code": code, "state": pushed["state"], "iss": self.iss or self.url}
        return f"{pushed['redirect_uri']}?{urlencode(answer)}"

    def token(self, form: dict, jkt: str) -> dict:
        if form.get("grant_type") == "authorization_code":
            pushed = self.codes.pop(form.get("code", ""), None)
            if pushed is None or pushed["jkt"] != jkt:
                raise Refusal(400, {"error": "invalid_grant", "error_description": "code"})
            if form.get("client_id") != pushed["client_id"]:
                raise Refusal(400, {"error": "invalid_grant", "error_description": "client"})
            if form.get("redirect_uri") != pushed["redirect_uri"]:
                raise Refusal(400, {"error": "invalid_grant", "error_description": "redirect"})
            if b64_sha256(form.get("code_verifier", "")) != pushed["code_challenge"]:
                raise Refusal(400, {"error": "invalid_grant", "error_description": "PKCE"})
            return self._issue(self.sub or self.did, jkt, pushed["client_id"])
        if form.get("grant_type") == "refresh_token":
            time.sleep(self.refresh_delay)
            with self.lock:
                grant = self.refresh.pop(form.get("refresh_token", ""), None)
            if grant is None or grant["jkt"] != jkt or grant["client_id"] != form.get("client_id"):
                raise Refusal(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "refresh token replayed or revoked",
                    },
                )
            return self._issue(grant["sub"], jkt, grant["client_id"])
        raise Refusal(400, {"error": "unsupported_grant_type"})

    def _issue(self, sub: str, jkt: str, client_id: str) -> dict:
        access, refresh = "acc-" + secrets.token_hex(16), "ref-" + secrets.token_hex(16)
        with self.lock:
            self.access[access] = {
                "sub": sub,
                "jkt": jkt,
                "exp": time.time() + self.access_lifetime,
            }
            self.refresh[refresh] = {"sub": sub, "jkt": jkt, "client_id": client_id}
        return {
            "access_token": access,
            "token_type": "DPoP",
            "expires_in": self.access_lifetime,
            "refresh_token": refresh,
            "scope": "atproto transition:generic",
            "sub": sub,
        }

    def xrpc(self, headers: dict, method: str, path: str) -> dict:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        grant = self.access.get(token)
        if scheme != "DPoP" or grant is None or grant["exp"] < time.time():
            challenge = 'DPoP error="invalid_token", error_description="expired or unknown"'
            raise Refusal(401, {"error": "InvalidToken"}, {"WWW-Authenticate": challenge})
        jkt, _ = self.check_proof(headers, method, path, token, resource=True)
        if jkt != grant["jkt"]:
            raise Refusal(401, {"error": "InvalidToken", "message": "key mismatch"})
        with self.lock:
            failure = self.xrpc_failures.pop(0) if self.xrpc_failures else None
        if failure:
            raise Refusal(failure, {"error": "InternalServerError", "message": "try again"})
        if path == "/xrpc/app.bsky.notification.listNotifications" and method == "GET":
            return {"notifications": self.notifications}
        if path == "/xrpc/com.atproto.repo.createRecord" and method == "POST":
            return {"uri": f"at://{grant['sub']}/app.bsky.feed.post/3kvnewpost222", "cid": CID}
        raise Refusal(404, {"error": "MethodNotImplemented"})


class Handler(BaseHTTPRequestHandler):
    server: AtprotoServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def _answer(self, method: str) -> None:
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        length = int(headers.get("content-length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        form = {k: v[0] for k, v in parse_qs(raw).items()}
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        seen = Seen(method, parts.path, form, headers, raw)
        self.server.seen.append(seen)
        try:
            status, body, extra = self._route(method, parts.path, form, query, headers, seen)
        except Refusal as refusal:
            status, body, extra = refusal.status, refusal.body, refusal.headers
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header(
            "Content-Type", "application/json" if not isinstance(body, bytes) else "text/plain"
        )
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _route(self, method, path, form, query, headers, seen):
        server = self.server
        nonce = {"DPoP-Nonce": server.nonce}
        if path == "/.well-known/did.json":
            return 200, server.did_document(), {}
        if path == f"/handles/{HANDLE}/atproto-did":
            return 200, server.did.encode(), {}
        if path == "/.well-known/oauth-protected-resource":
            return 200, {"resource": server.url, "authorization_servers": [server.url]}, {}
        if path == "/.well-known/oauth-authorization-server":
            return 200, server.authorization_server(), {}
        if path == "/oauth/par" and method == "POST":
            jkt, seen.claims = server.check_proof(headers, "POST", path, None, resource=False)
            return 201, server.par(form, jkt), nonce
        if path == "/oauth/authorize":
            return 302, b"", {"Location": server.authorize(query)}
        if path == "/oauth/token" and method == "POST":
            jkt, seen.claims = server.check_proof(headers, "POST", path, None, resource=False)
            return 200, server.token(form, jkt), nonce
        if path.startswith("/xrpc/"):
            return 200, server.xrpc(headers, method, path), nonce
        return 404, {"error": "NotFound"}, {}
