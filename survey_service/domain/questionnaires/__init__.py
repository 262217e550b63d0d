"""Questionnaires: storing and versioning definitions."""
