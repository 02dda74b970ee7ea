"""Whether the links of a variant's text are online yet: the gate's ``link_offline`` rule.

Each link is asked with a HEAD (a GET when the HEAD is refused: many servers answer HEAD
with 403/404/405 for pages that exist) through ``harken.lib.http``, so the URL guard,
timeouts and rate-limit budgets apply as to any other fetch. A tracked short link of this
Harken (``/l/<code>``) is checked at its destination: the redirect is ours and always up.

Answers are kept briefly per process (``_CACHE``): a post scheduled a minute ago and a
burst of variants linking to the same page cost one request, not one each. A failing
answer is kept less long than a good one, so a page published meanwhile is seen soon.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from harken.lib import http
from harken.networks.base import ConnectorError
from harken.networks.counting import URL
from harken.publishing.guidelines import Finding, Rules

log = logging.getLogger(__name__)

#: Links checked per text at most: a list of twenty links is not held up by twenty calls.
MAX_LINKS = 5
#: How long an answer is kept: an online page stays online; a missing one may appear.
GOOD_FOR = 600.0
BAD_FOR = 60.0
#: Entries kept at most before the cache starts over.
CACHE_SIZE = 2000
#: Seconds a link may take just before publishing, whatever the rules allow: the tick
#: must not wait long on a slow site.
PUBLISH_TIMEOUT = 2.0
#: A rate limit says the page is there and busy, not missing.
_ONLINE_ANYWAY = frozenset({429})


@dataclass(frozen=True)
class Answer:
    """What a link answered: ``status`` (None when nothing answered) and, when it is not
    online, ``problem`` in words."""

    url: str
    status: int | None
    problem: str = ""

    @property
    def online(self) -> bool:
        return not self.problem


_CACHE: dict[str, tuple[float, Answer]] = {}
_LOCK = threading.Lock()


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()


def ask(url: str, timeout: float) -> Answer:
    """Whether ``url`` is online, from the cache when asked recently."""
    now = time.monotonic()
    with _LOCK:
        kept = _CACHE.get(url)
    if kept and kept[0] > now:
        return kept[1]
    answer = _ask(url, timeout)
    with _LOCK:
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.clear()
        _CACHE[url] = (now + (GOOD_FOR if answer.online else BAD_FOR), answer)
    return answer


def _ask(url: str, timeout: float) -> Answer:
    head = _request("HEAD", url, timeout)
    if head.online or head.status is None:
        return head
    return _request("GET", url, timeout)  # some servers refuse HEAD only


def _request(method: str, url: str, timeout: float) -> Answer:
    try:
        response = http.request(
            method,
            url,
            timeout=timeout,
            connect_timeout=timeout,
            total_timeout=timeout,
            attempts=1,  # a second try is the next check's: the gate must stay quick
            raise_for_status=False,
            max_bytes=1024 * 1024,
        )
        status = response.status_code
    except http.HttpStatusError as exc:  # a 5xx, raised even without raise_for_status
        status = exc.status
    except ConnectorError as exc:
        if "sent more than" in exc.message:  # a large page is a page that is there
            return Answer(url, 200)
        return Answer(url, None, f"nothing answered ({exc.message})")
    if status < 400 or status in _ONLINE_ANYWAY:
        return Answer(url, status)
    return Answer(url, status, f"it answered {status}")


def links_of(text: str) -> list[str]:
    """The text's links, each once, in order."""
    return list(dict.fromkeys(match.group(0) for match in URL.finditer(text)))


def destinations(links: list[str], workspace_id: int) -> list[str]:
    """``links`` with this Harken's tracked short links replaced by their destinations
    (one query, only when there are some); a code that is not the workspace's is left out:
    it is Harken's own address, not the author's page."""
    from harken.publishing.models import Link

    prefix = f"{settings.BASE_URL}/l/"
    codes = [link.removeprefix(prefix) for link in links if link.startswith(prefix)]
    if not codes:
        return links
    found = dict(
        Link.objects.filter(workspace_id=workspace_id, code__in=codes).values_list(
            "code", "destination"
        )
    )
    out = []
    for link in links:
        if not link.startswith(prefix):
            out.append(link)
        elif link.removeprefix(prefix) in found:
            out.append(found[link.removeprefix(prefix)])
    return list(dict.fromkeys(out))


def check_links(
    text: str, workspace_id: int, rules: Rules, *, publishing: bool = False
) -> list[Finding]:
    """A finding for each link of ``text`` that is not online (see the module's note).

    Just before publishing (``publishing``), a link held back the post only when its
    server answered that the page is not there (4xx): that is the mistake the rule is
    for, and the answer is definite. A 5xx or no answer then only warns (logged): the
    link was checked when the post was scheduled, and a site's momentary outage or our
    own network's must neither fail a post at its time nor make the tick flaky; the
    person who scheduled it chose that time. Each call takes at most twice the timeout
    (each link's HEAD and GET share what is left), and links past that go unchecked."""
    if not rules.link_timeout_seconds or not getattr(settings, "PUBLISHING_LINK_CHECK", True):
        return []
    links = links_of(text)
    if not links:
        return []
    timeout = float(rules.link_timeout_seconds)
    if publishing:
        timeout = min(timeout, PUBLISH_TIMEOUT)
    deadline = time.monotonic() + 2 * timeout
    findings = []
    for url in destinations(links, workspace_id)[:MAX_LINKS]:
        left = deadline - time.monotonic()
        if left <= 0.05:
            break
        answer = ask(url, min(timeout, left))
        if answer.online:
            continue
        if publishing and not (answer.status and 400 <= answer.status < 500):
            log.warning("Publishing with a link that did not answer: %s: %s", url, answer.problem)
            continue
        findings.append(finding(answer))
    return findings


def finding(answer: Answer) -> Finding:
    host = urlsplit(answer.url).hostname or answer.url
    return Finding(
        "link_offline",
        f"The link {answer.url} is not online yet: {answer.problem}. Followers who click "
        "it would find nothing.",
        f"Publish the page on {host} first (or fix the link), or override this with a "
        "reason if it goes live before the post does.",
    )
