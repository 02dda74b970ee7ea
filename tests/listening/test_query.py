"""The topic query language: what parses to what, and where a malformed query fails."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from harken.listening.matcher import compile_topics
from harken.listening.query import (
    MAX_QUERY_LENGTH,
    And,
    From,
    Handle,
    Hashtag,
    Lang,
    Literal,
    Network,
    Not,
    Or,
    Phrase,
    Prefix,
    QueryError,
    Word,
    parse,
)


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("Acme", Word("acme")),
        ('"Harbor Street"', Phrase(("harbor", "street"))),
        ("#Rings", Hashtag("rings")),
        ("@HarborStreet", Handle("harborstreet")),
        ("@alice@example.social", Handle("alice@example.social")),
        ("from:@Bob", From("bob")),
        ("ring*", Prefix("ring")),
        ("acme lang:EN", And((Word("acme"), Lang("en")))),
        ("acme lang:pt-BR", And((Word("acme"), Lang("pt-br")))),
        ("acme network:Bluesky", And((Word("acme"), Network("bluesky")))),
        ("acme -jobs", And((Word("acme"), Not(Word("jobs"))))),
        ("acme NOT jobs", And((Word("acme"), Not(Word("jobs"))))),
        ("acme AND rings", And((Word("acme"), Word("rings")))),
        ("acme OR globex", Or((Word("acme"), Word("globex")))),
        ("acme | globex", Or((Word("acme"), Word("globex")))),
        ("coca-cola", Phrase(("coca", "cola"))),
        ("Ｃａｆé", Word("cafe")),  # full-width letters fold to ASCII, accents go (NFKD)
        ("Zürich", Word("zurich")),
        ("İstanbul", Word("istanbul")),
        ("Straße", Word("strasse")),
        ("日本", Word("日本")),
        ("日本*", Word("日本")),  # an unspaced term matches inside runs already
        ("がっこう", Word("がっこう")),  # a Japanese sound mark is no accent: が stays が
        ("Acmeの指輪", Phrase(("acme", "の指輪"))),  # a change of script is a word break
        ('"C++"', Literal("c++")),
        ('"c#" OR "$ACME"', Or((Literal("c#"), Literal("$acme")))),
        ('"c++  developer"', Literal("c++ developer")),
        ('"#acme"', Literal("#acme")),  # quoted, the # is matched too
        ("acme －jobs", And((Word("acme"), Not(Word("jobs"))))),  # full-width minus (IME)
        ("（acme｜globex）", Or((Word("acme"), Word("globex")))),
    ],
)
def test_it_parses_each_kind_of_term(query, tree):
    assert parse(query) == tree


def test_typographic_quotes_from_a_phone_are_quotes():
    assert parse("“Harbor Street” OR «rings»") == Or((Phrase(("harbor", "street")), Word("rings")))


def test_and_binds_tighter_than_or():
    assert parse("a b OR c") == Or((And((Word("a"), Word("b"))), Word("c")))


def test_parentheses_group_and_exclusions_apply_to_groups():
    tree = parse('(acme OR "acme rings") -(jobs OR hiring)')
    assert tree == And(
        (
            Or((Word("acme"), Phrase(("acme", "rings")))),
            Not(Or((Word("jobs"), Word("hiring")))),
        )
    )


def test_an_excluded_exclusion_in_parentheses_cancels_out():
    assert parse("-(-acme)") == Word("acme")


@pytest.mark.parametrize(
    ("query", "position", "expected"),
    [
        ("acme --jobs", 7, "The - at position 7 cancels the - at position 6"),
        ("acme - -jobs", 6, "right after the - at position 6"),
        ("acme NOT -jobs", 10, "The - at position 10 cancels the NOT at position 6"),
        ("acme -NOT jobs", 7, "The NOT at position 7 cancels the - at position 6"),
        ("acme —jobs", 6, "A dash (—) starts the word at position 6"),  # a phone's "--"
        ("acme –jobs", 6, "write a plain hyphen right before it, like -jobs"),
    ],
)
def test_a_typo_never_turns_an_exclusion_into_a_match(query, position, expected):
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert caught.value.position == position
    assert expected in caught.value.message


@pytest.mark.parametrize(
    ("query", "position", "symbol"),
    [
        ("c++", 2, "+"),
        ("acme C#", 7, "#"),
        ("$acme", 1, "$"),
        ("acme™️ OR globex+", 17, "+"),
        ("rings ❤️", 7, None),  # only a symbol: nothing to match, said as before
        ("bob@acme.com", 4, "@"),
    ],
)
def test_a_bare_word_with_symbols_is_refused_with_how_to_quote_it(query, position, symbol):
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert caught.value.position == position
    if symbol is None:
        assert "has no letters or digits to match" in caught.value.message
    else:
        assert f"The {symbol} at position {position} cannot be matched in a bare word" in (
            caught.value.message
        )
        assert "quote it" in caught.value.message


def test_lowercase_or_and_not_are_plain_words():
    assert parse("rock or roll") == And((Word("rock"), Word("or"), Word("roll")))


@pytest.mark.parametrize(
    "query",
    [
        'acme OR ("harbor street" -jobs) #rings',
        "(a OR b) (c OR d) -(e f)",
        "@acme from:bob lang:en network:bluesky ring*",
    ],
)
def test_the_canonical_text_parses_back_to_the_same_tree(query):
    tree = parse(query)
    assert parse(str(tree)) == tree


@pytest.mark.parametrize(
    ("query", "position", "expected"),
    [
        ("acme (rings OR necklaces", 6, "Expected a closing ) for the ( at position 6"),
        ('acme "harbor street', 6, "Unclosed quote at position 6"),
        ("acme OR", 6, "OR needs something on both sides at position 6"),
        ("OR acme", 1, "OR needs something on both sides at position 1"),
        ("acme OR OR rings", 6, "OR needs something on both sides at position 6"),
        ("(acme OR) rings", 7, "OR needs something on both sides at position 7"),
        ("acme |", 6, "| needs something on both sides at position 6"),
        ("-jobs", 1, "A query cannot be only exclusions"),
        ("-jobs -hiring", 1, "A query cannot be only exclusions"),
        ("acme OR -jobs", 9, "The side of OR at position 9 is only exclusions"),
        ("lang:en", 1, "lang: and network: only narrow a query"),
        ("acme )", 6, "Unexpected ) at position 6"),
        ("acme ()", 6, "Empty parentheses at position 6"),
        ("acme - jobs", 6, "Expected a word, phrase or group right after the - at position 6"),
        ("acme NOT", 6, "Expected a word, phrase or group after NOT at position 6"),
        ("acme AND", 6, "AND needs something on both sides at position 6"),
        ("", 1, "The query is empty"),
        ("   ", 1, "The query is empty"),
        ("acme #", 6, "Expected letters or digits after the # at position 6"),
        ("acme @", 6, "Expected a handle like @acme after the @ at position 6"),
        ("acme lang:", 6, "Expected a value after lang: at position 6"),
        ("acme lang:english!", 6, "Expected a language code like lang:en"),
        ("acme ri*", 6, "Expected at least 3 letters before the * at position 6"),
        ("acme ri*ng", 8, "A * can only end a single word"),
        ('acme "!!"', 6, "The phrase at position 6 has no letters or digits"),
        ("acme &", 6, "has no letters or digits to match"),
    ],
)
def test_a_malformed_query_names_the_position_and_what_was_expected(query, position, expected):
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert caught.value.position == position
    assert expected in caught.value.message


def test_a_query_nested_too_deeply_is_refused_before_python_recursion_is():
    with pytest.raises(QueryError, match="nests too deeply"):
        parse("(" * 200 + "acme" + ")" * 200)


def test_a_very_long_query_is_refused():
    with pytest.raises(QueryError, match="too long"):
        parse("acme " * (MAX_QUERY_LENGTH // 5 + 1))


def test_exclusions_within_a_positive_query_are_fine():
    assert parse("acme (rings OR -cheap)") == And(
        (Word("acme"), Or((Word("rings"), Not(Word("cheap")))))
    )


def test_any_text_either_parses_or_fails_with_a_query_error_inside_it():
    """Fuzz: whatever a person types, the parser answers with a tree or a QueryError whose
    position points into the query (never an IndexError or a RecursionError)."""
    rng = random.Random(11)
    pieces = [
        "(",
        ")",
        '"',
        "-",
        "|",
        "#",
        "@",
        "*",
        ":",
        " ",
        "OR",
        "AND",
        "NOT",
        "lang:",
        "from:",
        "network:",
        "acme",
        "é",
        "ring*",
        "x",
        "&",
        "lang:en",
        "@a@b.c",
        "日本",
        "の",
        "+",
        "—",
        "－",
        "（",
        "”",
        "ü",
    ]
    parsed = 0
    for _ in range(3000):
        query = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        try:
            tree = parse(query)
        except QueryError as error:
            assert 1 <= error.position <= len(query) + 1, (query, error.position)
        else:
            parsed += 1
            assert parse(str(tree)) == tree, query
            assert not compile_topics([(1, query)]).errors
    assert parsed > 100  # the fuzz reaches valid queries too, not only errors


@pytest.mark.django_db
def test_the_form_says_where_a_symbol_or_typo_is_as_the_user_types(alice_client):
    for query, position, symbol in [("c++", 2, "+"), ("acme --jobs", 7, "-")]:
        status = alice_client.post(reverse("topic_validate"), {"query": query}).content.decode()
        assert f"position {position}" in status
        assert f'<mark title="position {position}">{symbol}</mark>' in status
    status = alice_client.post(reverse("topic_validate"), {"query": '"c++" -"c#"'})
    assert "Understood as" in status.content.decode()
    page = alice_client.get(reverse("topic_create")).content.decode()
    assert "How to write a query" in page
    assert "&quot;c++&quot;" in page or '"c++"' in page
