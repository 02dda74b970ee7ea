"""The static token embeddings: BERT's tokenisation over the shipped vocabulary, mean vectors."""

from __future__ import annotations

import numpy as np
import pytest

from harken.analysis.embeddings import SHIPPED, StaticEmbeddings, basic_words, shipped_embeddings


def tiny_table(tmp_path) -> StaticEmbeddings:
    vocab = np.array(
        ["[PAD]", "[UNK]", "un", "##believ", "##able", "good", "!", "cafe", "@", "user"]
    )
    vectors = np.eye(len(vocab), 4, dtype=np.float16) + 0.5
    path = tmp_path / "table.npz"
    np.savez_compressed(path, vocab=vocab, vectors=vectors)
    return StaticEmbeddings.load(path)


def test_basic_words_split_punctuation_off_like_bert():
    assert basic_words("so good!!") == ["so", "good", "!", "!"]
    assert basic_words("don't_stop") == ["don", "'", "t", "_", "stop"]


def test_accented_and_ascii_texts_split_the_same_way():
    assert basic_words("café, ok") == basic_words("cafe, ok")
    assert basic_words("日本 ok") == ["日", "本", "ok"]


def test_words_are_cut_into_the_longest_known_pieces(tmp_path):
    table = tiny_table(tmp_path)
    ids = table.token_ids("Unbelievable café!")
    assert [table.vectors[i].tolist() for i in ids] == [
        table.vectors[table.vocab[t]].tolist() for t in ("un", "##believ", "##able", "cafe", "!")
    ]


def test_handles_become_the_user_placeholder_and_unknown_words_add_nothing(tmp_path):
    table = tiny_table(tmp_path)
    assert table.token_ids("@someone zzzz") == [table.vocab["@"], table.vocab["user"]]


def test_a_text_vector_is_the_normalised_mean_and_an_empty_text_is_zero(tmp_path):
    table = tiny_table(tmp_path)
    vectors = table.embed(["good good", "", "zzzz"])
    expected = table.vectors[table.vocab["good"]]
    assert np.allclose(vectors[0], expected / np.linalg.norm(expected))
    assert not vectors[1].any() and not vectors[2].any()


def test_the_shipped_table_is_safe_and_deterministic():
    if not SHIPPED.exists():
        pytest.skip("no shipped embeddings")
    with np.load(SHIPPED, allow_pickle=False) as arrays:
        assert arrays["vectors"].dtype == np.float16
    table = shipped_embeddings()
    texts = ["I love this phone 😍", "worst service ever", "\ud800 broken", "x" * 50_000]
    assert np.array_equal(table.embed(texts), table.embed(texts))


def test_the_shipped_sentiment_model_has_one_weight_row_per_feature_column():
    from harken.analysis.api import WEIGHTS_DIR
    from harken.analysis.features import featurise
    from harken.analysis.linear import LinearModel

    model = LinearModel.load(WEIGHTS_DIR / "sentiment")
    columns = featurise(["so good"], model.config).shape[1]
    assert model.weights.shape[0] == columns


def test_the_hand_written_wordpiece_gives_the_tokenizers_librarys_ids():
    """``tokenizers`` (Rust) over the same vocabulary gives the same ids; the Python one
    with its per-word cache is kept because it is about four times faster on one core
    (2,000 tweets: 0.11 s against 0.41 s with ``encode_batch``, measured 2026-12-06)."""
    tokenizers = pytest.importorskip("tokenizers")
    from harken.analysis.embeddings import shipped_embeddings
    from harken.analysis.text import clean, head, normalise

    table = shipped_embeddings()
    unk = table.vocab["[UNK]"]
    library = tokenizers.Tokenizer(
        tokenizers.models.WordPiece(
            vocab=table.vocab, unk_token="[UNK]", max_input_chars_per_word=100
        )
    )
    library.normalizer = tokenizers.normalizers.BertNormalizer(lowercase=True, strip_accents=True)
    library.pre_tokenizer = tokenizers.pre_tokenizers.BertPreTokenizer()
    texts = [
        "Still waiting on my order from @shop, two weeks now!! https://t.co/x",
        "Café crème brûlée à Paris — très bien 👍👍",
        "unbelievablyyyy gooood #blessed $3 burritos",
        "私はラーメンが大好きです",
        "Ünïcödé façade naïve résumé",
    ]
    for text in texts:
        norm = normalise(head(clean(text)))
        ours = table.token_ids(norm, normalised=True)
        theirs = [i for i in library.encode(norm, add_special_tokens=False).ids if i != unk]
        assert ours == theirs, text
