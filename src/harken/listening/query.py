"""The topic query language: parse a marketer's query once into a small tree (AST).

The language, in the words of the topic form::

    acme                     the whole word "acme", any case ("ACME", "Acme's")
    acme*                    any word starting with "acme" (acmeshop, acmes)
    "harbor street"          an exact phrase: these words in this order
    "c++"  "$acme"  "c#"     quoted symbols are matched literally (a bare c++ is refused)
    #acme                    the hashtag #acme
    @acme                    the text mentions @acme, or @acme wrote it
    from:acme                @acme wrote it
    lang:en  network:bluesky only posts in English / from Bluesky
    a b                      both a and b (AND is implicit; the keyword AND is also accepted)
    a OR b   a | b           either (OR is uppercase: "or" is a word)
    -a   NOT a               not a; also -"a phrase" and -(a OR b)
    ( … )                    grouping

Words are matched whole, and insensitive to case and accents, on Unicode text (NFKD,
accents stripped, casefold, NFC: "cafe" finds "Café" and "café" finds "CAFE"). A plain
word also matches inside hashtags and handles ("acme" finds "#acme" and "@acme"): a
marketer listening for a brand wants people who tag it, and ``#acme``/``@acme`` are there
for the narrower question. A word with punctuation inside ("coca-cola", "don't") is a
phrase of its parts, so it matches however the punctuation is written.

Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer,
Myanmar; and Korean, whose particles stick to the noun) have no word boundaries to find:
a term in them matches anywhere inside the text's runs of those characters ("日本" finds
"日本語が好き"), and a run of them is a word of its own next to Latin letters ("acme"
finds "Acmeの指輪"). A ``*`` adds nothing to such a term.

Symbols a word cannot hold would be dropped silently, so that ``c++`` would listen for
"c" and ``--jobs`` (a typo) for "jobs": both are refused with their position. Quoted,
symbols are matched literally: ``"c++"`` matches "C++" but not "c" or "abc++".

``parse(query)`` returns the tree or raises ``QueryError(message, position)``; positions
are 1-based character columns, as a person counts them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

#: Longest query accepted: enough for any real topic, small enough to bound parse work.
MAX_QUERY_LENGTH = 4000
#: Deepest nesting of parentheses and exclusions; stops recursion bombs.
MAX_DEPTH = 32
#: Shortest stem before a ``*``: "a*" would match most posts and say nothing.
MIN_PREFIX = 3

# Marks that are accents (Latin, Greek, Cyrillic diacritics; Hebrew and Arabic vowel
# points), stripped so that "café" and "cafe" are one word. Not every combining mark: the
# Japanese sound marks (が is not か), Thai and Indic vowel signs are letters of their words.
ACCENTS_RE = re.compile(
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    "\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u064b-\u065f\u0670]"
)
# Scripts written without spaces between words; their marks (Thai vowels, the kana sound
# marks) are inside the ranges, so that a run of them is never cut by a mark.
UNSPACED = (
    "\u0e01-\u0e4e"  # Thai
    "\u0e81-\u0edf"  # Lao
    "\u1000-\u1049\u104c-\u109f"  # Myanmar
    "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"  # Hangul
    "\u1780-\u17d3\u17dc\u17dd"  # Khmer
    "\u3005-\u3007\u3021-\u3029\u3031-\u3035\u303b\u303c"  # 々 〆 〇, Hangzhou numerals
    "\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"  # kana, without ゠ and ・
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # Han
)
UNSPACED_RE = re.compile(f"[{UNSPACED}]+")
#: A word: a run of letters and digits of spaced scripts, or a run of an unspaced script.
WORD_RE = re.compile(f"[{UNSPACED}]+|[^\\W{UNSPACED}]+")
HASHTAG_BODY_RE = re.compile(r"\w+")
HANDLE_BODY_RE = re.compile(r"[\w][\w.\-]*(?:@[\w\-]+(?:\.[\w\-]+)+)?")
LANG_RE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*")
NETWORK_RE = re.compile(r"[a-z0-9_\-]+")
FIELDS = ("lang", "network", "from")


class QueryError(ValueError):
    """A malformed query: ``message`` says what was expected, ``position`` where (1-based)."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return self.message


