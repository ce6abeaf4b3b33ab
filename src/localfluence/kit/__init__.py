"""Domain-free helpers: expansion trees, paging, links, time, JSON responses."""
