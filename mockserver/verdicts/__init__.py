"""Error-handling verdicts: what a client did after each vendor error, and the report."""
