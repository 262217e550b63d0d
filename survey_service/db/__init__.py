"""Storage: SQLAlchemy models, engines and sessions."""
