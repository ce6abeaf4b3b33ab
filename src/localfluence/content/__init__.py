"""Content: pages, blog posts (and the content core comments and attachments share)."""
