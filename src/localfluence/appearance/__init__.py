"""Look and feel, themes, space settings and system info (tags "Settings", "Themes", "Space settings")."""