def normalize(text: str) -> str:
    """Text as the matcher compares it: NFKD (full-width letters, ligatures, accents apart),
    casefold, accents stripped, then NFC so that Hangul and kana are whole letters again."""
    if text.isascii():
        return text.casefold()
    text = ACCENTS_RE.sub("", unicodedata.normalize("NFKD", text).casefold())
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def is_unspaced(word: str) -> bool:
    """Is this word (one of ``words_of``) in a script written without spaces?"""
    return UNSPACED_RE.match(word) is not None


def has_symbol(text: str) -> bool:
    """Does ``text`` hold a symbol (+, $, ©, emoji...) or a # or @, which no word holds?"""
    return any(ch in "#@" or unicodedata.category(ch)[0] == "S" for ch in text)


def words_of(text: str) -> list[str]:
    """The normalized words of ``text``, in order: the one tokenizer of queries and posts."""
    return WORD_RE.findall(normalize(text))


def normalize_handle(handle: str) -> str:
    """A handle without its leading @ and trailing punctuation, casefolded."""
    return normalize(handle.strip()).lstrip("@").rstrip(".-")


# --- The tree ----------------------------------------------------------------------------


class Node:
    """A node of a parsed query. ``str(node)`` is its canonical query text."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Word(Node):
    word: str

    def __str__(self) -> str:
        return self.word


@dataclass(frozen=True, slots=True)
class Prefix(Node):
    stem: str

    def __str__(self) -> str:
        return f"{self.stem}*"


@dataclass(frozen=True, slots=True)
class Phrase(Node):
    words: tuple[str, ...]

    def __str__(self) -> str:
        return '"' + " ".join(self.words) + '"'


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A quoted text with symbols, matched as written ("c++", "$acme"); normalized."""

    text: str

    def __str__(self) -> str:
        return f'"{self.text}"'


@dataclass(frozen=True, slots=True)
class Hashtag(Node):
    tag: str  # without the #

    def __str__(self) -> str:
        return f"#{self.tag}"


@dataclass(frozen=True, slots=True)
class Handle(Node):
    """An @handle: mentioned in the text, or the author."""

    handle: str  # without the @

    def __str__(self) -> str:
        return f"@{self.handle}"


@dataclass(frozen=True, slots=True)
class From(Node):
    handle: str

    def __str__(self) -> str:
        return f"from:{self.handle}"


@dataclass(frozen=True, slots=True)
class Lang(Node):
    code: str

    def __str__(self) -> str:
        return f"lang:{self.code}"


@dataclass(frozen=True, slots=True)
class Network(Node):
    name: str

    def __str__(self) -> str:
        return f"network:{self.name}"


@dataclass(frozen=True, slots=True)
class Not(Node):
    child: Node

    def __str__(self) -> str:
        return f"-{_grouped(self.child)}"


@dataclass(frozen=True, slots=True)
class And(Node):
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " ".join(_grouped(c) for c in self.children)


@dataclass(frozen=True, slots=True)
class Or(Node):
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " OR ".join(_grouped(c) for c in self.children)


def _grouped(node: Node) -> str:
    # A group inside another (or under a -) keeps its parentheses, so str() parses back.
    text = str(node)
    return f"({text})" if isinstance(node, Or | And) else text


FILTERS = Lang | Network


# --- Lexer -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "(", ")", "OR", "AND", "NOT", "TERM"
    position: int  # 1-based
    node: Node | None = None
    text: str = ""


_STOP = frozenset(' \t\r\n()"|')


# Phones and word processors turn "quotes" into typographic ones; read them as quotes.
# Chinese and Japanese keyboards type full-width operators (－ （ ） ＂ ｜) and spaces.
# One character for one, so positions in messages stay those of what was typed.
SMART_QUOTES = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "\u3000": " "}
    | {chr(0xFF01 + i): chr(0x21 + i) for i in range(94)}
)
# Dashes that are not the hyphen-minus; a phone types "—" for "--".
DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63")


