"""localfluence: a wiki server whose HTTP API is the Confluence Cloud REST API."""

__version__ = "0.1.0"
