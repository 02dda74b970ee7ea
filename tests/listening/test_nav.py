"""Each Listening page marks its own tab as the current one, and only that one."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "tab"),
    [
        ("/listening/", "Stream"),
        ("/listening/topics/", "Topics"),
        ("/listening/sources/", "Sources"),
        ("/listening/alerts/", "Alerts"),
    ],
)
def test_the_page_s_own_tab_is_current(alice_client, path, tab):
    html = alice_client.get(path).content.decode()
    nav = re.search(r'<nav class="tabs" aria-label="Listening">(.*?)</nav>', html, re.S)
    assert nav is not None
    assert re.findall(r'aria-current="page">(\w+)<', nav.group(1)) == [tab]
