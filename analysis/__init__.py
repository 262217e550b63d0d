"""Design-based survey statistics (pure numpy/scipy): weighting, estimators, tests, scales.

Modelled on R ``survey``: one :class:`Design` object, small estimator functions, one linearisation
variance kernel (:meth:`Design.variance`) that every estimator uses.
"""

from .design import Design
from .errors import (
    AnalysisError,
    CalibrationError,
    ConvergenceError,
    DesignError,
    EmptyCellError,
    InconsistentMarginsError,
    MissingCategoryError,
    UnknownCategoryError,
)
from .estimators import by, design_effect, mean, proportion_ci, proportions, ratio, total
from .results import Contrast, Estimate, ShareTable, WeightSummary
from .tables import shares_table
from .weighting import calibrate, calibrate_linear, poststratify, rake, trim_weights, weight_summary

__all__ = [
    "AnalysisError",
    "CalibrationError",
    "Contrast",
    "ConvergenceError",
    "Design",
    "DesignError",
    "EmptyCellError",
    "Estimate",
    "InconsistentMarginsError",
    "MissingCategoryError",
    "ShareTable",
    "UnknownCategoryError",
    "WeightSummary",
    "by",
    "calibrate",
    "calibrate_linear",
    "design_effect",
    "mean",
    "poststratify",
    "proportion_ci",
    "proportions",
    "rake",
    "ratio",
    "shares_table",
    "total",
    "trim_weights",
    "weight_summary",
]
