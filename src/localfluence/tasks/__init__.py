"""Long-running tasks: records and their status API."""
