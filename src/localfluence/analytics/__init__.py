"""Page views: recorded on reads, counted by the analytics API and metadata.currentuser."""
