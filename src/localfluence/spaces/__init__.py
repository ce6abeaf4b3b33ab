"""Spaces: create, read, update, delete; space content listings."""
