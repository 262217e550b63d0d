"""Plan periods, their waves, baseline and targets."""
