"""localfluence for tests: a server in a background thread, an admin client, and a pytest plugin.

    from localfluence.testing import start_server
    with start_server(seed=Path("seed.yaml")) as server:
        ...

Exports load lazily: pytest imports the plugin module in every run, fixtures used or not."""

from __future__ import annotations

from typing import Any

__all__ = ["AdminClient", "AdminError", "LocalfluenceServer", "start_server"]


def __getattr__(name: str) -> Any:
    if name in ("LocalfluenceServer", "start_server"):
        from localfluence.testing import server

        return getattr(server, name)
    if name in ("AdminClient", "AdminError"):
        from localfluence.testing import client

        return getattr(client, name)
    raise AttributeError(name)
