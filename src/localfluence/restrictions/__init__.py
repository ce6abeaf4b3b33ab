"""Content restrictions: who may read or update a page or blog post."""
