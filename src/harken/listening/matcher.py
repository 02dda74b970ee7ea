"""Match posts against a workspace's topics, fast: compile the topics once, then stream.

How it stays fast (a firehose post must cost microseconds, whatever the topic count):

1. Each post is read once into a set of *features*: its words, ``#tags``, ``@mentions``,
   ``from:author``, ``lang:xx``, ``network:name``, the ``stem*`` prefixes and two-word
   phrases that some topic uses. All are plain strings in one set, so almost every atom
   of every query is a set membership test.
2. Each topic is indexed under its *anchors*: a set of features at least one of which
   must be present for the topic to match (for AND the cheapest child's anchors, for OR
   the union of its children's). One C-level set intersection ``features & anchors`` finds
   the few topics worth evaluating; the other 990 of 1,000 cost nothing.
3. A topic (or a side of its top-level OR) made only of simple atoms matches as soon as an
   anchor is present, with no evaluation. Others evaluate a compiled closure in which
   runs of simple atoms are single set operations (``issubset``, ``isdisjoint``); a
   phrase of three words or more is a substring test on the post's joined words.
4. A term in a script written without spaces (Chinese, Japanese, Thai...) matches inside
   the post's runs of that script, so it has no word to look up: it is indexed under
   ``~`` and its first two characters, and a post's runs of such characters add the
   one- and two-character pieces that some topic uses. A term of one or two characters
   is settled by that feature alone; a longer one is then a substring test.

``evaluate`` is the same language evaluated naively with one regular expression per atom:
the reference the compiled matcher is checked against (tests, ``bench/match.py``).
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from harken.listening.query import (
    MIN_PREFIX,
    UNSPACED,
    UNSPACED_RE,
    WORD_RE,
    And,
    From,
    Handle,
    Hashtag,
    Lang,
    Literal,
    Network,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    QueryError,
    Word,
    is_unspaced,
    normalize,
    normalize_handle,
    parse,
    walk,
    words_of,
)

log = logging.getLogger(__name__)

# "#tag" not inside a word or an HTML entity ("&#39;"); "@handle" not inside an address
# (bob@acme.com); a Mastodon handle may carry its server (@alice@example.social).
HASHTAG_RE = re.compile(r"(?<![\w&])#(\w+)")
MENTION_RE = re.compile(r"(?<!\w)@(\w[\w.\-]*(?:@[\w\-]+(?:\.[\w\-]+)+)?)")
# Both in one scan for the matcher's hot path (the naive evaluator uses them apart). It
# starts with the character class so that the regex engine skips straight to each # or @,
# and checks what precedes it afterwards: four times faster than a leading lookbehind.
_MENTION_BODY = r"\w[\w.\-]*(?:@[\w\-]+(?:\.[\w\-]+)+)?"
TAG_OR_MENTION_RE = re.compile(rf"[#@](?:(?<=(?<![\w&])#)(\w+)|(?<=(?<!\w)@)({_MENTION_BODY}))")
# For ASCII text \w is [a-zA-Z0-9_] and an ASCII-only regex runs a third faster.
ASCII_WORD_RE = re.compile(r"\w+", re.ASCII)

# A character of a word in a spaced script: what may not touch a whole word on either side.
SPACED_CHAR = f"[^\\W{UNSPACED}]"
# What separates two words: neither a word character nor one of an unspaced script.
SEPARATOR = f"[^\\w{UNSPACED}]"
#: Feature keys of pieces of unspaced runs start with this ("~日本").
GRAM = "~"
#: Longest piece of an unspaced run that is a feature: longer terms anchor on their start.
GRAM_SIZE = 2

Features = set[str]
#: Words whose prefix features are remembered before the memo starts again.
PREFIX_MEMO_SIZE = 50_000
#: ``check(features, padded_words, normalized_text) -> bool``
Check = Callable[[Features, str, str], bool]


class ItemLike(Protocol):
    """What the matcher reads of a post; ``NormalizedItem`` and ``Item`` both fit."""

    @property
    def text(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def network(self) -> str: ...
    @property
    def author_handle(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Item:
    """A post to match when there is no NormalizedItem at hand (a stored Mention, a test)."""

    text: str
    language: str = ""
    network: str = ""
    author_handle: str = ""


# --- Reading a post ----------------------------------------------------------------------


def handle_keys(prefix: str, handle: str) -> list[str]:
    """Feature keys for a handle: the whole handle and, for alice@server, also alice."""
    handle = handle.rstrip(".-")
    keys = [prefix + handle]
    local, at, _server = handle.partition("@")
    if at:
        keys.append(prefix + local)
    return keys


def language_keys(language: str) -> list[str]:
    """lang: keys for a language tag: "pt-BR" is both lang:pt-br and lang:pt."""
    code = language.strip().lower().replace("_", "-")
    if not code:
        return []
    primary = code.split("-", 1)[0]
    return ["lang:" + code] if primary == code else ["lang:" + code, "lang:" + primary]


def read_words(text: str) -> tuple[str, list[str]]:
    """The normalized text and its words in order."""
    low = normalize(text)
    return low, (ASCII_WORD_RE if low.isascii() else WORD_RE).findall(low)


def add_marks(
    features: Features, low: str, language: str, network: str, author_handle: str
) -> None:
    """Add what is not a word: #tags, @mentions, from:author, lang: and network:."""
    if "#" in low or "@" in low:
        for tag, mention in TAG_OR_MENTION_RE.findall(low):
            if tag:
                features.add("#" + tag)
            else:
                features.update(handle_keys("@", mention))
    if author_handle:
        features.update(author_keys(author_handle))
    features.update(context_keys(language, network))


