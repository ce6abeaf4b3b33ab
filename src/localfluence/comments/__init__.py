"""Comments: footer and inline placement, and the comment listing of a content."""
