"""Retention: deleting what has been kept long enough."""
