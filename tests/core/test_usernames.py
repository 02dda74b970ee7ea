"""Look-alike usernames are refused: mixed scripts, case and look-alike letters."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from harken.core.actions import do_create_owner
from harken.core.forms import SignUpForm
from harken.core.setup import setup_token
from harken.core.usernames import check_username, skeleton

PASSWORDS = {"password1": "a long unusual pass", "password2": "a long unusual pass"}


@pytest.mark.parametrize(
    "name",
    [
        "\u0430lice",  # Cyrillic а + Latin "lice"
        "p\u0430yp\u0430l",  # Cyrillic а inside Latin
        "b\u03bfb",  # Greek ο between Latin letters
    ],
)
def test_mixed_scripts_with_look_alike_letters_are_refused(db, name):
    form = SignUpForm({"username": name, **PASSWORDS})
    assert not form.is_valid()
    assert "alphabets" in form.errors["username"][0]


@pytest.mark.parametrize(
    "name",
    [
        "Alice",  # case
        "ALICE",
        "\uff41\uff4c\uff49\uff43\uff45",  # full-width: the same name after NFKC
        "\u0430\u04cf\u0456\u0441\u0435",  # all Cyrillic, looks like "alice"
        "a1ice",  # a digit one for the l
    ],
)
def test_a_name_that_looks_like_an_existing_one_is_refused(alice, name):
    form = SignUpForm({"username": name, **PASSWORDS})
    assert not form.is_valid(), name
    assert "username" in form.errors


@pytest.mark.parametrize("name", ["dana", "José", "Дмитрий", "山田", "anna.k-2"])
def test_ordinary_names_in_any_one_script_are_welcome(alice, name):
    form = SignUpForm({"username": name, **PASSWORDS})
    assert form.is_valid(), form.errors


def test_invisible_characters_are_refused(db):
    form = SignUpForm({"username": "ali\u200dce", **PASSWORDS})
    assert not form.is_valid()


def test_the_skeleton_maps_look_alikes_to_ascii():
    assert skeleton("\u0430lice") == skeleton("ALICE") == skeleton("a1ice") == "allce"
    assert skeleton("rnary") == skeleton("mary")


def test_createowner_and_setup_refuse_look_alikes_too(alice):
    with pytest.raises(ValidationError):
        do_create_owner("\u0430lice", "", "a long unusual pass")
    with pytest.raises(ValidationError):
        check_username("Alice")


def test_the_setup_form_shows_the_refusal(db):
    client = Client()
    url = f"/setup/{setup_token()}/"
    data = {"username": "p\u0430ypal", **PASSWORDS, "ws-name": "Shop", "ws-time_zone": "UTC"}
    assert client.post(url, data).status_code == 302
    assert "one alphabet" in client.get(url).content.decode()
