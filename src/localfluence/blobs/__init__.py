"""Attachment bytes behind one interface: the local filesystem by default, S3-compatible storage by configuration."""
