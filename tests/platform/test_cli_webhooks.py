"""`localfluence webhook add/list/redeliver/remove`."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from localfluence.cli.main import app
from tests.server import database_for_worker

runner = CliRunner()


def test_add_list_remove(tmp_path: Path) -> None:
    site = ["--data-dir", str(tmp_path)]
    url = database_for_worker(tmp_path)
    if url:
        site += ["--database-url", url]
    added = runner.invoke(
        app,
        [
            "webhook",
            "add",
            "http://127.0.0.1:9/hook",
            "-e",
            "page_created",
            "-e",
            "space_created",
            "--secret",
            "abc",
            *site,
        ],
    )
    assert added.exit_code == 0, added.output
    hook_id, secret = added.stdout.strip().splitlines()[-1].split("\t")
    assert secret == "abc"
    listed = runner.invoke(app, ["webhook", "list", *site])
    assert listed.exit_code == 0 and "page_created,space_created" in listed.stdout
    bad = runner.invoke(app, ["webhook", "add", "http://127.0.0.1:9/", "-e", "nope", *site])
    assert bad.exit_code == 1 and "Unknown event types" in bad.output
    # Nothing has failed yet: nothing to queue again; an unknown delivery is an error.
    none = runner.invoke(app, ["webhook", "redeliver", hook_id, *site])
    assert none.exit_code == 0 and "0 deliveries queued again" in none.output
    missing = runner.invoke(app, ["webhook", "redeliver", hook_id, "--delivery", "424242", *site])
    assert missing.exit_code == 1 and "No delivery 424242" in missing.output
    assert runner.invoke(app, ["webhook", "remove", hook_id, *site]).exit_code == 0
    assert "127.0.0.1:9" not in runner.invoke(app, ["webhook", "list", *site]).stdout
    assert runner.invoke(app, ["webhook", "remove", hook_id, *site]).exit_code == 1
