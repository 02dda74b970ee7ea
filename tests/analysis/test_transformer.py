"""The accuracy-first option: a local ONNX transformer directory, tested on a tiny model
the test builds itself (an embedding bag: a real ONNX graph, real tokenizer, no download)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured

from harken.analysis import analyze
from harken.analysis.api import reset_models
from harken.analysis.transformer import label_order

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")
tokenizers = pytest.importorskip("tokenizers")

VOCAB = {"[PAD]": 0, "[UNK]": 1, "good": 2, "bad": 3}
# Columns in the model's own order, deliberately not Harken's: positive, negative, neutral.
ID2LABEL = {"0": "Positive", "1": "Negative", "2": "Neutral"}
EMBEDDINGS = np.array([[0, 0, 0], [0, 0, 1], [4, 0, 0], [0, 4, 0]], dtype=np.float32)


def save_tiny_model(directory) -> None:
    from onnx import TensorProto, helper, numpy_helper

    nodes = [
        helper.make_node("Gather", ["embeddings", "input_ids"], ["vectors"]),
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "last_axis"], ["mask3"]),
        helper.make_node("Mul", ["vectors", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "token_axis"], ["logits"], keepdims=0),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny-sentiment",
        inputs=[
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        outputs=[helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 3])],
        initializer=[
            numpy_helper.from_array(EMBEDDINGS, "embeddings"),
            numpy_helper.from_array(np.array([2], dtype=np.int64), "last_axis"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "token_axis"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, str(directory / "model.onnx"))

    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import WordLevel

    tokenizer = Tokenizer(WordLevel(VOCAB, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.save(str(directory / "tokenizer.json"))
    config = {"id2label": ID2LABEL, "pad_token_id": 0}
    (directory / "config.json").write_text(json.dumps(config))


@pytest.fixture
def transformer_dir(tmp_path, monkeypatch):
    save_tiny_model(tmp_path)
    monkeypatch.setenv("HARKEN_SENTIMENT_MODEL_DIR", str(tmp_path))
    reset_models()
    yield tmp_path
    monkeypatch.delenv("HARKEN_SENTIMENT_MODEL_DIR")
    reset_models()


def test_the_setting_swaps_in_the_local_transformer(transformer_dir):
    found = analyze(["GOOD good", "bad", "something else entirely", ""])
    assert [a.sentiment for a in found] == ["positive", "negative", "neutral", "neutral"]
    assert found[0].sentiment_scores["positive"] > 0.99


def test_it_batches_beyond_one_chunk_and_stays_deterministic(transformer_dir):
    texts = ["good"] * 40 + ["bad"] * 40
    assert analyze(texts) == analyze(texts)
    assert [a.sentiment for a in analyze(texts)] == ["positive"] * 40 + ["negative"] * 40


def test_a_directory_without_the_model_files_fails_loudly(tmp_path, monkeypatch):
    monkeypatch.setenv("HARKEN_SENTIMENT_MODEL_DIR", str(tmp_path))
    reset_models()
    try:
        with pytest.raises(ImproperlyConfigured, match="model.onnx"):
            analyze(["hello"])
    finally:
        monkeypatch.delenv("HARKEN_SENTIMENT_MODEL_DIR")
        reset_models()


def test_labels_are_mapped_by_name_or_in_the_usual_order():
    assert label_order({0: "NEG", 1: "NEU", 2: "POS"}) == [0, 1, 2]
    assert label_order({0: "positive", 1: "negative", 2: "neutral"}) == [1, 2, 0]
    assert label_order({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}) == [0, 1, 2]
    with pytest.raises(ImproperlyConfigured):
        label_order({0: "joy", 1: "anger"})
