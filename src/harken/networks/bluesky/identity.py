"""atproto identity: a handle or DID → the account's DID document → its PDS.

Resolution follows the atproto identity specs, with no third party in the middle:

- a handle resolves through DNS (the TXT record ``_atproto.<handle>`` holding ``did=...``)
  or, failing that, HTTPS (``https://<handle>/.well-known/atproto-did``);
- a ``did:plc`` resolves through the PLC directory, a ``did:web`` through
  ``https://<host>/.well-known/did.json``;
- the handle counts only when the DID document claims it back (``alsoKnownAs``), since
  anyone can point their domain's record at someone else's DID.

Every HTTP fetch goes through ``harken.lib.http`` (the URL guard, timeouts, a size limit):
the handle, the DID and the PDS address all come from outside. The only injection points
are URLs (``BLUESKY_PLC_DIRECTORY``, ``BLUESKY_HANDLE_WELL_KNOWN`` and the test-only
``BLUESKY_HANDLE_RESOLVER`` settings), so tests serve real documents from a local server or
resolve against a local Bluesky network.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings

from harken.lib import http
from harken.lib.urlguard import UnsafeURL, check_url
from harken.networks.base import ConnectorError

log = logging.getLogger(__name__)

TIMEOUT = 8.0
MAX_DOC_BYTES = 256 * 1024  # a DID document is a few KiB
DNS_LIFETIME = 3.0
PLC_DIRECTORY = "https://plc.directory"
HANDLE_WELL_KNOWN = "https://{handle}/.well-known/atproto-did"

# The handle syntax of the atproto spec: DNS labels, at least two, the last not numeric.
HANDLE = re.compile(
    r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
)
DID = re.compile(r"^did:(plc|web):[a-zA-Z0-9._:%-]{1,2000}$")


@dataclass(frozen=True)
class Identity:
    """An account as its DID document describes it. ``handle`` is empty when the document
    names no handle that resolves back to the DID."""

    did: str
    handle: str
    pds: str


def parse_login(raw: str) -> str:
    """A handle (``@shop.bsky.social`` as people paste it) or a DID, lower-cased where the
    spec says case does not matter; ``ConnectorError`` for anything else."""
    value = (raw or "").strip().removeprefix("@").removeprefix("at://").strip()
    if DID.match(value):
        return value
    if len(value) <= 253 and HANDLE.match(value):
        return value.lower()
    raise ConnectorError(
        "Enter the account's handle (e.g. shop.bsky.social) or its DID.", permanent=True
    )


def resolve_identity(login: str) -> Identity:
    """The identity behind a handle or DID (already checked by ``parse_login``)."""
    if login.startswith("did:"):
        doc = resolve_did(login)
        pds = pds_of(doc)  # first: a refused PDS needs no handle lookup
        return Identity(login, verified_handle(doc, login), pds)
    did = resolve_handle(login)
    doc = resolve_did(did)
    if login not in handles_of(doc):
        raise ConnectorError(
            f"{login} points at {did}, but that account does not claim the handle {login}.",
            permanent=True,
        )
    return Identity(did, login, pds_of(doc))


def resolve_handle(handle: str) -> str:
    did = _resolver_did(handle) or _dns_did(handle) or _https_did(handle)
    if not did:
        raise ConnectorError(
            f"No Bluesky account has the handle {handle} (neither its DNS nor its website "
            "names one).",
            permanent=True,
        )
    return did


def _resolver_did(handle: str) -> str | None:
    """The DID a configured XRPC server (``BLUESKY_HANDLE_RESOLVER``) names for ``handle``,
    through ``com.atproto.identity.resolveHandle``. Unset in production: there a handle is
    resolved through its own DNS and website only. Tests point it at a local PDS, whose
    ``.test`` handles have neither; the DID document must still claim the handle back."""
    server = getattr(settings, "BLUESKY_HANDLE_RESOLVER", "")
    if not server:
        return None
    url = f"{server.rstrip('/')}/xrpc/com.atproto.identity.resolveHandle"
    try:
        response = http.get(
            url,
            params={"handle": handle},
            timeout=TIMEOUT,
            max_bytes=4096,
            attempts=2,
            raise_for_status=False,
        )
        did = response.json().get("did", "") if response.status_code == 200 else ""
    except (ConnectorError, ValueError, AttributeError) as exc:
        log.debug("The handle resolver named no DID for %s: %s", handle, exc)
        return None
    return did if isinstance(did, str) and DID.match(did) else None


def _dns_did(handle: str) -> str | None:
    import dns.exception
    import dns.resolver

    try:
        resolver = dns.resolver.Resolver()
        resolver.lifetime = DNS_LIFETIME
        answer = resolver.resolve(f"_atproto.{handle}", "TXT")
    except (dns.exception.DNSException, OSError) as exc:
        log.debug("No DNS handle record for %s: %s", handle, exc)
        return None
    found = set()
    for record in answer:
        text = b"".join(record.strings).decode("ascii", "replace")
        if text.startswith("did="):
            found.add(text.removeprefix("did="))
    # Two different DIDs for one handle is ambiguous: the spec says it does not resolve.
    valid = {did for did in found if DID.match(did)}
    return valid.pop() if len(valid) == 1 else None


def _https_did(handle: str) -> str | None:
    template = getattr(settings, "BLUESKY_HANDLE_WELL_KNOWN", HANDLE_WELL_KNOWN)
    try:
        response = http.get(
            template.format(handle=handle),
            timeout=TIMEOUT,
            max_bytes=4096,
            attempts=2,
            raise_for_status=False,
        )
    except ConnectorError as error:
        log.debug("No HTTPS handle record for %s: %s", handle, error.message)
        return None
    if response.status_code != 200:
        return None
    lines = response.text.strip().splitlines()
    did = lines[0].strip() if lines else ""
    return did if DID.match(did) else None


def did_document_url(did: str) -> str:
    if did.startswith("did:plc:"):
        directory = getattr(settings, "BLUESKY_PLC_DIRECTORY", PLC_DIRECTORY).rstrip("/")
        return f"{directory}/{did}"
    host = unquote(did.removeprefix("did:web:"))
    if ":" in host.split("]")[-1] and not _loopback_port(host):
        # atproto allows no path in a did:web, and a port only for local development.
        raise ConnectorError(f"{did} is not a DID that atproto accepts.", permanent=True)
    # Plain http only for a loopback host where the guard lets loopback through (tests).
    scheme = "http" if _loopback_port(host) and http.loopback_allowed() else "https"
    return f"{scheme}://{host}/.well-known/did.json"


def _loopback_port(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if ":" in host else host
    return name in ("127.0.0.1", "localhost", "[::1]")


def resolve_did(did: str) -> dict[str, Any]:
    response = http.get(did_document_url(did), timeout=TIMEOUT, max_bytes=MAX_DOC_BYTES)
    try:
        doc = response.json()
    except ValueError:
        raise ConnectorError(f"The DID document of {did} is not JSON.", permanent=True) from None
    if not isinstance(doc, dict) or doc.get("id") != did:
        raise ConnectorError(f"The DID document of {did} describes another DID.", permanent=True)
    return doc


def pds_of(doc: dict[str, Any]) -> str:
    """The PDS endpoint (``#atproto_pds``) of a DID document, checked by the URL guard."""
    for service in doc.get("service") or []:
        if not isinstance(service, dict):
            continue
        if service.get("id") in ("#atproto_pds", f"{doc.get('id')}#atproto_pds") and (
            service.get("type") == "AtprotoPersonalDataServer"
        ):
            return check_endpoint(str(service.get("serviceEndpoint", "")), "PDS")
    raise ConnectorError(f"{doc.get('id')} names no Bluesky server (PDS).", permanent=True)


def check_endpoint(url: str, what: str) -> str:
    """An origin-only http(s) URL on a public address (loopback only where allowed)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConnectorError(f"The {what} address {url!r} is not a web address.", permanent=True)
    try:
        check_url(url, allow_loopback=http.loopback_allowed())
    except UnsafeURL as exc:
        raise ConnectorError(f"The {what} address is refused: {exc}", permanent=True) from None
    if parts.scheme == "http" and not (_loopback_port(parts.netloc) and http.loopback_allowed()):
        raise ConnectorError(f"The {what} at {url} does not use HTTPS.", permanent=True)
    return f"{parts.scheme}://{parts.netloc}".lower()


def handles_of(doc: dict[str, Any]) -> list[str]:
    aliases = doc.get("alsoKnownAs") or []
    return [a.removeprefix("at://").lower() for a in aliases if str(a).startswith("at://")]


def verified_handle(doc: dict[str, Any], did: str) -> str:
    """The first handle the document claims that resolves back to ``did``; "" if none does."""
    for handle in handles_of(doc)[:1]:
        try:
            if HANDLE.match(handle) and resolve_handle(handle) == did:
                return handle
        except ConnectorError:
            pass
    return ""
