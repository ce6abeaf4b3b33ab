"""`python -m localfluence` runs the CLI."""

from localfluence.cli.main import app

app()
