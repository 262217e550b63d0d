"""Annual results: stored responses as columns, weighting margins, the report, exports and imports."""
