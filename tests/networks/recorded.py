"""Replaying recorded real traffic at the HTTP boundary (vcrpy), shared by connector tests.

The recordings come from the networks' own SDK test suites (see
../shared/data/recorded-api/SOURCES.md). Requests are matched on method, host and path:
Harken asks for more fields than the SDKs' tests did, and the query string is checked
separately through the ``sent`` list each replay fills.
"""

from __future__ import annotations

import json
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import vcr
import yaml
from vcr.filters import decode_response
from vcr.request import Request

from tests.conftest import shared_data

MATCH_ON = ("method", "scheme", "host", "path")


class Sent(list):
    """The requests our code made during a replay."""

    def query(self, index: int) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self[index].uri).query)

    def paths(self) -> list[str]:
        return [urlsplit(r.uri).path for r in self]


@contextmanager
def replay(
    cassette: Path | str,
    *,
    serializer: str = "yaml",
    match_on: tuple[str, ...] = MATCH_ON,
    repeats: bool = True,
):
    """Serve a cassette; any request it has no answer for fails the test."""
    sent = Sent()
    player = vcr.VCR(
        record_mode="none",
        match_on=match_on,
        serializer=serializer,
        decode_compressed_response=False,
    )
    with tempfile.TemporaryDirectory() as folder:
        plain = _decompressed(Path(cassette), Path(folder) / Path(cassette).name, serializer)
        with player.use_cassette(str(plain), allow_playback_repeats=repeats) as cass:
            yield from _noting(cass, sent)


def _noting(cass, sent: Sent):
    play = cass.play_response

    def play_and_note(request: Request):
        sent.append(request)
        return play(request)

    cass.play_response = play_and_note
    yield sent, cass


def _decompressed(source: Path, target: Path, serializer: str) -> Path:
    """The cassette with gzip bodies unpacked: vcrpy's stubs hand recorded bytes to
    requests as they are, so a gzip-encoded recording would reach the SDK undecoded."""
    if serializer != "yaml":
        return source
    data = yaml.safe_load(source.read_text())
    for interaction in data["interactions"]:
        interaction["response"] = decode_response(interaction["response"])
    target.write_text(yaml.safe_dump(data))
    return target


def recorded(*parts: str) -> Path:
    return shared_data("recorded-api", *parts)


def betamax_to_vcr(paths: Path | list[Path], target: Path) -> Path:
    """Rewrite PRAW's betamax JSON cassettes as one vcrpy JSON cassette.

    The two formats hold the same fields under slightly different names: betamax keeps
    bodies as ``{"string": ...}`` on both sides and an ``url`` on the response.
    """
    interactions = []
    for path in paths if isinstance(paths, list) else [paths]:
        interactions += [
            _vcr_interaction(item) for item in json.loads(path.read_text())["interactions"]
        ]
    target.write_text(json.dumps({"version": 1, "interactions": interactions}))
    return target


def _vcr_interaction(item: dict) -> dict:
    request, response = item["request"], item["response"]
    body = request.get("body")
    if isinstance(body, dict):
        body = body.get("string") or None
    return {
        "request": {
            "method": request["method"],
            "uri": request["uri"],
            "body": body or None,
            "headers": request["headers"],
        },
        "response": {
            "status": response["status"],
            "headers": response["headers"],
            "body": {"string": response["body"].get("string", "")},
        },
    }
