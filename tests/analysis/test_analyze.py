"""What ``analyze`` promises the listening pipeline, as behaviour."""

from __future__ import annotations

import dataclasses

import pytest

from harken.analysis import Analysis, AnalysisContext, analyze
from harken.analysis.intents import INTENTS


def one(text: str, context: AnalysisContext | None = None) -> Analysis:
    return analyze([text], context)[0]


def test_it_returns_one_analysis_per_text_in_order():
    texts = ["I love this shop", "This is the worst service ever", "Opening hours?"]
    found = analyze(texts)
    assert [a.sentiment for a in found] == ["positive", "negative", "neutral"]


def test_an_empty_batch_gives_an_empty_list():
    assert analyze([]) == []


def test_an_analysis_is_a_frozen_dataclass_with_the_agreed_fields():
    found = one("Great rings, thanks!")
    assert [f.name for f in dataclasses.fields(found)] == [
        "language", "language_confidence", "sentiment", "sentiment_scores", "intents",
        "key_phrases", "products", "competitors",
    ]  # fmt: skip
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.sentiment = "negative"  # type: ignore[misc]


def test_sentiment_scores_are_probabilities_over_the_three_labels():
    scores = one("The ring arrived today").sentiment_scores
    assert set(scores) == {"negative", "neutral", "positive"}
    assert sum(scores.values()) == pytest.approx(1.0, abs=1e-3)


def test_negation_flips_sentiment():
    assert one("The service was good").sentiment == "positive"
    assert one("The service was not good").sentiment == "negative"


def test_negation_stops_at_the_end_of_the_clause():
    scores = one("Not bad at all, the staff were great and friendly").sentiment_scores
    assert scores["positive"] > scores["negative"]


def test_emoji_carry_sentiment():
    plain = one("Picked up my order today").sentiment_scores
    assert one("Picked up my order today 😍😍").sentiment_scores["positive"] > plain["positive"]
    assert one("Picked up my order today 😡😡").sentiment_scores["negative"] > plain["negative"]


def test_emoticons_carry_sentiment():
    assert one("see you at the shop tomorrow :(").sentiment == "negative"
    assert one("see you at the shop tomorrow :)").sentiment == "positive"


def test_elongated_words_read_as_the_word():
    assert one("this is sooooo goooood").sentiment == "positive"


def test_handles_and_urls_do_not_sway_sentiment():
    base = one("Our new collection is in store").sentiment_scores
    noisy = one("@happyjoy Our new collection is in store https://t.co/great").sentiment_scores
    assert noisy["positive"] == pytest.approx(base["positive"], abs=0.1)


def test_a_question_without_a_question_mark_is_a_question():
    assert "question" in one("how do I change the size of my ring").intents
    assert "question" in one("Anyone know if the shop is open on Sunday").intents


def test_a_job_seeker_message_is_not_a_complaint():
    found = one("Are you hiring? I really need a job, I'm so desperate and tired of looking")
    assert "job_seeker" in found.intents
    assert "complaint" not in found.intents


def test_a_complaint_is_a_complaint():
    assert "complaint" in one("My order never arrived and nobody answers, terrible").intents


def test_a_question_can_also_be_a_complaint():
    found = one("Still waiting for my refund, where is it?")
    assert {"question", "complaint"} <= set(found.intents)


def test_thanks_are_praise():
    assert one("Thank you so much for the quick help, you are amazing!").intents == ("praise",)


@pytest.mark.parametrize(
    "text", ["Where can I buy the gold hoops?", "Do you ship to Canada?", "I want to buy this ring"]
)
def test_buying_questions_are_purchase_intent(text):
    assert "purchase_intent" in one(text).intents


def test_follow_bait_and_hashtag_walls_are_spam_and_only_spam():
    assert one("Follow me for free followers!! click here").intents == ("spam",)
    assert one("#a #b #c #d #e #f #g buy now").intents == ("spam",)


def test_small_talk_is_other():
    assert one("Halloween tonight").intents == ("other",)


