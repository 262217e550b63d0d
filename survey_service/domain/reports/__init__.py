"""The annual report of a wave: JSON, HTML and PDF."""
