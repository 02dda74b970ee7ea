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
#: What the models and the language identifier read of a text: its first 500 characters,
#: cut at a space (a tweet is at most 280). Intents and key phrases read up to MAX_CHARS.
#: Together with the combining-mark cap below this bounds the cost of one text.
FEATURE_CHARS = 500
#: Runs of combining marks ("Zalgo" text) are cut to two marks per letter: no script
#: stacks more, and each mark costs as much to read as a letter.
_MARKS = "\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_MARK_RUN = re.compile(f"([{_MARKS}]{{2}})[{_MARKS}]+")

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
        text = _MARK_RUN.sub(r"\1", text)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else " " for ch in text)


def head(text: str) -> str:
    """The part of a cleaned text the models read (``FEATURE_CHARS``), cut at a space."""
    if len(text) <= FEATURE_CHARS:
        return text
    cut = text.rfind(" ", FEATURE_CHARS - 60, FEATURE_CHARS)
    return text[: cut if cut > 0 else FEATURE_CHARS]


def unescape_literal(text: str) -> str:
    """Undo the literal ``\\u2019`` sequences some tweet crawls carry (SemEval, tweet-acts)."""
    return _LITERAL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def normalise(text: str) -> str:
    """Lower-case text with placeholders (upper-case) for handles and URLs, elongations cut,
    and idioms whose words say the opposite of what they mean rewritten (``rewrite``)."""
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    # The cheap "in" tests skip regex passes that could not match (most texts).
    if "/" in text or "www." in text:
        text = _URL.sub(" URL ", text)
    if "@" in text:
        text = _USER.sub(" @USER ", text)
    text = _ELONGATED.sub(r"\1\1", text)
    if "!!!" in text or "???" in text or "..." in text:
        text = _REPEATED_PUNCT.sub(r"\1\1", text)
    if "&" in text:
        text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return rewrite(text)


# Idioms a bag of words reads backwards: "can't thank them enough" is all thanks, "drop
# by" is an invitation, "thanks for nothing" is no thanks. Each becomes words that say what
# it means, before any feature is made. (The shipped weights were fitted before these
# rewrites; a refit with them scored no better, see ``training/train.py``.)
# Each idiom comes with words one of which it must contain: a cheap test before the regex.
_IDIOMS: list[tuple[tuple[str, ...], re.Pattern[str], str]] = [
    (
        ("enough", "more"),
        re.compile(
            r"\b(?:can'?t|cannot|can not|couldn'?t|could not) (thank|recommend|praise)"
            r"((?: [\w@#'.]+){0,5}?) (?:enough|more)\b"
        ),
        r"\1\2 so much",
    ),
    (
        ("happier", "more"),
        re.compile(
            r"\bcouldn'?t (?:be|have been|be any|feel) (?:happier|more (?:pleased|happy|"
            r"satisfied|thrilled|grateful))\b"
        ),
        "very happy",
    ),
    (
        ("ask for",),
        re.compile(r"\bcould(?:n'?t| not) ask for (?:a |an |any )?(?:better|more)\b"),
        "excellent",
    ),
    (
        ("complain",),
        re.compile(r"\b(?:can'?t|cannot) complain\b|\b(?:no|zero) complaints?\b"),
        "satisfied",
    ),
    (
        ("never",),
        re.compile(r"\bnever (?:disappoints?|fails? to (?:impress|amaze|deliver))\b"),
        "always great",
    ),
    (("nothing",), re.compile(r"\bthanks? (?:you )?for nothing\b"), "useless"),
    (
        ("drop", "stop", "swing", "pop", "come"),
        re.compile(
            r"\b(?:(?:drop|stop|swing|pop|come)(?:s|ped|ping|ing)? by"
            r"|(?:stop|swing|pop)(?:s|ped|ping|ing)? (?:in|over))\b"
        ),
        "visit",
    ),
]
_NEGATOR = (
    r"(?:not|never|no|cannot|(?:ca|do|does|did|was|is|wo|are|were|have|has|had|would|could|"
    r"should|ai)n'?t)"
)
_FILLER = (
    r"(?:be|been|being|a|an|the|at|all|so|too|that|very|really|even|any|one|single|bit|big|"
    r"real|feel|felt|seem|seemed|look|looked|get|got|had|have|has|much|of|my|our|your)"
)
_NEGATED = re.compile(rf"\b{_NEGATOR}((?: {_FILLER}){{0,2}}) ([a-z']+)\b( at all)?")
_HAS_NEGATOR = re.compile(rf"\b{_NEGATOR}\b")
#: Negative words VADER lacks that customers deny: "no issues", "not a hassle".
_EXTRA_NEGATIVE = frozenset({"issue", "issues", "hassle", "fuss", "delays", "wait"})
#: VADER words that are negative but not denied in a negation: "no" and "stop" are
#: negators or verbs of their own ("can't stop crying").
_NOT_DENIED = frozenset({"no", "not", "stop", "never", "nothing", "nobody", "none"})


def _deny(match: re.Match[str]) -> str:
    word = match.group(2)
    if word in _NOT_DENIED:
        return match.group(0)
    value = lexicon().get(word)
    if (value is not None and value <= -1.0) or word in _EXTRA_NEGATIVE:
        return " fine "  # "didn't hurt at all", "not bad", "no issues": the bad is denied
    return match.group(0)


def rewrite(text: str) -> str:
    """Idioms and denied negatives of a lower-cased text as the words they mean.

    A negator followed (within two filler words) by a negative word denies it: "it didn't
    hurt at all", "not bad", "never had a problem" become "fine". A negated *positive*
    ("wasn't rejoicing") is left to the negation marks the models learn from.
    """
    for hints, pattern, replacement in _IDIOMS:
        for hint in hints:  # a plain loop: a generator per idiom costs more than the test
            if hint in text:
                text = pattern.sub(replacement, text)
                break
    if _HAS_NEGATOR.search(text):
        text = _NEGATED.sub(_deny, text)
    return text


def tokens(text: str) -> list[str]:
    """Word tokens of a normalised text."""
    return _TOKEN.findall(text)


_EMOTION = {
    **{tok: "EMO_POS" for tok in [*_EMOTICONS_POS, *_EMOJI_POS]},
    **{tok: "EMO_NEG" for tok in [*_EMOTICONS_NEG, *_EMOJI_NEG]},
}


#: Emoji or emoticon -> its sentiment token; ``EMOTIONS.get`` is ``emotion_token`` without a
#: Python call (the feature code maps it over every token).
EMOTIONS: dict[str, str] = _EMOTION


def emotion_token(tok: str) -> str | None:
    """The sentiment an emoji or emoticon carries, as a token, or None."""
    return _EMOTION.get(tok)


def is_negator(tok: str) -> bool:
    return tok in _NEGATORS or tok.endswith("n't")


def mark_negation(toks: list[str]) -> list[str]:
    """Prefix ``NEG_`` to words after a negator, up to the end of its clause."""
    out: list[str] = []
    append, negated = out.append, False
    for tok in toks:  # ``is_negator`` inlined: this loop runs for every token of every text
        if tok in _SCOPE_END or tok in _EMOTION:
            negated = False
            append(tok)
        elif tok in _NEGATORS or tok.endswith("n't"):
            negated = True
            append(tok)
        else:
            append("NEG_" + tok if negated else tok)
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
