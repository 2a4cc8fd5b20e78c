"""Admin API under /__admin/: health, catalog, scenarios, journal (JSON, never vendor-shaped)."""