@functools.lru_cache(maxsize=65536)
def author_keys(author_handle: str) -> tuple[str, ...]:
    """from: keys of an author; cached, as the same voices post again and again."""
    return tuple(handle_keys("from:", normalize_handle(author_handle)))


@functools.lru_cache(maxsize=256)
def context_keys(language: str, network: str) -> tuple[str, ...]:
    """lang: and network: keys; cached, as a stream has only a handful of pairs."""
    keys = language_keys(language)
    if network.strip():
        keys.append("network:" + network.strip().lower())
    return tuple(keys)


# --- Compiling one query -----------------------------------------------------------------


def gram_key(word: str) -> str:
    """The feature of an unspaced term: its first characters, found inside runs."""
    return GRAM + word[:GRAM_SIZE]


def key_of(node: Node) -> str | None:
    """The feature a simple atom tests, or None for phrases and groups."""
    match node:
        case Word(word) if is_unspaced(word):
            return gram_key(word) if len(word) <= GRAM_SIZE else None
        case Word(word):
            return word
        case Phrase(words) if len(words) == 2 and not any(map(is_unspaced, words)):
            # A two-word phrase is a feature of its own: the matcher adds the post's
            # bigrams that start with a phrase's word (see TopicMatcher.features).
            return " ".join(words)
        case Prefix(stem):
            return stem + "*"
        case Hashtag(tag):
            return "#" + tag
        case From(handle):
            return "from:" + handle
        case Lang(code):
            return "lang:" + code
        case Network(name):
            return "network:" + name
    return None


def simple_keys(node: Node) -> frozenset[str] | None:
    """The features of a node that is true exactly when one of them is present, else None.

    A word, #tag, prefix or filter is one feature; an @handle is two (mentioned, or the
    author); an OR of such nodes is their union. These need no evaluation beyond a set test.
    """
    key = key_of(node)
    if key is not None:
        return frozenset([key])
    if isinstance(node, Handle):
        return frozenset(["@" + node.handle, "from:" + node.handle])
    if isinstance(node, Or):
        parts = [simple_keys(c) for c in node.children]
        if all(p is not None for p in parts):
            return frozenset().union(*parts)  # type: ignore[arg-type]
    return None


def phrase_needle(words: Sequence[str]) -> str:
    """What a phrase is in the post's words joined by spaces (" a b c ").

    An unspaced word at either end may be part of a longer run (a substring), so it gets
    no space on its outer side; a word in the middle is a whole word either way.
    """
    before = "" if is_unspaced(words[0]) else " "
    after = "" if is_unspaced(words[-1]) else " "
    return before + " ".join(words) + after


@functools.lru_cache(maxsize=4096)
def literal_pattern(text: str) -> re.Pattern[str]:
    """A quoted text with symbols, as written; whole words at its ends, any spacing."""
    before = f"(?<!{SPACED_CHAR})" if re.match(SPACED_CHAR, text) else ""
    after = f"(?!{SPACED_CHAR})" if re.match(SPACED_CHAR, text[-1]) else ""
    return re.compile(before + r"\s+".join(map(re.escape, text.split(" "))) + after)


