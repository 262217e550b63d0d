"""Every table, one module each."""

from survey_service.db.base import Base
from survey_service.db.models.api_token import ApiToken
from survey_service.db.models.audit_event import AuditEvent
from survey_service.db.models.feedback_case import FeedbackCase
from survey_service.db.models.feedback_contact import FeedbackContact
from survey_service.db.models.feedback_event import FeedbackEvent
from survey_service.db.models.feedback_note import FeedbackNote
from survey_service.db.models.idempotency_key import IdempotencyKey
from survey_service.db.models.invitation import Invitation
from survey_service.db.models.job import Job
from survey_service.db.models.plan import Plan
from survey_service.db.models.plan_target import PlanTarget
from survey_service.db.models.population_margin import PopulationMargin
from survey_service.db.models.questionnaire import Questionnaire, QuestionnaireVersion
from survey_service.db.models.response import Response
from survey_service.db.models.staff_session import StaffSession
from survey_service.db.models.staff_user import ROLES, StaffUser
from survey_service.db.models.survey import Survey

__all__ = [
    "ROLES",
    "ApiToken",
    "AuditEvent",
    "Base",
    "FeedbackCase",
    "FeedbackContact",
    "FeedbackEvent",
    "FeedbackNote",
    "IdempotencyKey",
    "Invitation",
    "Job",
    "Plan",
    "PlanTarget",
    "PopulationMargin",
    "Questionnaire",
    "QuestionnaireVersion",
    "Response",
    "StaffSession",
    "StaffUser",
    "Survey",
]
