"""Population margins of survey waves (the weighting targets)."""
