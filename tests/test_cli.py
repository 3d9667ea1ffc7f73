"""The CLI layer: every command answers --help, the cache commands work, generate skips click."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from pykro.cli.commands import cli

from ._paths import ROOT

COMMANDS = [["render"], ["validate"], ["status"], ["diff"], ["flux"], ["generate"], ["parameters"], ["cache"], ["cache", "stats"],
            ["cache", "clear"]]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_command_has_help(command):
    result = subprocess.run([sys.executable, "-m", "pykro", *command, "--help"], capture_output=True)
    assert result.returncode == 0, result.stderr
    assert b"sage: pykro" in result.stdout + result.stderr


def test_cache_stats_and_clear(tmp_path):
    env = dict(os.environ, PYKRO_CACHE_DIR=str(tmp_path / "cache"), PARAM_ENVIRONMENT="prod",
               ARGOCD_APP_REVISION="c" * 40)  # fmt: skip
    app = ROOT / "examples" / "webapp"
    rendered = subprocess.run([sys.executable, "-m", "pykro", "generate"], cwd=app, env=env, capture_output=True)
    assert rendered.returncode == 0, rendered.stderr
    runner = CliRunner()
    stats = runner.invoke(cli, ["cache", "stats"], env={"PYKRO_CACHE_DIR": str(tmp_path / "cache")})
    assert "entries: 1" in stats.output and "input_records: 1" in stats.output
    cleared = runner.invoke(cli, ["cache", "clear"], env={"PYKRO_CACHE_DIR": str(tmp_path / "cache")})
    assert cleared.output == "removed 2 entries\n"


def test_generate_is_dispatched_before_click_is_imported():
    code = ("import sys; from pykro.cli import main\n"
            "try:\n    main(['generate', '--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'click' not in sys.modules, 'click imported'")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert result.returncode == 0, result.stderr


def test_version():
    result = subprocess.run([sys.executable, "-m", "pykro", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "0.1.0" in result.stdout
