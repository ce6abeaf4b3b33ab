"""Content, space and user properties: versioned key/value JSON."""
