"""Design-based survey statistics (pure numpy/scipy): weighting, estimators, tests, scales.

Modelled on R ``survey``: one :class:`Design` object, small estimator functions, one linearisation
variance kernel (:meth:`Design.variance`) that every estimator uses.
"""

from .design import Design
from .errors import (
    AnalysisError,
    DesignError,
)
from .estimators import by, design_effect, mean, proportion_ci, proportions, ratio, total
from .results import Contrast, Estimate, ShareTable
from .tables import shares_table

__all__ = [
    "AnalysisError",
    "Contrast",
    "Design",
    "DesignError",
    "Estimate",
    "ShareTable",
    "by",
    "design_effect",
    "mean",
    "proportion_ci",
    "proportions",
    "ratio",
    "shares_table",
    "total",
]
