"""Typed exceptions of the analysis package; every message names the variable or category at fault."""

from __future__ import annotations


class AnalysisError(ValueError):
    """Base class for all errors raised by the analysis package."""


class DesignError(AnalysisError):
    """The survey design is malformed (lengths, weights, strata, clusters, fpc)."""


class CalibrationError(AnalysisError):
    """Weighting (raking, post-stratification, GREG) cannot be carried out as asked."""


class UnknownCategoryError(CalibrationError):
    """The sample holds a category of a calibration variable that has no population total."""

    def __init__(self, variable: str, category: object) -> None:
        self.variable = variable
        self.category = category
        super().__init__(
            f"calibration variable {variable!r}: category {category!r} occurs in the sample but has no population total"
        )


class EmptyCellError(CalibrationError):
    """A calibration category or post-stratum has a positive population total but no sample weight."""

    def __init__(self, variable: str, category: object, population: float, reason: str | None = None) -> None:
        self.variable = variable
        self.category = category
        self.population = population
        super().__init__(
            f"calibration variable {variable!r}: category {category!r} has population total "
            f"{population:g} but {reason or 'zero total sample weight'}"
        )


class MissingCategoryError(EmptyCellError):
    """A margin category has a positive population total and no respondent in the sample."""

    def __init__(self, variable: str, category: object, population: float) -> None:
        super().__init__(variable, category, population, reason="no respondent in the sample")


class InconsistentMarginsError(CalibrationError):
    """Population margins of two calibration variables add up to different totals."""

    def __init__(self, first: str, first_total: float, second: str, second_total: float) -> None:
        self.totals = {first: first_total, second: second_total}
        super().__init__(
            f"population margins disagree: {first!r} sums to {first_total:g} but {second!r} sums to {second_total:g}"
        )


class ConvergenceError(CalibrationError):
    """Iterative calibration did not reach the requested tolerance."""

    def __init__(self, variable: str, category: object, misfit: float, iterations: int) -> None:
        self.variable = variable
        self.category = category
        self.misfit = misfit
        self.iterations = iterations
        super().__init__(
            f"calibration did not converge in {iterations} iterations: worst relative misfit "
            f"{misfit:.3g} at {variable!r} = {category!r}"
        )
