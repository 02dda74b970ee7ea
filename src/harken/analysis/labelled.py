"""Readers for labelled text files (SemEval TSV and the simpler ``text<TAB>label``)."""

from __future__ import annotations

from pathlib import Path

from harken.analysis.text import unescape_literal

LABELS = ("negative", "neutral", "positive")

#: The one SemEval file nothing is trained or tuned on (see the data's SOURCES.md).
VALIDATION_FILE = "twitter-2016devtest-A.tsv"


def default_data_dir() -> Path:
    """``../shared/data`` next to the repository (where the public data sets are kept)."""
    return Path(__file__).resolve().parents[4] / "shared" / "data"


def read_labelled(path: Path) -> tuple[list[str], list[str]]:
    """Texts and labels of ``id<TAB>label<TAB>text`` or ``text<TAB>label`` lines.

    Lines without a known label are skipped: a few SemEval lines carry stray tabs.
    """
    texts: list[str] = []
    labels: list[str] = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[1].strip() in LABELS:
            label, text = parts[1].strip(), "\t".join(parts[2:]).strip()
        elif len(parts) >= 2 and parts[-1].strip() in LABELS:
            label, text = parts[-1].strip(), "\t".join(parts[:-1]).strip()
        else:
            continue
        if text.startswith('"') and text.endswith('"'):
            text = text[1:-1]
        texts.append(unescape_literal(text))
        labels.append(label)
    return texts, labels


def training_files(folder: Path) -> list[Path]:
    """Every SemEval file except the validation file, in a stable order."""
    return sorted(p for p in folder.glob("*.tsv") if p.name != VALIDATION_FILE)
