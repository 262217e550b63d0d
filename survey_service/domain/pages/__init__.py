"""Resident pages: answering a survey in the browser, one page per section, without JavaScript."""
