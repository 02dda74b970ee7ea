"""Usernames that cannot pass for someone else's.

Django's username rule already refuses spaces and invisible characters (only letters,
digits and ``@.+-_``) and folds compatibility forms (NFKC: full-width "ａｌｉｃｅ" is
"alice"). On top of it: no mixing of scripts with look-alike letters ("pаypal" with a
Cyrillic "а"), and no name that looks like an existing one once case and look-alike
letters are set aside ("Alice", "аlice" and "ALICE" when "alice" exists).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

from confusable_homoglyphs import confusables
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError


@lru_cache(maxsize=4096)
def _ascii_lookalike(char: str) -> str:
    """The ASCII letter or digit ``char`` passes for, or ``char`` itself."""
    if char.isascii():
        return char
    found = confusables.is_confusable(char, preferred_aliases=["latin"], greedy=True) or []
    for entry in found:
        for glyph in entry["homoglyphs"]:
            if glyph["c"].isascii():
                return str(glyph["c"])
    return char


#: ASCII that passes for other ASCII in many fonts: i, l, 1 and I; 0 and o; rn and m.
_ASCII_FOLDS = (("rn", "m"), ("vv", "w"), ("1", "l"), ("i", "l"), ("|", "l"), ("0", "o"))


def skeleton(username: str) -> str:
    """What a username looks like: case folded, look-alike letters mapped to ASCII."""
    text = unicodedata.normalize("NFKC", username).casefold()
    text = "".join(_ascii_lookalike(c) for c in text).casefold()
    for seen, same in _ASCII_FOLDS:
        text = text.replace(seen, same)
    return text


def check_username(username: str, exclude_pk: Any = None) -> None:
    """Refuse a username that mixes scripts with look-alikes, or looks like another's."""
    if confusables.is_dangerous(username):
        raise ValidationError(
            "This username mixes alphabets with letters that look alike; use one alphabet.",
            code="confusable",
        )
    wanted = skeleton(username)
    others = get_user_model().objects.exclude(pk=exclude_pk).values_list("username", flat=True)
    if any(skeleton(name) == wanted for name in others.iterator()):
        raise ValidationError(
            "This username looks too much like an existing one; choose another.",
            code="lookalike",
        )
