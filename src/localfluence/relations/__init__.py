"""Relations: named one-way links between users, content and spaces (favourite and custom)."""
