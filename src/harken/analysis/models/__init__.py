"""The analysis app's tables. The shipped model files (``sentiment.npz``/``.json``,
``intent.npz``/``.json``) live in this folder too: ``pyproject.toml`` ships
``analysis/models/*`` as package data."""

from harken.analysis.models.adjustment import WorkspaceAdjustment
from harken.analysis.models.correction import Correction
from harken.analysis.models.retrain import RetrainJob

__all__ = ["Correction", "RetrainJob", "WorkspaceAdjustment"]
