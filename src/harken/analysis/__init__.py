"""Language, sentiment, intent, priority and key phrases of every mention.

The public interface is re-exported here::

    from harken.analysis import analyze, Analysis, AnalysisContext, priority, Priority
    from harken.analysis import do_correct
"""

from harken.analysis.api import Analysis, AnalysisContext, Priority, analyze, priority

__all__ = ["Analysis", "AnalysisContext", "Priority", "analyze", "do_correct", "priority"]


def do_correct(workspace, user, text: str, field: str, label: str, mention_ref: str = ""):
    """Store a team member's correction (see ``harken.analysis.adjust.do_correct``).

    Imported on call: this package is imported while Django loads its apps, before its
    models may be.
    """
    from harken.analysis.adjust import do_correct as correct

    return correct(workspace, user, text=text, field=field, label=label, mention_ref=mention_ref)