def test_intents_are_known_labels_in_a_stable_order():
    for found in analyze(["My order is late, can you help? Terrible. Are you hiring?", "hi"]):
        assert found.intents and set(found.intents) <= set(INTENTS)
        assert list(found.intents) == sorted(found.intents, key=INTENTS.index)


def test_it_names_the_workspaces_products_and_competitors_in_their_spelling():
    context = AnalysisContext(products=["Gold Hoops", "C++ Ring"], competitors=["Rival Rings"])
    found = one("are the gold hoops cheaper than at RIVAL RINGS? also the c++ ring", context)
    assert found.products == ("Gold Hoops", "C++ Ring")
    assert found.competitors == ("Rival Rings",)


def test_vocabulary_matches_whole_words_only():
    context = AnalysisContext(products=["Ring"])
    assert one("I love the ringtone", context).products == ()


def test_key_phrases_say_what_the_text_is_about():
    phrases = one("The clasp on my silver bracelet broke after two days").key_phrases
    assert phrases and any("silver bracelet" in p for p in phrases)


@pytest.mark.parametrize(
    "text",
    [
        "Third email to the shop about a late order, nobody answers",
        "Third email to the shop about a late order. Nobody answers",
        "Third email to the shop about a late order; nobody answers!",
        "Third email to the shop about a late order (nobody answers)",
    ],
)
def test_a_key_phrase_never_runs_across_punctuation(text):
    phrases = one(text).key_phrases
    assert "late order" in phrases
    assert not any("order nobody" in p for p in phrases)


def test_a_word_with_an_apostrophe_or_a_hyphen_stays_one_word():
    phrases = one("Lab-grown diamonds at Harbor's counter").key_phrases
    assert any("lab-grown diamonds" in p for p in phrases)


def test_it_detects_the_language_with_a_confidence():
    english = one("Thank you for the wonderful ring, my wife loves it")
    french = one("Merci beaucoup pour la bague, ma femme l'adore")
    assert (english.language, french.language) == ("en", "fr")
    assert 0.5 < english.language_confidence <= 1.0


def test_a_text_without_letters_has_an_undetermined_language():
    found = one("12345 !!! 👍")
    assert found.language == "und"
    assert found.language_confidence == 0.0


def test_it_is_deterministic():
    texts = ["I can't believe how bad this is", "Lovely shop 😊", "¿Dónde está mi pedido?"]
    assert analyze(texts) == analyze(texts)
    assert analyze(texts) == [one(t) for t in texts]  # a batch gives what one text gives


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        None,
        "x" * 50_000,
        "Ring " * 12_000,
        "broken \ud800 surrogate \udfff",
        "mixed: Привет 你好 مرحبا hello שלום 🙂",
        "\x00\x01\x02 control characters \x7f",
        "😀" * 5000,
        12345,
    ],
)
def test_bad_input_returns_a_valid_analysis_and_never_raises(bad):
    found = analyze([bad], AnalysisContext(products=["Ring"], competitors=[""]))[0]
    assert found.sentiment in {"negative", "neutral", "positive"}
    assert found.intents and set(found.intents) <= set(INTENTS)
    assert isinstance(found.language, str) and 0.0 <= found.language_confidence <= 1.0
    assert all(len(p) <= 200 for p in found.key_phrases)


@pytest.mark.parametrize("batch", ["a string", None, b"some bytes", bytearray(b"x"), {"a": 1}, 7])
def test_a_batch_that_is_not_a_list_of_texts_is_a_clear_type_error(batch):
    with pytest.raises(TypeError, match=r"analyze\(\[text\]\)"):
        analyze(batch)  # type: ignore[arg-type]


def test_a_tuple_or_a_generator_is_a_batch():
    assert len(analyze(("one", "two"))) == 2
    assert len(analyze(t for t in ("one", "two", "three"))) == 3  # type: ignore[arg-type]


def test_bytes_texts_are_decoded_as_utf8():
    found = analyze([b"Merci beaucoup pour la bague, ma femme l'adore", b"bad \xff\xfe bytes"])
    assert found[0] == one("Merci beaucoup pour la bague, ma femme l'adore")
    assert found[1].sentiment in {"negative", "neutral", "positive"}


