"""State shared by replicas through Redis: exact counters, a replicated change log, the journal."""