def tokenize(query: str) -> list[Token]:
    """Split ``query`` into tokens; atoms become their AST node right away."""
    query = query.translate(SMART_QUOTES)
    tokens: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(Token(ch, i + 1))
            i += 1
        elif ch == "|":
            tokens.append(Token("OR", i + 1, text="|"))
            i += 1
        elif ch == '"':
            i = _lex_phrase(query, i, tokens)
        elif ch == "-":
            if i + 1 >= n or query[i + 1].isspace() or query[i + 1] in ")|":
                raise QueryError(
                    f"Expected a word, phrase or group right after the - at position {i + 1}",
                    i + 1,
                )
            tokens.append(Token("NOT", i + 1, text="-"))
            i += 1
        else:
            i = _lex_bare(query, i, tokens)
    return tokens


def _lex_phrase(query: str, start: int, tokens: list[Token]) -> int:
    end = query.find('"', start + 1)
    if end < 0:
        raise QueryError(f'Unclosed quote at position {start + 1}: add the closing "', start + 1)
    content = " ".join(normalize(query[start + 1 : end]).split())
    words = words_of(content)
    if not words:
        raise QueryError(
            f"The phrase at position {start + 1} has no letters or digits to match", start + 1
        )
    node: Node
    if has_symbol(content):
        node = Literal(content)
    else:
        node = Word(words[0]) if len(words) == 1 else Phrase(tuple(words))
    tokens.append(Token("TERM", start + 1, node, query[start : end + 1]))
    return end + 1


def _lex_bare(query: str, start: int, tokens: list[Token]) -> int:
    end = start
    while end < len(query) and query[end] not in _STOP and not query[end].isspace():
        end += 1
    text = query[start:end]
    if text in ("OR", "AND", "NOT"):
        tokens.append(Token(text, start + 1, text=text))
    else:
        tokens.append(Token("TERM", start + 1, _atom(text, start + 1), text))
    return end


def _atom(text: str, pos: int) -> Node:
    """The node for one bare term: #tag, @handle, field:value, stem* or word(s)."""
    if text[0] == "#":
        return _hashtag(text, pos)
    if text[0] == "@":
        return Handle(_handle(text[1:], pos))
    field, colon, value = text.partition(":")
    if colon and field.lower() in FIELDS:
        return _field(field.lower(), value, pos)
    if text[0] in DASHES:
        raise QueryError(
            f"A dash ({text[0]}) starts the word at position {pos}: to exclude the word, "
            f"write a plain hyphen right before it, like -{text[1:] or 'jobs'}",
            pos,
        )
    if "*" in text:
        return _prefix(text, pos)
    words = words_of(text)
    if not words:
        raise QueryError(
            f"“{text}” at position {pos} has no letters or digits to match; "
            'put symbols inside a "phrase" with words, or remove them',
            pos,
        )
    _refuse_symbols(text, pos, words)
    return Word(words[0]) if len(words) == 1 else Phrase(tuple(words))


def _refuse_symbols(text: str, pos: int, words: list[str]) -> None:
    """A bare word would drop its symbols: ``c++`` would listen for "c". Say so."""
    for offset, ch in enumerate(text):
        if has_symbol(normalize(ch)):
            raise QueryError(
                f"The {ch} at position {pos + offset} cannot be matched in a bare word "
                f"(“{text}” would listen for “{' '.join(words)}”): to match the symbols "
                f'too, quote it: "{text}"',
                pos + offset,
            )


def _hashtag(text: str, pos: int) -> Node:
    body = normalize(text[1:])
    if not HASHTAG_BODY_RE.fullmatch(body):
        raise QueryError(
            f"Expected letters or digits after the # at position {pos} (a hashtag is one word)",
            pos,
        )
    return Hashtag(body)


def _handle(body: str, pos: int) -> str:
    handle = normalize_handle(body)
    if not HANDLE_BODY_RE.fullmatch(handle):
        raise QueryError(f"Expected a handle like @acme after the @ at position {pos}", pos)
    return handle


