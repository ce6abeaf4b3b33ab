"""app.create_app_from_env: the serving process's startup heap is frozen out of the collector's sight."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from localfluence.app import create_app_from_env


def test_startup_heap_is_frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCALFLUENCE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LOCALFLUENCE_DATABASE_URL", f"sqlite:///{tmp_path / 'wiki.db'}")
    monkeypatch.setenv("LOCALFLUENCE_WORKER", "false")
    assert gc.get_freeze_count() == 0
    try:
        create_app_from_env()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
