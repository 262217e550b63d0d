"""Tests of the analysis package against R reference values (tests/data/r)."""
