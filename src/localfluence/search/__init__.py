"""CQL search: the index kept in step with content, and the /search endpoints."""
