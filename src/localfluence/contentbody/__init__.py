"""Body representations of content, body conversion routes and macro bodies."""