def _field(field: str, value: str, pos: int) -> Node:
    if not value:
        raise QueryError(f"Expected a value after {field}: at position {pos}", pos)
    if field == "from":
        return From(_handle(value, pos))
    value = value.lower()
    if field == "lang":
        if not LANG_RE.fullmatch(value):
            raise QueryError(
                f"Expected a language code like lang:en or lang:pt-br at position {pos}", pos
            )
        return Lang(value)
    if not NETWORK_RE.fullmatch(value):
        raise QueryError(f"Expected a network name like network:bluesky at position {pos}", pos)
    return Network(value)


def _prefix(text: str, pos: int) -> Node:
    stem = normalize(text[:-1])
    if not text.endswith("*") or not WORD_RE.fullmatch(stem or "-"):
        raise QueryError(
            f"A * can only end a single word, like acme*, at position {pos + text.find('*')}",
            pos + text.find("*"),
        )
    if is_unspaced(stem):  # such a term matches inside words already
        return Word(stem)
    if len(stem) < MIN_PREFIX:
        raise QueryError(
            f"Expected at least {MIN_PREFIX} letters before the * at position {pos}", pos
        )
    return Prefix(stem)


# --- Parser ------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over the tokens:

    query := or EOF;  or := and (OR and)*;  and := unary (AND? unary)*;
    unary := (- | NOT) unary | ( or ) | TERM
    """

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        #: Where each node starts (by id: nodes live as long as the parse), for messages.
        self.positions: dict[int, int] = {}

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self) -> Node:
        node = self.parse_or(0)
        token = self.peek()
        if token is not None:  # only a stray ")" stops parse_or early
            raise QueryError(
                f"Unexpected ) at position {token.position}: there is no ( to close",
                token.position,
            )
        return node

    def parse_or(self, depth: int) -> Node:
        start = self.peek()
        children = [self.parse_and(depth)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.i += 1
            following = self.peek()
            if following is None or following.kind in ("OR", ")", "AND"):
                raise _or_error(token)
            children.append(self.parse_and(depth))
        return self.placed(start, children[0] if len(children) == 1 else Or(tuple(children)))

    def placed(self, token: Token | None, node: Node) -> Node:
        self.positions.setdefault(id(node), token.position if token else 1)
        return node

    def parse_and(self, depth: int) -> Node:
        start = self.peek()
        children: list[Node] = []
        while (token := self.peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self.i += 1
                if not children or self._at_operand_end():
                    raise QueryError(
                        f"AND needs something on both sides at position {token.position}",
                        token.position,
                    )
                continue
            children.append(self.parse_unary(depth))
        if not children:
            raise self._missing_operand()
        return self.placed(start, children[0] if len(children) == 1 else And(tuple(children)))

    def _at_operand_end(self) -> bool:
        token = self.peek()
        return token is None or token.kind in ("OR", ")", "AND")

    def _missing_operand(self) -> QueryError:
        token = self.peek()
        if token is None:
            return QueryError("The query is empty: write a word, phrase, #hashtag or @handle", 1)
        if token.kind == "OR":
            return _or_error(token)
        # A ")" right here: either "()" or a ")" with nothing before it.
        previous = self.tokens[self.i - 1] if self.i else None
        if previous is not None and previous.kind == "(":
            return QueryError(
                f"Empty parentheses at position {previous.position}: put words inside",
                previous.position,
            )
        return QueryError(
            f"Unexpected ) at position {token.position}: there is no ( to close",
            token.position,
        )

    def parse_unary(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            token = self.peek()
            position = token.position if token else 1
            raise QueryError(f"The query nests too deeply at position {position}", position)
        token = self.tokens[self.i]
        self.i += 1
        if token.kind == "NOT":
            if self._at_operand_end():
                raise QueryError(
                    f"Expected a word, phrase or group after {token.text} "
                    f"at position {token.position}",
                    token.position,
                )
            _refuse_double_exclusion(token, self.tokens[self.i])
            child = self.parse_unary(depth + 1)
            # -(-a) says "a", on purpose: keep the tree simple for the checks after.
            return self.placed(token, child.child if isinstance(child, Not) else Not(child))
        if token.kind == "(":
            return self.placed(token, self.parse_group(token, depth))
        assert token.node is not None  # TERM: the lexer built its node
        return self.placed(token, token.node)

    def parse_group(self, opening: Token, depth: int) -> Node:
        following = self.peek()
        if following is not None and following.kind == ")":
            raise QueryError(
                f"Empty parentheses at position {opening.position}: put words inside",
                opening.position,
            )
        if following is None:
            raise _unclosed(opening)
        node = self.parse_or(depth + 1)
        closing = self.peek()
        if closing is None or closing.kind != ")":
            raise _unclosed(opening)
        self.i += 1
        return node


def _refuse_double_exclusion(first: Token, second: Token) -> None:
    """``--jobs``, ``- -jobs`` and ``NOT -jobs`` would listen for "jobs": almost always a
    typo for an exclusion, which silently turns into a match. Refuse it."""
    if second.kind == "NOT":
        raise QueryError(
            f"The {second.text} at position {second.position} cancels the {first.text} at "
            f"position {first.position}: to exclude, write a single - (like -jobs)",
            second.position,
        )


def _or_error(token: Token) -> QueryError:
    return QueryError(
        f"{token.text or 'OR'} needs something on both sides at position {token.position}",
        token.position,
    )


def _unclosed(opening: Token) -> QueryError:
    return QueryError(
        f"Expected a closing ) for the ( at position {opening.position}", opening.position
    )


def parse(query: str) -> Node:
    """Parse ``query`` into its tree, or raise ``QueryError`` naming the position."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"The query is too long: at most {MAX_QUERY_LENGTH} characters",
            MAX_QUERY_LENGTH + 1,
        )
    tokens = tokenize(query)
    parser = _Parser(tokens)
    node = parser.parse()
    check_positive(node, parser.positions)
    return node