def compile_check(node: Node) -> Check:
    """A closure ``check(features, padded_words, text) -> bool`` for the node.

    Simple parts become one C-level set operation (``isdisjoint``, ``issubset``) rather
    than a Python call per atom: that is most of the matcher's speed on real queries.
    """
    keys = simple_keys(node)
    if keys is not None:
        return lambda features, padded, low: not keys.isdisjoint(features)
    match node:
        case Word(word):  # unspaced and longer than a feature: inside the text's runs
            return lambda features, padded, low: word in low
        case Phrase(words):
            needle = phrase_needle(words)
            return lambda features, padded, low: needle in padded
        case Literal(text):
            search = literal_pattern(text).search
            return lambda features, padded, low: search(low) is not None
        case Not(child):
            inner = compile_check(child)
            return lambda features, padded, low: not inner(features, padded, low)
        case And(children):
            return _all_of(children)
        case Or(children):
            return _any_of([compile_check(c) for c in _cheapest_first(children)])
    raise TypeError(f"Unknown query node {node!r}")


def _all_of(children: Sequence[Node]) -> Check:
    required: set[str] = set()  # single features that must all be present
    forbidden: set[str] = set()  # features none of which may be present (-a -#b -@c)
    groups: list[frozenset[str]] = []  # (a OR b): one of each group
    others: list[Check] = []  # phrases, nested groups with exclusions...
    for child in _cheapest_first(children):
        keys = simple_keys(child)
        inner = simple_keys(child.child) if isinstance(child, Not) else None
        if keys is not None and len(keys) == 1:
            required |= keys
        elif keys is not None:
            groups.append(keys)
        elif inner is not None:
            forbidden |= inner
        else:
            others.append(compile_check(child))
    return _conjunction(frozenset(required), frozenset(forbidden), groups, others)


def _conjunction(
    required: frozenset[str],
    forbidden: frozenset[str],
    groups: Sequence[frozenset[str]],
    others: Sequence[Check],
) -> Check:
    def check(features: Features, padded: str, low: str) -> bool:
        if not required.issubset(features) or not forbidden.isdisjoint(features):
            return False
        for group in groups:
            if group.isdisjoint(features):
                return False
        for part in others:  # noqa: SIM110 (hot path: a loop costs less than a generator)
            if not part(features, padded, low):
                return False
        return True

    return check


def _any_of(checks: Sequence[Check]) -> Check:
    def check(features: Features, padded: str, low: str) -> bool:
        for part in checks:  # noqa: SIM110 (hot path: a loop costs less than a generator)
            if part(features, padded, low):
                return True
        return False

    return check


def _cheapest_first(children: Sequence[Node]) -> list[Node]:
    # Set lookups before substring scans: fail (AND) or succeed (OR) on the cheap tests.
    return sorted(children, key=lambda c: simple_keys(c) is None)


# Words too common to be worth anchoring on when the query offers anything rarer.
_COMMON = """a an and are as at be but by for from has have i in is it its my not of on or our
so that the this to was we what with you your de la le el en et les des un une est y que der
die das und ist"""
COMMON_WORDS = frozenset(_COMMON.split())


def key_cost(key: str) -> float:
    """A guess at how often a feature occurs in posts: anchor on the rarest."""
    if key.startswith(("lang:", "network:")):
        return 10_000.0
    if key[0] == GRAM:  # one character of Chinese is common, two much less so
        return 50.0 if len(key) == 2 else 4.0
    if key.endswith("*"):
        return 100.0 / len(key)
    if " " in key:  # a bigram: far rarer than either of its words
        return 1.0
    if key[0] in "#@" or key.startswith("from:"):
        return 2.0
    if key in COMMON_WORDS:
        return 1_000.0
    return max(1.0, 14.0 - len(key))


def anchors(node: Node) -> frozenset[str] | None:
    """Features of which at least one is present whenever ``node`` matches; None if unknown.

    An exclusion has none (it matches by absence), so AND anchors on its cheapest
    positive child and OR needs every child anchored.
    """
    key = key_of(node)
    if key is not None:
        return frozenset([key])
    match node:
        case Word(word):  # unspaced: its first characters are in the post's runs
            return frozenset([gram_key(word)])
        case Handle(handle):
            return frozenset(["@" + handle, "from:" + handle])
        case Phrase(words):
            pairs = [f"{a} {b}" for a, b in spaced_pairs(words)]
            if pairs:  # anchor on its rarest-looking bigram
                return frozenset([min(pairs, key=lambda pair: -len(pair.replace(" ", "")))])
            return frozenset([min(map(word_key, words), key=key_cost)])
        case Literal(text):  # each word of it is a whole word of the post too
            return frozenset([min(map(word_key, words_of(text)), key=key_cost)])
        case And(children):
            options = [a for a in map(anchors, children) if a is not None]
            return min(options, key=_anchor_cost) if options else None
        case Or(children):
            parts = [anchors(c) for c in children]
            if any(p is None for p in parts):
                return None
            return frozenset().union(*parts)  # type: ignore[arg-type]
    return None


