"""Mutable server state: scenarios, rule counters and windows, the journal, resources and tokens."""
