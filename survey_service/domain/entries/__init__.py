"""Paper and interview entry: staff type in one respondent's answers, checked like web answers."""
