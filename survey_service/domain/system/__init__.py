"""System endpoints: health."""
