"""Dynamic modules of Connect apps (tag "Dynamic modules")."""
