"""The Confluence Cloud REST API v2 (/wiki/api/v2) over the same domain, storage and visibility."""

PREFIX = "/wiki/api/v2"
