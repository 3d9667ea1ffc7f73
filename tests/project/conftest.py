from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "webapp"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A real git repository holding a copy of the bundled example app under apps/web."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo / "apps" / "web", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pykro", *args], cwd=cwd, capture_output=True, env=env)
