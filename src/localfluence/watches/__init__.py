"""Watches: users watching content, spaces and labels."""
