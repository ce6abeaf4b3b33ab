"""Confluence storage format (XHTML with ac:/ri: elements): parsing and pure conversions."""
