"""Content states: the space's suggested states, users' custom states, and states on content."""
