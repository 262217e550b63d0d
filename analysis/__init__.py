"""Design-based survey statistics (pure numpy/scipy): weighting, estimators, tests, scales."""
