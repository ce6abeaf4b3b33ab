"""Attachments: files on pages and blog posts, stored as content with versions and blobs."""
