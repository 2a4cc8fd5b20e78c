"""The web console under /__admin/ui/: server-rendered views of the admin API, a small script."""
