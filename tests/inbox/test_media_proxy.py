"""Thumbnails through Harken: the browser never loads a stranger's image host (the CSP
allows images from Harken alone); Harken fetches only an address the stored message
holds, with the page's signature, through the URL guard, only real images, once."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.urls import resolve
from PIL import Image

from harken.inbox import media
from tests.inbox.conftest import make_conversation
from tests.lib.localserver import Reply


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def empty_cache():
    media.CACHE.clear()
    yield
    media.CACHE.clear()


def sources(client, conversation) -> list[str]:
    """The thumbnails' addresses on the conversation page."""
    page = client.get(f"/inbox/{conversation.pk}/").content.decode()
    found = [part.split('"', 1)[0].replace("&amp;", "&") for part in page.split('<img src="')[1:]]
    return [src for src in found if "/media/" in src]


def src_of(client, conversation) -> str:
    [src] = sources(client, conversation)
    return src


def test_the_csp_allows_images_from_harken_only(alice_client, workspace):
    assert settings.SECURE_CSP["img-src"] == ["'self'", "data:"]
    header = alice_client.get("/inbox/")["Content-Security-Policy"]
    assert "img-src 'self' data:;" in header or header.endswith("img-src 'self' data:")
    assert "https:" not in header


def test_a_thumbnail_is_fetched_once_and_served_as_the_image_it_is(
    alice_client, workspace, server, loopback
):
    image = png()
    # The host says HTML; the bytes say PNG: Harken serves what the bytes are.
    server.route("/ring.png", Reply(200, image, {"Content-Type": "text/html"}))
    talk = make_conversation(workspace, text=f"Broken clasp {server.url('/ring.png')}")
    src = src_of(alice_client, talk)
    for _ in range(2):
        answer = alice_client.get(src)
        assert answer.status_code == 200
        assert answer["Content-Type"] == "image/png" and answer.content == image
        assert answer["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert answer["X-Content-Type-Options"] == "nosniff"
    assert len(server.hits("/ring.png")) == 1  # the second came from the cache
    seen = server.hits("/ring.png")[0].headers
    assert "Cookie" not in seen and "cookie" not in seen  # nothing of the viewer goes out


def test_no_open_proxy_a_guess_a_wrong_signature_or_another_message(
    alice_client, workspace, server, loopback
):
    server.route("/a.png", Reply(200, png()))
    server.route("/b.png", Reply(200, png()))
    first = make_conversation(workspace, handle="a", text=f"see {server.url('/a.png')}")
    second = make_conversation(workspace, handle="b", text=f"see {server.url('/b.png')}")
    src = src_of(alice_client, first)
    path, sig = src.split("?s=")
    other = src_of(alice_client, second)
    assert alice_client.get(path).status_code == 404  # no signature
    assert alice_client.get(path + "?s=" + sig[:-2] + "xx").status_code == 404
    assert alice_client.get(other.split("?s=")[0] + "?s=" + sig).status_code == 404
    assert alice_client.get(path.replace("/media/0/", "/media/1/") + "?s=" + sig).status_code == 404
    # The message changed: the old link stands for nothing.
    first.mentions.update(text=f"see {server.url('/b.png')}")
    assert alice_client.get(src).status_code == 404
    assert server.hits("/a.png") == []


def test_another_workspace_cannot_use_the_link(
    alice_client, charlie_client, workspace, server, loopback
):
    server.route("/a.png", Reply(200, png()))
    src = src_of(alice_client, make_conversation(workspace, text=f"{server.url('/a.png')}"))
    assert resolve(src.split("?")[0]).url_name == "inbox_media"
    assert charlie_client.get(src).status_code == 404  # signed for alice's workspace alone
    assert server.hits("/a.png") == []


def test_what_is_not_an_image_or_too_big_is_not_served(alice_client, workspace, server, loopback):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    server.route("/x.png", Reply(200, svg, {"Content-Type": "image/png"}))
    server.route("/big.png", Reply(200, png() + b"\0" * (media.MAX_BYTES + 1)))
    talk = make_conversation(workspace, text=f"{server.url('/x.png')} {server.url('/big.png')}")
    found = sources(alice_client, talk)
    assert len(found) == 2
    for src in found:
        answer = alice_client.get(src)
        assert answer.status_code == 502 and b"svg" not in answer.content


def test_the_guard_refuses_a_private_address(alice_client, workspace, server):
    # Without the tests' loopback permission, 127.0.0.1 is what an attacker would aim at.
    server.route("/a.png", Reply(200, png()))
    src = src_of(alice_client, make_conversation(workspace, text=f"{server.url('/a.png')}"))
    assert alice_client.get(src).status_code == 502
    assert server.hits("/a.png") == []
