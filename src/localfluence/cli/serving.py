"""How uvicorn serves the app's connections: shared by `localfluence serve` and the test server, so
the suite runs over the same protocol as production."""

from __future__ import annotations

from typing import Any

from localfluence.cli.onewrite import AVAILABLE


def connection_options() -> dict[str, Any]:
    """uvicorn.Config options for the connections."""
    options: dict[str, Any] = {}
    if AVAILABLE:
        from localfluence.cli.onewrite import OneWriteProtocol

        options["http"] = OneWriteProtocol
    return options
