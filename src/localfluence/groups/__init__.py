"""User groups and their members."""
