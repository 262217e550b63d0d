"""Resident feedback: a standing channel for experiences, suggestions and praise, with staff triage."""
