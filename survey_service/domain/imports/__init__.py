"""Importing responses collected with other tools (CSV/XLSX)."""
