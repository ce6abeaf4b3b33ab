"""The `localfluence` command."""
