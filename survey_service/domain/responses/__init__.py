"""Responses: accepting complete answers (API and pages) and keeping partial ones for save & resume."""
