"""Database plumbing: declarative base, engines, sessions, migrations."""
