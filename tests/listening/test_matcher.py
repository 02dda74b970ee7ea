"""The compiled topic matcher: the language's meaning on real posts, and the same answers
as the naive evaluator (one regex per atom) on real tweets."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from harken.listening.matcher import Item, compile_topics, evaluate
from harken.listening.models import Topic
from harken.networks.base import NormalizedItem
from tests.conftest import shared_data


def matches(query: str, text: str, **context: str) -> bool:
    """Whether the compiled matcher matches, checked against the naive evaluator too."""
    matcher = compile_topics([(1, query)])
    assert not matcher.errors, matcher.errors
    compiled = matcher.match(text, **context) == {1}
    assert compiled == evaluate(matcher.queries[1], text, **context), (query, text)
    return compiled


def test_a_word_matches_whole_words_in_any_case():
    assert matches("acme", "Loved my ACME ring!")
    assert matches("acme", "acme's new store")
    assert not matches("acme", "acmeshop opened")
    assert not matches("acme", "the pinnacle of acmes")


def test_words_are_unicode_aware():
    assert matches("café", "Best CAFÉ in town")
    assert matches("café", "Ｃａｆé au lait")  # full-width, as phones sometimes type
    assert matches("zürich", "Heute in Zürich.")
    assert not matches("zürich", "Zürichsee ist kalt")


def test_accents_never_matter_in_either_direction():
    assert matches("café", "best cafe in town")
    assert matches("cafe", "Best Café in town")
    assert matches("cafe", "Best Cafe\u0301 in town")  # the accent as a combining mark
    assert matches('"creme brulee"', "Crème brûlée!")
    assert matches("#cafe", "#Café")
    assert matches("@jose", "hola @José")
    assert matches("strasse", "Große Straße")
    assert matches("istanbul", "İSTANBUL")
    assert not matches("cafe", "cafeteria")


def test_a_term_in_a_script_without_spaces_matches_inside_its_runs():
    assert matches("日本", "日本語が好き")
    assert matches("日本語が", "私は日本語が好きです")  # longer than the two-character key
    assert not matches("日本語が", "日本人が好き")  # shares the key, not the term
    assert matches("猫", "子猫がかわいい")
    assert matches("สวัสดี", "สวัสดีครับ")  # Thai, whose vowel signs are marks
    assert matches("삼성", "삼성이 좋아요")  # Korean: a particle sticks to the noun
    assert not matches("がっこう", "かっこういい")  # が is not か: no accent to strip
    assert matches("日本 -中国", "日本が好き")
    assert not matches("日本 -中国", "日本と中国")
    assert not matches("日本", "日 本")


def test_a_change_of_script_is_a_word_break():
    assert matches("acme", "Acmeの指輪が届いた")
    assert matches('"acme の"', "Acmeの指輪")  # an unspaced word at an end: a substring
    assert matches('"東京 タワー"', "大東京 タワーです")
    assert not matches('"東京 タワー"', "東京タワー")  # in a phrase a space is a break
    assert matches('"acme 日本 rings"', "ACME日本rings")
    assert not matches('"acme 日本 rings"', "acme 大日本 rings")  # in the middle: whole


def test_quoted_symbols_match_literally():
    assert matches('"c++"', "I write C++ every day")
    assert not matches('"c++"', "I write C every day")
    assert not matches('"c++"', "abc++")
    assert matches('"c#" -java', "Hiring: C# developer")
    assert not matches('"c#"', "c is not c #")
    assert matches('"$acme" OR "acme™"', "$ACME up 4%")
    assert matches('"c++ developer"', "a C++   developer")


def test_a_trailing_star_matches_the_start_of_a_word():
    assert matches("jewel*", "Jewellery and jewels")
    assert not matches("jewel*", "a bejeweled case")


def test_a_phrase_needs_its_words_in_order_whatever_the_punctuation():
    assert matches('"harbor street"', "Went to Harbor-Street today")
    assert matches('"harbor street jewelers"', "harbor street, jewelers!")
    assert not matches('"harbor street"', "street harbor")
    assert not matches('"harbor street"', "harbor streets")
    assert matches("coca-cola", "I drink coca cola")


def test_a_hashtag_matches_only_the_hashtag_but_a_word_also_finds_the_hashtag():
    assert matches("#rings", "New #Rings today")
    assert not matches("#rings", "new rings today")
    assert matches("rings", "New #Rings today")
    assert not matches("#rings", "see &#rings;")  # an HTML entity is no hashtag


def test_a_handle_matches_a_mention_or_the_author():
    assert matches("@acme", "thanks @Acme!")
    assert matches("@acme", "thanks @acme@shop.example.")
    assert matches("@acme", "new ring", author_handle="@acme")
    assert matches("@acme", "new ring", author_handle="acme@shop.example")
    assert not matches("@acme", "mail me at bob@acme.com")
    assert not matches("@acme", "thanks @acmeshop")


def test_from_matches_only_the_author():
    assert matches("ring from:bob", "a ring", author_handle="Bob")
    assert not matches("ring from:bob", "a ring for @bob", author_handle="alice")


def test_language_and_network_filters():
    assert matches("acme lang:en", "acme", language="en-GB")
    assert not matches("acme lang:en", "acme", language="fr")
    assert not matches("acme lang:en", "acme")  # no language known: no match
    assert matches("acme lang:pt-br", "acme", language="pt-BR")
    assert not matches("acme lang:pt-br", "acme", language="pt")
    assert matches("acme network:bluesky", "acme", network="bluesky")
    assert not matches("acme network:bluesky", "acme", network="mastodon")


def test_exclusions_and_groups():
    query = '(acme OR "harbor street") -(jobs OR hiring) -"follow back"'
    assert matches(query, "harbor street has a sale")
    assert not matches(query, "Acme is hiring")
    assert not matches(query, "acme rings, follow back!")
    assert matches("acme (rings OR -cheap)", "acme earrings")
    assert not matches("acme (rings OR -cheap)", "cheap acme")


def test_match_returns_every_matching_topic_and_only_those():
    matcher = compile_topics([(1, "acme"), (2, "#rings OR necklace"), (3, "globex -acme")])
    assert matcher.match("acme #rings") == {1, 2}
    assert matcher.match("globex necklace") == {2, 3}
    assert matcher.match("nothing here") == set()


def test_match_many_reads_normalized_items_from_a_connector():
    post = NormalizedItem(
        network="bluesky",
        external_id="1",
        kind="post",
        text="Harbor Street rings!",
        created=datetime(2026, 11, 20, tzinfo=UTC),
        author_id="did:plc:x",
        author_handle="alice.bsky.social",
        language="en",
    )
    matcher = compile_topics([(1, '"harbor street" network:bluesky'), (2, "from:bob")])
    assert matcher.match_many([post, Item(text="hi", author_handle="bob")]) == [{1}, {2}]


def test_a_stored_malformed_query_is_left_out_and_reported_not_raised():
    matcher = compile_topics([(1, "acme"), (2, "acme (rings")])
    assert matcher.match("acme rings") == {1}
    assert matcher.errors[2].position == 6


@pytest.mark.django_db
def test_it_compiles_topic_rows(workspace):
    topic = Topic.objects.create(workspace=workspace, name="Brand", query="acme OR @acme")
    assert compile_topics([topic]).match("Hi @acme") == {topic.pk}


def _random_query(rng: random.Random, words: list[str]) -> str:
    def atom() -> str:
        word = rng.choice(words)
        return rng.choice(
            [word, word, f"#{word}", f"@{word}", f"{word[:4]}*" if len(word) > 3 else word]
            + [f'"{word} {rng.choice(words)}"']
        )

    positive = " OR ".join(atom() for _ in range(rng.randint(1, 3)))
    query = f"({positive})" if rng.random() < 0.5 else positive
    if rng.random() < 0.5:
        query += f" {atom()}"
    if rng.random() < 0.5:
        query += f" -{atom()}"
    if rng.random() < 0.2:
        query += " lang:en"
    return query


def test_it_gives_the_naive_evaluators_answers_on_real_tweets():
    path = shared_data("semeval-sentiment", "twitter-2016devtest-A.tsv")
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    texts = [line.split("\t", 2)[2] for line in lines if line.count("\t") >= 2][:250]
    rng = random.Random(3)
    words = [w.lower() for t in texts for w in t.split() if w.isalpha() and len(w) > 3]
    common = sorted(set(words), key=words.count, reverse=True)[:150]
    matcher = compile_topics([(i, _random_query(rng, common)) for i in range(100)])
    assert not matcher.errors
    items = [
        Item(text=t, language=rng.choice(["en", "es", ""]), author_handle=rng.choice(common))
        for t in texts
    ]
    found = matcher.match_many(items)
    assert sum(map(len, found)) > 100  # the check means something: many posts matched
    for item, got in zip(items, found, strict=True):
        context = {"language": item.language, "author_handle": item.author_handle}
        expected = {i for i, q in matcher.queries.items() if evaluate(q, item.text, **context)}
        assert got == expected, item.text


def test_the_same_topics_give_the_same_compiled_matcher_and_a_change_a_new_one():
    first = compile_topics([(1, "acme"), (2, "globex")])
    assert compile_topics([(1, "acme"), (2, "globex")]) is first
    changed = compile_topics([(1, "acme"), (2, "globex -jobs")])
    assert changed is not first
    assert changed.match("globex jobs") == set()


def test_prefixes_still_match_after_the_word_memo_starts_again(monkeypatch):
    monkeypatch.setattr("harken.listening.matcher.PREFIX_MEMO_SIZE", 5)
    matcher = compile_topics([(1, "jewel* -cheap"), (2, "ringside OR ring*")])
    posts = [f"word{n} jewellery rings" for n in range(20)] + ["cheap jewels", "ringo"]
    assert matcher.match_many(Item(text=p) for p in posts) == [{1, 2}] * 20 + [set(), {2}]
    assert len(matcher._seen) <= 5 + 5  # the memo was emptied and refilled, not grown


def test_it_agrees_with_the_naive_evaluator_on_tricky_texts_and_random_queries():
    rng = random.Random(5)
    atoms = [
        "acme",
        "ring*",
        '"acme rings"',
        '"big acme rings"',
        "#acme",
        "@acme",
        "from:acme",
        "lang:en",
        "network:x",
        "café",
        "-acme",
        "-#acme",
        '-"acme rings"',
        "rings",
        "cafe",
        "日本",
        "日本語が",
        "猫",
        "-中国",
        '"acme の"',
        '"c++"',
        '"acme 日本 rings"',
    ]
    bits = [
        "acme",
        "ACME",
        "#acme",
        "#Acme2",
        "@acme",
        "@acme@shop.example",
        "bob@acme.com",
        "&#acme;",
        "rings",
        "ringside",
        "big",
        "café",
        "CAFÉ",
        "acme-rings",
        "acme, rings",
        "x",
        ".",
        "Cafe\u0301",
        "日本語が好き",
        "中国",
        "子猫",
        "Acmeの指輪",
        "ACME日本rings",
        "C++",
        "c+",
    ]
    queries = []
    while len(queries) < 200:
        query = " ".join(rng.choice(atoms) for _ in range(rng.randint(1, 4)))
        if rng.random() < 0.4:
            query = f"({query}) OR {rng.choice(atoms[:10])}"
        if not compile_topics([(0, query)]).errors:
            queries.append(query)
    matcher = compile_topics(list(enumerate(queries)))
    hits = 0
    for _ in range(200):
        text = " ".join(rng.choice(bits) for _ in range(rng.randint(1, 8)))
        context = {
            "language": rng.choice(["en", "en-US", "fr", ""]),
            "network": rng.choice(["x", "bluesky"]),
            "author_handle": rng.choice(["acme", "@Acme@shop.example", "bob", ""]),
        }
        expected = {i for i, q in matcher.queries.items() if evaluate(q, text, **context)}
        assert matcher.match(text, **context) == expected, (text, context)
        hits += len(expected)
    assert 200 < hits < 200 * 200 / 2  # many matches, but queries are not all trivially true
