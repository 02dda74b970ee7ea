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
