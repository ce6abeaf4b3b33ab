"""Labels on content."""
