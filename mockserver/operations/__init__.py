"""Every operation a vendor publishes, served from its operation tables by a generic engine."""
