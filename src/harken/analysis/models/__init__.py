"""The analysis app's tables. The shipped weights live apart, in ``analysis/weights/``."""

from harken.analysis.models.adjustment import WorkspaceAdjustment
from harken.analysis.models.correction import Correction
from harken.analysis.models.retrain import RetrainJob

__all__ = ["Correction", "RetrainJob", "WorkspaceAdjustment"]
