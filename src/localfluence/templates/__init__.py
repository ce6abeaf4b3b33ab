"""Page templates, blueprint templates and blueprint drafts (tag "Template")."""
