"""The routes of the annual results (plans, margins, imports, exports, reports), registered in app.py."""

from __future__ import annotations

from survey_service.domain.exports.controllers import ExportController, PooledExportController
from survey_service.domain.imports.controllers import ImportController
from survey_service.domain.plans.controllers import PlanController
from survey_service.domain.reports.controllers import ReportController
from survey_service.domain.reports.pages import ResultsPages
from survey_service.domain.weighting.controllers import MarginsController

RESULTS_ROUTES = [
    PlanController,
    MarginsController,
    ImportController,
    ExportController,
    PooledExportController,
    ReportController,
    ResultsPages,
]
