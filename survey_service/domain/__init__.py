"""Feature areas; each has controllers.py, services.py, schemas.py and deps.py."""
