"""Users and groups."""
