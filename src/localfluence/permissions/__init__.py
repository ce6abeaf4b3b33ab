"""Space permissions, global permissions and the content permission check."""
