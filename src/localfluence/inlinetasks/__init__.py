"""Inline tasks: extracted from bodies on save, searched and completed through the API."""
