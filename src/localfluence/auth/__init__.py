"""Authentication: API tokens, passwords, and the request's principal."""
