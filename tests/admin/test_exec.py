"""`localfluence exec -- COMMAND`: a fresh server for one command, its exit code passed through."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from localfluence.cli.main import exec_environment

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import base64, json, os, sys, urllib.request
url = os.environ["CONFLUENCE_URL"] + "/rest/api/space/DEMO"
auth = base64.b64encode(f'{os.environ["CONFLUENCE_USERNAME"]}:{os.environ["CONFLUENCE_API_TOKEN"]}'.encode()).decode()
request = urllib.request.Request(url, headers={"Authorization": "Basic " + auth})
space = json.load(urllib.request.urlopen(request))
print(json.dumps({"name": space["name"], "env": {k: v for k, v in os.environ.items() if k.startswith("CONFLUENCE_")}}))
sys.exit(7)
"""


def test_exec_runs_the_command_against_a_seeded_server_and_passes_its_exit_code(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "localfluence",
            "exec",
            "-q",
            "--seed",
            str(ROOT / "examples" / "demo-seed.yaml"),
            "--",
            sys.executable,
            "-c",
            CHILD,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 7, result.stderr
    output = json.loads(result.stdout)
    assert output["name"] == "Demo sandbox"
    seen = output["env"]
    assert seen["CONFLUENCE_URL"].startswith("http://127.0.0.1:") and seen["CONFLUENCE_URL"].endswith("/wiki")
    assert seen["CONFLUENCE_HOST"] == seen["CONFLUENCE_URL"] + "/rest/api"
    assert seen["CONFLUENCE_PASSWORD"] == seen["CONFLUENCE_API_TOKEN"] == seen["CONFLUENCE_TOKEN"]
    assert list(tmp_path.iterdir()) == []  # nothing written to the working directory


def test_exec_reports_a_missing_command(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "localfluence", "exec", "-q", "--", "no-such-command-anywhere"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 127
    assert "command not found" in result.stderr


def test_environment_names() -> None:
    env = exec_environment("http://127.0.0.1:5000", "a@example.com", "tok")
    assert env["CONFLUENCE_URL"] == "http://127.0.0.1:5000/wiki"
    assert env["CONFLUENCE_USERNAME"] == "a@example.com" and env["CONFLUENCE_API_TOKEN"] == "tok"