# --- Checks on the whole tree ------------------------------------------------------------


def is_positive(node: Node) -> bool:
    """Can this node be true only because something is present (not merely absent)?

    ``-spam`` alone, or ``acme OR -spam``, would match nearly every post on the network.
    Filters (lang:, network:) narrow but do not select: ``lang:en`` alone is every post.
    """
    if isinstance(node, Not | FILTERS):
        return False
    if isinstance(node, And):
        return any(is_positive(c) for c in node.children)
    if isinstance(node, Or):
        return all(is_positive(c) for c in node.children)
    return True


def check_positive(node: Node, positions: dict[int, int]) -> None:
    """Refuse a query that would match (nearly) everything, pointing at the culprit."""
    if is_positive(node):
        return
    culprit = _culprit(node)
    position = positions.get(id(culprit), 1)
    if _only_filters(culprit):
        raise QueryError(
            f"lang: and network: only narrow a query (position {position}): "
            "add a word, phrase, #hashtag or @handle",
            position,
        )
    if culprit is node:
        raise QueryError(
            "A query cannot be only exclusions: say what to listen for, e.g. acme -jobs",
            position,
        )
    raise QueryError(
        f"The side of OR at position {position} is only exclusions and would match almost "
        "everything: give it something to listen for",
        position,
    )


def _culprit(node: Node) -> Node:
    """The outermost OR branch that is not positive (or the node itself)."""
    if isinstance(node, Or):
        branch = next(c for c in node.children if not is_positive(c))
        return branch if isinstance(branch, Not | FILTERS) else _culprit(branch)
    if isinstance(node, And) and any(isinstance(c, Or) for c in node.children):
        # Every child is non-positive; an inner OR may hold the real mistake.
        inner = next((c for c in node.children if isinstance(c, Or)), None)
        if inner is not None and not _only_filters(inner):
            return _culprit(inner)
    return node


def _only_filters(node: Node) -> bool:
    if isinstance(node, FILTERS):
        return True
    if isinstance(node, And | Or):
        return all(_only_filters(c) for c in node.children)
    return False


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, depth first."""
    yield node
    if isinstance(node, Not):
        yield from walk(node.child)
    elif isinstance(node, And | Or):
        for child in node.children:
            yield from walk(child)