def word_key(word: str) -> str:
    """The feature present whenever a post has this word (or, unspaced, holds it)."""
    return gram_key(word) if is_unspaced(word) else word


def spaced_pairs(words: Sequence[str]) -> list[tuple[str, str]]:
    """Consecutive pairs of a phrase's words that are both whole words: bigram features."""
    return [(a, b) for a, b in itertools.pairwise(words) if not (is_unspaced(a) or is_unspaced(b))]


def _anchor_cost(keys: frozenset[str]) -> float:
    return sum(key_cost(k) for k in keys)


# --- The compiled topic set --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Compiled:
    topic_id: int
    check: Check


class TopicMatcher:
    """A set of topics compiled for matching. Build it with ``compile_topics``."""

    def __init__(self, queries: dict[int, Node], errors: dict[int, QueryError]) -> None:
        self.queries = queries
        self.errors = errors
        sure: dict[str, set[int]] = defaultdict(set)
        check: dict[str, list[_Compiled]] = defaultdict(list)
        self._sure, self._check = sure, check
        self._always: list[_Compiled] = []
        stems: dict[str, set[str]] = defaultdict(set)
        starts: set[str] = set()
        long_phrases = False
        for topic_id, node in queries.items():
            self._add(topic_id, node)
            for part in walk(node):
                if isinstance(part, Prefix):
                    stems[part.stem[:MIN_PREFIX]].add(part.stem)
                elif isinstance(part, Phrase):
                    starts.update(a for a, _ in spaced_pairs(part.words))
                    long_phrases = long_phrases or key_of(part) is None
        self._starts = frozenset(starts)
        self._long_phrases = long_phrases
        self._keys = frozenset(sure) | frozenset(check)
        # The pieces of unspaced runs that some topic looks up, by length.
        # The pieces of unspaced runs that some topic looks up (to match, to exclude), by
        # length.
        grams: dict[int, set[str]] = defaultdict(set)
        for node in queries.values():
            for word in _unspaced_words(node):
                grams[min(len(word), GRAM_SIZE)].add(word[:GRAM_SIZE])
        self._grams = {size: frozenset(found) for size, found in grams.items()}
        # One lookup per present anchor: the topics it settles and those it only nominates.
        self._index = {key: (sure.get(key, set()), check.get(key, [])) for key in self._keys}
        # Stems by their first MIN_PREFIX letters: which stems a new word may carry.
        self._stems = {head: tuple(found) for head, found in stems.items()}
        self._seen: set[str] = set()  # words whose stems are known...
        self._stemmed: set[str] = set()  # ...those of them that carry some...
        self._prefix_memo: dict[str, tuple[str, ...]] = {}  # ...and which

    def _add(self, topic_id: int, node: Node) -> None:
        # Each side of a top-level OR is indexed on its own: a post that only has the
        # #tag of '"harbor street" OR #acme' matches at once, without testing the phrase.
        for branch in node.children if isinstance(node, Or) else (node,):
            self._add_branch(topic_id, branch)

    def _add_branch(self, topic_id: int, node: Node) -> None:
        keys = simple_keys(node)
        if keys is not None:  # present means matched: no evaluation at all
            for key in keys:
                self._sure[key].add(topic_id)
            return
        compiled = _Compiled(topic_id, compile_check(node))
        keys = anchors(node)
        if keys is None:  # reachable only through exclusions: evaluate for every post
            self._always.append(compiled)
        for key in keys or ():
            self._check[key].append(compiled)

    def __len__(self) -> int:
        return len(self.queries)

    def _learn_prefixes(self, new: set[str], words: set[str]) -> None:
        """Remember which ``stem*`` features each new word carries."""
        if len(self._seen) + len(new) > PREFIX_MEMO_SIZE:  # bound memory on a firehose
            self._seen, self._stemmed, self._prefix_memo = set(), set(), {}
            new = set(words)  # start again from this post's words
        for word in new:
            stems = self._stems.get(word[:MIN_PREFIX], ())
            keys = tuple(stem + "*" for stem in stems if word.startswith(stem))
            if keys:
                self._prefix_memo[word] = keys
                self._stemmed.add(word)
        self._seen |= new

    def features(
        self, text: str, language: str, network: str, author: str
    ) -> tuple[Features, str, str]:
        """A post's features for these topics, its joined words when phrases need them, and
        its normalized text."""
        low, words = read_words(text)
        features = set(words)
        if self._stems:
            # Set operations in C instead of a Python loop over every word: words recur
            # (Zipf), so after a warm-up nearly every word is known, and few carry a stem.
            new = features - self._seen
            if new:
                self._learn_prefixes(new, features)
            for word in features & self._stemmed:
                features.update(self._prefix_memo.get(word, ()))
        add_marks(features, low, language, network, author)
        if self._grams and not low.isascii():
            _add_grams(features, low, self._grams)
        present = self._starts.intersection(features)
        if present:
            features.update(_bigrams_from(words, present))
        # Only phrases of three words or more (or unspaced ones) look at the joined text.
        return features, (" " + " ".join(words) + " ") if self._long_phrases else "", low

    @functools.cached_property
    def languages(self) -> tuple[str, ...]:
        """The language codes the topics name with ``lang:``, for a caller that must
        decide before a post's language is known (the live stream's pre-filter)."""
        return tuple(sorted({code for node in self.queries.values() for code in _langs(node)}))

    def match(
        self, text: str, *, language: str = "", network: str = "", author_handle: str = ""
    ) -> set[int]:
        """The ids of the topics this post matches."""
        return self._match(text, language, network, author_handle)

    def _match(self, text: str, language: str, network: str, author_handle: str) -> set[int]:
        features, padded, low = self.features(text, language, network, author_handle)
        matched: set[int] = set()
        index = self._index
        for key in features & self._keys:
            sure, nominated = index[key]
            if sure:
                matched |= sure
            for compiled in nominated:
                if compiled.topic_id not in matched and compiled.check(features, padded, low):
                    matched.add(compiled.topic_id)
        for compiled in self._always:
            if compiled.check(features, padded, low):
                matched.add(compiled.topic_id)
        return matched

    def match_many(self, items: Iterable[ItemLike]) -> list[set[int]]:
        """``match`` for each item (anything with text, language, network, author_handle)."""
        match = self._match  # positional: keyword calls cost a little more per post
        return [
            match(
                item.text or "", item.language or "", item.network or "", item.author_handle or ""
            )
            for item in items
        ]


