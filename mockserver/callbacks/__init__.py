"""Outbound delivery callbacks: the sender with its retry policy and the egress policy it obeys."""
