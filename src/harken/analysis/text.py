"""Tweet normalisation and tokens shared by the sentiment and intent models.

Training (``train.py``) and inference go through the same functions, so what the model
learnt is what it sees. The rules are the usual ones for social text: user handles and
URLs become placeholders, elongations are shortened ("soooo" -> "soo", which keeps the
emphasis as a different token), emoji and emoticons become sentiment tokens, and words
inside a negation's scope are marked ("not good" -> "not NEG_good").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

#: Longer texts are cut: what decides sentiment and intent sits at the start of a
#: message, and the cut keeps a 50 kB paste from costing more than a tweet.
MAX_CHARS = 2000

_URL = re.compile(r"(?:https?://|www\.)\S+|\b\S+\.(?:com|net|org|ly|co|io)/\S*", re.IGNORECASE)
_USER = re.compile(r"(?<!\w)@\w+")
_ELONGATED = re.compile(r"(\w)\1{2,}")
_REPEATED_PUNCT = re.compile(r"([!?.])\1{2,}")
_LITERAL_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")

_EMOTICONS_POS = [
    ":)",
    ":-)",
    ":d",
    ":-d",
    ";)",
    ";-)",
    "=)",
    ":p",
    ":-p",
    "<3",
    "(:",
    "^_^",
    ":]",
    "xd",
]
_EMOTICONS_NEG = [":(", ":-(", ":'(", ">:(", ":/", ":-/", "d:", "):", ":[", "</3", "-_-", ":|"]
_EMOJI_POS = set(
    "😀😁😂🤣😃😄😅😆😊😍😘🥰😎😋😇🙂😉☺🤗🤩👍👏🙌💯❤♥💕💖💗💙💚💛💜🧡💓💞🎉🎊✨🌟⭐🙏😻💪🥳👌😺✅"
)
_EMOJI_NEG = set("😞😟😠😡🤬😢😭😤😩😫😒🙄👎💔😔😕🙁☹😣😖🤮🤢😱😰😥😓😿🤦😬😪💩❌😑😐🤔")

_TOKEN = re.compile(
    r"""
    (?:URL|@USER)                      # placeholders
    | (?:[<>]?[:;=8][\-o\*']?[\)\]\(\[dDpP/\\\|]) # emoticons
    | <3 | </3
    | \#?\w+(?:['’]\w+)*               # words, hashtags, contractions
    | [!?]+                            # runs of ! and ?
    | [^\w\s]                          # any other symbol (emoji, punctuation)
    """,
    re.VERBOSE,
)

_NEGATORS = {
    "not", "no", "never", "nobody", "nothing", "none", "neither", "nor", "nowhere",
    "cannot", "cant", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent",
    "wont", "wouldnt", "shouldnt", "couldnt", "aint", "hasnt", "havent", "hadnt", "without",
}  # fmt: skip
# Punctuation and contrast words close a negation's scope: "not bad, but great".
_SCOPE_END = {".", ",", "!", "?", ";", ":", "but", "however", "URL", "@USER"}


def clean(text: object) -> str:
    """Any input as a safe, bounded ``str``: no lone surrogates, no control characters."""
    if not isinstance(text, str):
        if isinstance(text, bytes | bytearray | memoryview):
            text = bytes(text[: MAX_CHARS * 4]).decode("utf-8", "replace")
        else:
            text = "" if text is None else str(text)
    text = text[:MAX_CHARS]
    if not text.isascii():
        # Lone surrogates (bad JSON, broken UTF-16) cannot be encoded: make them U+FFFD.
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else " " for ch in text)


def unescape_literal(text: str) -> str:
    """Undo the literal ``\\u2019`` sequences some tweet crawls carry (SemEval, tweet-acts)."""
    return _LITERAL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def normalise(text: str) -> str:
    """Lower-case text with placeholders (upper-case) for handles and URLs, elongations cut."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _URL.sub(" URL ", text)
    text = _USER.sub(" @USER ", text)
    text = _ELONGATED.sub(r"\1\1", text)
    text = _REPEATED_PUNCT.sub(r"\1\1", text)
    return text.replace("’", "'").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


def tokens(text: str) -> list[str]:
    """Word tokens of a normalised text."""
    return _TOKEN.findall(text)


_EMOTION = {
    **{tok: "EMO_POS" for tok in [*_EMOTICONS_POS, *_EMOJI_POS]},
    **{tok: "EMO_NEG" for tok in [*_EMOTICONS_NEG, *_EMOJI_NEG]},
}


def emotion_token(tok: str) -> str | None:
    """The sentiment an emoji or emoticon carries, as a token, or None."""
    return _EMOTION.get(tok)


def is_negator(tok: str) -> bool:
    return tok in _NEGATORS or tok.endswith("n't")


def mark_negation(toks: list[str]) -> list[str]:
    """Prefix ``NEG_`` to words after a negator, up to the end of its clause."""
    out, negated = [], False
    for tok in toks:
        if tok in _SCOPE_END or tok in _EMOTION:
            negated = False
            out.append(tok)
        elif is_negator(tok):
            negated = True
            out.append(tok)
        else:
            out.append("NEG_" + tok if negated else tok)
    return out


@lru_cache(maxsize=1)
def lexicon() -> dict[str, float]:
    """VADER's word valences (MIT licence), read from the installed vaderSentiment package."""
    import vaderSentiment

    path = Path(vaderSentiment.__file__).with_name("vader_lexicon.txt")
    table: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            try:
                table[parts[0]] = float(parts[1])
            except ValueError:
                continue
    return table
