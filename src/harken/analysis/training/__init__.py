"""How the shipped weights are made: training, distillation and the evaluation sets.

Not imported at run time. Training needs scikit-learn, which only the ``train`` extra
installs (``pip install 'harken[train]'``); the weights it writes go to
``harken/analysis/weights/``. Rebuild them with ``python -m harken.analysis.training.train``.
"""