def _unspaced_words(node: Node) -> Iterator[str]:
    """The words of a query in scripts without spaces, wherever they are in it."""
    for part in walk(node):
        if isinstance(part, Word):
            words: Iterable[str] = (part.word,)
        elif isinstance(part, Phrase):
            words = part.words
        elif isinstance(part, Literal):
            words = words_of(part.text)
        else:
            continue
        yield from (word for word in words if is_unspaced(word))


def _add_grams(features: Features, low: str, grams: dict[int, frozenset[str]]) -> None:
    """Add ``~`` and each piece of the post's unspaced runs that some topic looks up."""
    for run in UNSPACED_RE.findall(low):
        for size, wanted in grams.items():
            pieces = {run[i : i + size] for i in range(len(run) - size + 1)}
            features.update(GRAM + piece for piece in wanted.intersection(pieces))


def _bigrams_from(words: list[str], starts: Iterable[str]) -> list[str]:
    """Each "first second" pair of consecutive words whose first word is in ``starts``.

    ``list.index`` finds the few places in C; a Python loop over every word pair would
    cost more on every post that holds a common phrase word such as "this".
    """
    pairs = []
    last = len(words) - 1
    for first in starts:
        at = -1
        for _ in range(words.count(first)):
            at = words.index(first, at + 1)
            if at < last:
                pairs.append(first + " " + words[at + 1])
    return pairs


def _topic_pair(topic: Any) -> tuple[int, str]:
    if isinstance(topic, tuple):
        return int(topic[0]), str(topic[1])
    return int(topic.pk), str(topic.query)


def _langs(node: Node) -> Iterator[str]:
    match node:
        case Lang(code):
            yield code
        case Not(child):
            yield from _langs(child)
        case And(children) | Or(children):
            for child in children:
                yield from _langs(child)


