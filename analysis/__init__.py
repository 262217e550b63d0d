"""Design-based survey statistics (pure numpy/scipy): weighting, estimators, tests, scales.

Modelled on R ``survey``: one :class:`Design` object, small estimator functions, one linearisation
variance kernel (:meth:`Design.variance`) that every estimator uses.
"""

from .design import Design
from .dif import ets_class, mantel_haenszel, mh_dif
from .disclosure import DisclosureRules, Protection, disclose, protect_counts, protect_shared, shown
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
from .inference import (
    cohens_h,
    domain_difference,
    p_adjust,
    rao_scott,
    t_test,
    trend_test,
    wave_difference,
)
from .regression import regression, wald_test
from .results import (
    DIF,
    Alpha,
    Contrast,
    Estimate,
    MantelHaenszel,
    Omega,
    RaoScott,
    Regression,
    ShareTable,
    WaldTest,
    WeightSummary,
)
from .scales import cronbach_alpha, domain_index, feldt_interval, omega_total, rescale
from .tables import shares_table
from .weighting import calibrate, calibrate_linear, poststratify, rake, trim_weights, weight_summary

__all__ = [
    "DIF",
    "Alpha",
    "AnalysisError",
    "CalibrationError",
    "Contrast",
    "ConvergenceError",
    "Design",
    "DesignError",
    "DisclosureRules",
    "EmptyCellError",
    "Estimate",
    "InconsistentMarginsError",
    "MantelHaenszel",
    "MissingCategoryError",
    "Omega",
    "Protection",
    "RaoScott",
    "Regression",
    "ShareTable",
    "UnknownCategoryError",
    "WaldTest",
    "WeightSummary",
    "by",
    "calibrate",
    "calibrate_linear",
    "cohens_h",
    "cronbach_alpha",
    "design_effect",
    "disclose",
    "domain_difference",
    "domain_index",
    "ets_class",
    "feldt_interval",
    "mantel_haenszel",
    "mean",
    "mh_dif",
    "omega_total",
    "p_adjust",
    "poststratify",
    "proportion_ci",
    "proportions",
    "protect_counts",
    "protect_shared",
    "rake",
    "rao_scott",
    "ratio",
    "regression",
    "rescale",
    "shares_table",
    "shown",
    "t_test",
    "total",
    "trend_test",
    "trim_weights",
    "wald_test",
    "wave_difference",
    "weight_summary",
]
