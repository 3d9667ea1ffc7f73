"""pykro diff: what a change does to the rendered YAML, on real git repositories."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pykro.diff import breaking_changes, diff_project, mask_secrets

from ._paths import ROOT

EXAMPLE = ROOT / "examples" / "webapp"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                          check=True, capture_output=True, text=True).stdout  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo / "apps" / "web", ignore=shutil.ignore_patterns("__pycache__"))
    _git(tmp_path, "init", "-q", str(repo))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    return repo


def _pykro_diff(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pykro", "diff", "apps/web", *args], cwd=repo, capture_output=True)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_no_change_exits_0_with_nothing_printed(repo):
    result = _pykro_diff(repo, "--base", "HEAD")
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")


def test_a_values_change_is_one_object_diff(repo):
    _edit(repo / "apps" / "web" / "pykro.yaml", "replicas: 3,", "replicas: 4,")
    result = _pykro_diff(repo, "--base", "HEAD")
    assert result.returncode == 1, result.stderr
    out = result.stdout.decode()
    assert out.startswith("# prod (direct): 0 added, 1 changed, 0 removed\n")
    assert "--- a/prod/Deployment/web-prod/web\n+++ b/prod/Deployment/web-prod/web\n" in out
    assert "-  replicas: 3\n+  replicas: 4\n" in out
    assert "dev" not in out, "an environment without changes prints nothing"


def test_committed_head_and_markdown(repo):
    _edit(repo / "apps" / "web" / "graphs" / "webapp.py", 'f"{schema.spec.name}-svc"', 'f"{schema.spec.name}-http"')
    _git(repo, "commit", "-qam", "rename the service")
    result = _pykro_diff(repo, "--base", "HEAD~1", "--head", "HEAD", "--format", "markdown")
    assert result.returncode == 1, result.stderr
    md = result.stdout.decode()
    assert "| prod | direct | 1 | 0 | 1 |" in md  # web-svc removed, web-http added
    assert "| dev | kro | 0 | 1 | 0 |" in md  # the RGD's template changed
    assert "```diff\n" in md and "+        name: ${schema.spec.name}-http" in md


def test_objects_pair_by_identity_not_position(repo):
    module = repo / "apps" / "web" / "graphs" / "webapp.py"
    text = module.read_text()
    app_start, svc_start = text.index('        "app": simple.Deployment('), text.index('        "svc": simple.Service(')
    svc_end = text.index("    },\n    lambda schema, resources")
    module.write_text(text[:app_start] + text[svc_start:svc_end] + text[app_start:svc_start] + text[svc_end:])
    result = _pykro_diff(repo, "--base", "HEAD", "--env", "prod")
    assert (result.returncode, result.stdout) == (0, b""), "direct-mode objects swapped order: not a change"


def test_new_environment_is_all_added(repo):
    _edit(repo / "apps" / "web" / "pykro.yaml", "  prod:\n", "  stage:\n    namespace: web-stage\n    mode: direct\n"
          "    values:\n      webapp: {name: web}\n  prod:\n")
    diff = diff_project(repo, "apps/web", base="HEAD")
    stage = next(e for e in diff.environments if e.environment == "stage")
    assert stage.counts == {"added": 2, "changed": 0, "removed": 0}
    assert [c.title for c in stage.changes] == ["Deployment.apps web-stage/web", "Service web-stage/web-svc"]


def test_secret_values_are_never_shown(repo):
    module = repo / "apps" / "web" / "graphs" / "webapp.py"
    _edit(module, '        "svc": simple.Service(',
          '        "secret": simple.Secret(name="db", string_data={"password": schema.spec.image}),\n'
          '        "svc": simple.Service(')
    _git(repo, "commit", "-qam", "add a secret")
    _edit(repo / "apps" / "web" / "pykro.yaml", 'image: "nginx:1.27.3"', 'image: "hunter2-secret"')
    result = _pykro_diff(repo, "--base", "HEAD", "--env", "prod")
    out = result.stdout.decode()
    assert result.returncode == 1
    secret_part = out[out.index("--- a/prod/Secret/web-prod/db"):]
    assert "hunter2" not in secret_part and "nginx" not in secret_part
    assert "-  password: <masked sha256:" in secret_part and "+  password: <masked sha256:" in secret_part


def test_breaking_rgd_schema_change_is_flagged(repo):
    module = repo / "apps" / "web" / "graphs" / "webapp.py"
    _edit(module, '    image: str = "nginx:1.27"\n', '    image: str = "nginx:1.27"\n    tier: str\n')
    _edit(module, "replicas: Annotated[int, field(minimum=1, maximum=20)] = 2", "replicas: str = '2'")
    _edit(repo / "apps" / "web" / "pykro.yaml", "{name: web, replicas: 1}", "{name: web, replicas: '1', tier: a}")
    _edit(repo / "apps" / "web" / "pykro.yaml", "replicas: 3, image", "replicas: '3', tier: a, image")
    result = _pykro_diff(repo, "--base", "HEAD", "--env", "dev")
    out = result.stdout.decode()
    assert result.returncode == 1, result.stderr
    assert "# BREAKING ResourceGraphDefinition.kro.run webapp: spec.replicas: type changed from integer to string" in out
    assert "# BREAKING ResourceGraphDefinition.kro.run webapp: spec.tier: now required" in out


@pytest.mark.parametrize(
    "old,new,annotations,expected",
    [
        ({"a": "string", "b": "integer"}, {"a": "string"}, {}, ["spec.b: field removed"]),
        ({"a": {"x": "string"}}, {"a": {"x": "boolean"}}, {}, ["spec.a.x: type changed from string to boolean"]),
        ({"a": "string"}, {"a": "string | required=true"}, {}, ["spec.a: now required"]),
        ({"a": "string"}, {"a": "string", "b": "integer | default=1"}, {}, []),
        ({"a": "string", "b": "integer"}, {"a": "string"}, {"kro.run/allow-breaking-changes": "true"}, []),
    ],
    ids=["removed", "type", "required", "additive", "allowed"],
)
def test_breaking_changes_table(old, new, annotations, expected):
    def rgd(spec, ann=None):
        return {"metadata": {"name": "x", "annotations": ann or {}},
                "spec": {"schema": {"apiVersion": "v1", "kind": "X", "spec": spec}}}  # fmt: skip

    assert list(breaking_changes(rgd(old), rgd(new, annotations))) == expected


def test_mask_secrets_leaves_other_kinds_alone():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"}}
    assert mask_secrets(cm) == cm
    masked = mask_secrets({"apiVersion": "v1", "kind": "Secret", "data": {"a": "MQ=="}})
    assert masked["data"]["a"].startswith("<masked sha256:") and "MQ" not in masked["data"]["a"]


@pytest.mark.parametrize(
    "args,expected",
    [(["--base", "no-such-ref"], "unknown revision 'no-such-ref'"), (["--base", "HEAD", "--head", "nope"], "'nope'")],
    ids=["bad-base", "bad-head"],
)
def test_bad_revision_exits_2(repo, args, expected):
    result = _pykro_diff(repo, *args)
    assert (result.returncode, result.stdout) == (2, b"")
    assert expected in result.stderr.decode()


def test_head_that_fails_to_render_exits_2(repo):
    _edit(repo / "apps" / "web" / "pykro.yaml", "replicas: 3,", "replicas: 300,")
    result = _pykro_diff(repo, "--base", "HEAD")
    assert result.returncode == 2
    assert "[prod] head:" in result.stderr.decode() and "spec.replicas" in result.stderr.decode()