@pytest.mark.parametrize(
    "text",
    [
        "We will win this time, believe me #magahttps://t.co/AbC1dEfG2h",
        "RT @jakarta_news: so happy with the new shop downtown https://t.co/Kp0aBcD",
        "@Ask_Spectrum @Ask_Spectrum my internet is down again #spectrumsucks #fail",
    ],
)
def test_links_handles_and_hashtags_do_not_vote_on_the_language(text):
    assert one(text).language == "en"


def test_a_link_glued_to_a_hashtag_leaves_nothing_behind():
    from harken.analysis.language import voting_text

    assert voting_text("Lock her up #magahttps://t.co/6JkPqXbRtZ").split() == ["Lock", "her", "up"]
    assert voting_text("RT @a: ok see example.com/x &amp; www.x.org").split() == [":", "ok", "see"]


def test_the_batched_language_scores_are_py3langids_own():
    from harken.analysis import language

    texts = [
        "Thank you for the wonderful ring",
        "Merci beaucoup pour la bague, ma femme l'adore",
        "¿Dónde está mi pedido? Llevo dos semanas esperando",
        "ありがとうございました",
        "Привет, где мой заказ?",
        "",
        "12345 !!! 👍",
        "ok",
        "@someone #hashtag https://t.co/x",
    ]
    assert language.detect_many(texts) == [language.detect(t) for t in texts]


def test_a_batch_walks_the_language_automaton_as_each_text_alone_would():
    from harken.analysis import language

    ident = language.identifier()
    texts = [
        "Thank you for the wonderful ring",
        "Merci beaucoup pour la bague",
        "ありがとうございました",
        "ok",
        "x" * 700,
        "¿Dónde está mi pedido?",
    ] * 6  # past BATCH_WALK, with lengths that end the walk at different bytes
    encoded = [ident._encode(t) for t in texts]
    assert len(encoded) >= language.BATCH_WALK
    each_rows, each_cols = language._walk_each(ident, encoded)
    batch_rows, batch_cols = language._walk_batch(ident, encoded)
    assert sorted(zip(each_rows.tolist(), each_cols.tolist(), strict=True)) == sorted(
        zip(batch_rows.tolist(), batch_cols.tolist(), strict=True)
    )
    labels = [code for code, _ in language.detect_many(texts)]
    assert labels == [language.detect(t)[0] for t in texts]


def test_the_cost_of_one_text_is_bounded():
    from harken.analysis.text import FEATURE_CHARS, clean, head

    zalgo = clean(("a" + "\u0301\u0302\u0303\u0304\u0305\u0306\u0307") * 300)
    assert zalgo.startswith("a\u0301\u0302a\u0301\u0302")  # two marks kept per letter
    long_post = "word " * 1000
    assert len(head(clean(long_post))) <= FEATURE_CHARS
    assert head("short text") == "short text"
    assert one(long_post).sentiment_scores == one("word " * 150).sentiment_scores


def test_a_declared_language_is_kept_and_the_others_are_identified():
    texts = ["ok ok ok", "Merci beaucoup pour la bague, ma femme l'adore", "Thank you so much"]
    found = analyze(texts, languages=["DE", None, ""])
    assert [(a.language, a.language_confidence) for a in found][0] == ("de", 1.0)
    assert [a.language for a in found][1:] == ["fr", "en"]
    with pytest.raises(ValueError):
        analyze(texts, languages=["en"])


def test_cached_feature_columns_are_the_crc32_of_each_token():
    import zlib

    from harken.analysis import features as F

    config = F.FeatureConfig(n_features=2**12, char_max=4, prefix=4)
    mask = config.n_features - 1
    text = "the ring is not great, the clasp broke again :( @user"
    expected = [
        zlib.crc32(tok.encode("utf-8"), seed) & mask
        for seed, toks in F.normalised_tokens(text, config).items()
        for tok in toks
    ]
    first = F.hashed_matrix([text], config)
    again = F.hashed_matrix([text], config)  # now every token comes from the cache
    assert sorted(set(first.indices.tolist())) == sorted(set(expected))
    assert (first != again).nnz == 0
