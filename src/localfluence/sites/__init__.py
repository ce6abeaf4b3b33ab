"""Several independent sites in one server, for parallel test workers (see docs/testing.md)."""
