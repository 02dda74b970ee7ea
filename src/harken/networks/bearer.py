"""One bearer-token JSON call, as the REST networks (Pinterest, TikTok, Google Business
Profile, LinkedIn) make it, and how such a network says no.

``BearerApi.send``: the token in ``Authorization``, a timeout, a read retried with backoff
by ``harken.lib.http`` (which also waits out a 429's ``Retry-After`` and the
``X-RateLimit-*`` headers before giving up), a write sent once (repeating a lost answer
could post twice; the connector settles it instead), and a refusal turned into one
``ConnectorError`` in the network's words (``Refusals``): 401 reconnect needed, 403 a
permission (permanent, with where to read about it), 429 its rate limit (transient), a
4xx on a write the content refused, anything else 4xx permanent and 5xx transient.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from harken.lib import http
from harken.networks.base import ConnectorError

#: Attempts at a read (a write is sent once).
READ_ATTEMPTS = 3


def json_body(response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON object, or {} for anything else (an empty body, HTML, a list)."""
    try:
        found = response.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def status_words(response: httpx.Response) -> str:
    return f"HTTP {response.status_code} {response.reason_phrase}"


@dataclass(frozen=True)
class Refusals:
    """How one network's refusals read. ``network`` names it in every message ("LinkedIn:
    …", "LinkedIn refused it: …"); ``signer`` is who refused a sign-in and ``signed`` what
    ("Google refused the profile's sign-in"); ``permission`` follows a 403 (what the
    person or the app lacks, and the doc); ``rate`` leads a 429, retried after
    ``rate_wait`` seconds."""

    network: str
    permission: str
    signer: str = ""
    signed: str = "account"
    rate: str = ""
    rate_wait: float = 60.0

    def error(self, status: int, said: str, write: bool) -> ConnectorError:
        """The error for a refusal with HTTP ``status`` (or the status a network's own
        code stands for), the network's words ``said``, on a ``write`` or a read."""
        signer = self.signer or self.network
        if status == 401:
            return ConnectorError(
                f"{signer} refused the {self.signed}'s sign-in; reconnect it. "
                f"{signer} said: {said}",
                permanent=True,
            )
        if status == 403:
            return ConnectorError(
                f"{signer} did not allow Harken this: {said}. {self.permission}", permanent=True
            )
        if status == 429:
            rate = self.rate or f"{self.network} rate limit"
            return ConnectorError(f"{rate}: {said}", retry_after=self.rate_wait)
        if write and 400 <= status < 500:
            return ConnectorError(f"{self.network} refused it: {said}", rejected=True)
        return ConnectorError(f"{self.network}: {said}", permanent=400 <= status < 500)


#: An answer's failure: the status it stands for and the network's words, or None (it
#: succeeded). The default reads the HTTP status; TikTok's reads its body's own code.
Failure = Callable[[httpx.Response, dict[str, Any]], tuple[int, str] | None]


@dataclass(frozen=True)
class BearerApi:
    """A network's REST API called with a bearer token. ``words`` reads the network's
    reason from a refused answer; ``failure`` (when given) decides what counts as refused,
    for a network that answers 200 with an error inside."""

    refusals: Refusals
    words: Callable[[httpx.Response, dict[str, Any]], str]
    timeout: float = 20.0
    failure: Failure | None = None

    def send(
        self,
        token: str,
        method: str,
        url: str,
        *,
        params: Any = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        write: bool | None = None,
    ) -> tuple[httpx.Response, dict[str, Any]]:
        """One call: the answer and its JSON object. ``write`` (default: any method but
        GET) is sent once; a read that does not change anything may say ``write=False``."""
        write = method != "GET" if write is None else write
        response = http.request(
            method,
            url,
            params=params,
            json=json,
            headers={"Authorization": f"Bearer {token}", **(headers or {})},
            timeout=self.timeout,
            raise_for_status=False,
            attempts=1 if write else READ_ATTEMPTS,
        )
        body = json_body(response)
        failed = (self.failure or self._status_failure)(response, body)
        if failed is not None:
            raise self.refusals.error(failed[0], failed[1], write)
        return response, body

    def refused(self, response: httpx.Response, write: bool) -> ConnectorError:
        """The error for a refused answer from a call made outside ``send`` (an upload)."""
        return self.refusals.error(
            response.status_code, self.words(response, json_body(response)), write
        )

    def _status_failure(
        self, response: httpx.Response, body: dict[str, Any]
    ) -> tuple[int, str] | None:
        if response.status_code < 400:
            return None
        return response.status_code, self.words(response, body)
