"""pykro type-checks under ``mypy --strict``, with the configuration in pyproject.toml.

mypy runs in a subprocess from the project root, as a developer runs it
(``python -m mypy``: ``[tool.mypy]`` names the files and the strictness), so a
change that breaks a type fails the suite with mypy's own report. A second run
on small ill-typed modules proves the configuration really is strict: without
it, the first test would pass on a lenient setting just as well.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ._paths import ROOT


def _mypy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_pykro_passes_mypy_strict() -> None:
    result = _mypy()
    assert result.returncode == 0, f"mypy found type errors:\n{result.stdout}{result.stderr}"
    assert "Success: no issues found" in result.stdout, result.stdout + result.stderr


# What strict mode refuses and the default mode lets through: each row is a module
# and the error code pyproject's configuration must report for it.
_STRICT_ONLY = [
    ("untyped_def", "def f(x):\n    return x\n", "no-untyped-def"),
    ("any_return", "from typing import Any\n\ndef f(x: Any) -> int:\n    return x\n", "no-any-return"),
    ("bare_generic", "def f(x: dict) -> None:\n    pass\n", "type-arg"),
]


@pytest.fixture(scope="module")
def strict_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("strict")
    files = []
    for name, source, _code in _STRICT_ONLY:
        path = folder / f"sample_{name}.py"
        path.write_text(source)
        files.append(str(path))
    result = _mypy("--config-file", str(ROOT / "pyproject.toml"), *files)
    assert result.returncode == 1, f"mypy accepted ill-typed modules:\n{result.stdout}{result.stderr}"
    return result.stdout


@pytest.mark.parametrize(
    ("name", "code"),
    [(name, code) for name, _source, code in _STRICT_ONLY],
    ids=[name for name, _source, _code in _STRICT_ONLY],
)
def test_configuration_is_strict(strict_report: str, name: str, code: str) -> None:
    lines = [line for line in strict_report.splitlines() if Path(line.split(":", 1)[0]).name == f"sample_{name}.py"]
    assert any(line.endswith(f"[{code}]") for line in lines), strict_report
