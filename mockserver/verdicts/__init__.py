"""Error-handling verdicts: how a client followed up each error the mock served, and coverage."""
