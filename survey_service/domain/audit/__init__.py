"""The audit log of staff actions on data."""