def compile_topics(topics: Iterable[Any]) -> TopicMatcher:
    """Compile topics (``Topic`` rows, or ``(id, query)`` pairs) once for matching.

    A topic whose stored query no longer parses (written before a language change, or
    around the form) is left out and reported in ``matcher.errors``, so one bad topic
    never stops ingest for the others.

    The same set of (id, query) pairs gives the same matcher object back from a small
    cache: the ingest pipeline may call this for every batch, and hashing the pairs costs
    microseconds where compiling 1,000 topics costs tens of milliseconds. A matcher's
    topics never change after it is built; only its memo of word prefixes grows, and a
    race on it costs at most a recomputation, so sharing one between threads is safe.
    """
    return _compile(tuple(_topic_pair(topic) for topic in topics))


@functools.lru_cache(maxsize=16)  # a few workspaces' matchers, each a few MB at most
def _compile(pairs: tuple[tuple[int, str], ...]) -> TopicMatcher:
    queries: dict[int, Node] = {}
    errors: dict[int, QueryError] = {}
    for topic_id, query in pairs:
        try:
            queries[topic_id] = parse(query)
        except QueryError as error:
            log.warning("Topic %s has a malformed query, skipped: %s", topic_id, error)
            errors[topic_id] = error
    return TopicMatcher(queries, errors)


# --- The naive reference -----------------------------------------------------------------


def evaluate(
    node: Node, text: str, *, language: str = "", network: str = "", author_handle: str = ""
) -> bool:
    """Evaluate ``node`` on one post the slow, obvious way: a regex search per atom."""
    low = normalize(text)
    post = (low, language.strip().lower().replace("_", "-"), network.strip().lower())
    author = normalize_handle(author_handle) if author_handle else ""
    return _naive(node, post, author)


def _naive(node: Node, post: tuple[str, str, str], author: str) -> bool:
    low, language, network = post
    match node:
        case Word(word) if is_unspaced(word):
            return word in low
        case Word(word):
            return _found(rf"(?<!{SPACED_CHAR}){re.escape(word)}(?!{SPACED_CHAR})", low)
        case Prefix(stem):
            return _found(rf"(?<!{SPACED_CHAR}){re.escape(stem)}", low)
        case Phrase(words):
            return _found(_phrase_pattern(words), low)
        case Literal(text):
            return literal_pattern(text).search(low) is not None
        case Hashtag(tag):
            return _found(rf"(?<![\w&])#{re.escape(tag)}(?!\w)", low)
        case Handle(handle):
            return _mentions(low, handle) or _same_handle(author, handle)
        case From(handle):
            return _same_handle(author, handle)
        case Lang(code):
            return language == code or language.split("-", 1)[0] == code
        case Network(name):
            return network == name
        case Not(child):
            return not _naive(child, post, author)
        case And(children):
            return all(_naive(c, post, author) for c in children)
        case Or(children):
            return any(_naive(c, post, author) for c in children)
    raise TypeError(f"Unknown query node {node!r}")


def _phrase_pattern(words: Sequence[str]) -> str:
    """The words in order with separators between them; none is needed where the script
    changes ("acmeの指輪"). A spaced word is whole; an unspaced one at an end may be part
    of a longer run."""
    pattern = "" if is_unspaced(words[0]) else f"(?<!{SPACED_CHAR})"
    for previous, word in itertools.pairwise(words):
        joint = "+" if is_unspaced(previous) == is_unspaced(word) else "*"
        pattern += re.escape(previous) + SEPARATOR + joint
    pattern += re.escape(words[-1])
    return pattern if is_unspaced(words[-1]) else pattern + f"(?!{SPACED_CHAR})"


def _found(pattern: str, text: str) -> bool:
    return _compiled(pattern).search(text) is not None


@functools.lru_cache(maxsize=16384)
def _compiled(pattern: str) -> re.Pattern[str]:
    # The word-boundary classes name every unspaced script: costly to compile, and a
    # thousand topics' atoms are more patterns than the re module's own cache holds.
    return re.compile(pattern)


def _same_handle(author: str, handle: str) -> bool:
    author = author.rstrip(".-")
    return bool(author) and (
        author == handle or author.partition("@")[0] == handle and "@" in author
    )


def _mentions(low: str, handle: str) -> bool:
    return any(_same_handle(m, handle) for m in MENTION_RE.findall(low))
