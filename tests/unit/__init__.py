"""Unit tests: fast, no network or database."""
