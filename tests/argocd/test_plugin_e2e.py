"""The real plugin under Argo CD's conditions: examples/webapp in a real git repository, rendered
through the cmp-server emulation with the installed ``pykro generate`` / ``pykro parameters``
console scripts, for every environment of its pykro.yaml, exactly as the example ApplicationSet
asks for them; then every example app (examples/*/pykro.yaml), each environment checked against
an in-process render.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.argocd.cmpserver import CmpServer, GenerateResult

ROOT = Path(__file__).resolve().parents[2]
APP_PATH = "examples/webapp"  # the path the example Application/ApplicationSet use
PROJECT = yaml.safe_load((ROOT / APP_PATH / "pykro.yaml").read_text())
ENVIRONMENTS = sorted(PROJECT["environments"])
APPSET = yaml.safe_load((ROOT / "examples/argocd/applicationset.yaml").read_text())


def _pykro() -> str:
    """The console script of the environment under test (next to its python), else on PATH."""
    beside = Path(sys.executable).parent / "pykro"
    found = str(beside) if beside.is_file() else shutil.which("pykro")
    if found is None:
        pytest.fail("the pykro console script is not installed: pip install -e .")
    return found


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository holding a copy of examples/webapp at the same path, committed."""
    root = tmp_path_factory.mktemp("gitops")
    shutil.copytree(ROOT / APP_PATH, root / APP_PATH,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".pykro*"))
    (root / "README.md").write_text("gitops repo\n")

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("-c", "user.name=ci", "-c", "user.email=ci@example.com", "commit", "-q", "-m", "webapp")
    return root


@pytest.fixture(scope="module")
def cmp(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> CmpServer:
    """The sidecar as the image builds it: pykro on PATH, HOME=/tmp, the cache under /tmp."""
    tmp = tmp_path_factory.mktemp("sidecar-tmp")
    sidecar_env = {
        "PATH": f"{Path(_pykro()).parent}:/usr/bin:/bin",
        "HOME": str(tmp),
        "PYKRO_CACHE_DIR": str(tmp / "pykro-cache"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    return CmpServer(repo, ROOT / "config-management-plugin.yaml", sidecar_env=sidecar_env)


def _request(environment: str) -> dict[str, Any]:
    """What the ApplicationSet's Application for ``environment`` sends."""
    template = APPSET["spec"]["template"]
    namespace = template["spec"]["destination"]["namespace"].replace("{{.environment}}", environment)
    return {
        "app_name": template["metadata"]["name"].replace("{{.environment}}", environment),
        "namespace": namespace,
        "project": template["spec"]["project"],
        "repo_url": template["spec"]["source"]["repoURL"],
        "target_revision": template["spec"]["source"]["targetRevision"],
        "plugin_name": template["spec"]["source"]["plugin"]["name"],
        "parameters": [{"name": "environment", "string": environment}],
    }


def _generate(cmp: CmpServer, environment: str) -> GenerateResult:
    result = cmp.generate(APP_PATH, timeout=60.0, **_request(environment))
    assert result.ok, f"{result.error}\n--- stderr ---\n{result.stderr}"
    return result


def test_applicationset_covers_every_environment_of_the_example() -> None:
    (generator,) = APPSET["spec"]["generators"]
    assert sorted(e["environment"] for e in generator["list"]["elements"]) == ENVIRONMENTS
    for env in ENVIRONMENTS:  # Argo CD's destination namespace is the one pykro renders into
        assert _request(env)["namespace"] == PROJECT["environments"][env]["namespace"]


def test_plugin_is_discovered_for_the_example(cmp: CmpServer) -> None:
    assert cmp.discover(APP_PATH) is True
    assert cmp.discover("") is False  # the repository root has no pykro.yaml


@pytest.mark.parametrize("environment", ENVIRONMENTS, ids=ENVIRONMENTS)
def test_generate_renders_the_environment(cmp: CmpServer, environment: str) -> None:
    settings = PROJECT["environments"][environment]
    values = settings["values"]["webapp"]
    namespace = settings["namespace"]
    mode = settings.get("mode", PROJECT.get("mode", "kro"))
    objects = _generate(cmp, environment).objects
    assert objects, "a successful render with no objects would prune the whole app"
    for obj in objects:
        assert obj.get("apiVersion") and obj["metadata"].get("name"), obj
        labels = obj["metadata"].get("labels") or {}
        annotations = obj["metadata"].get("annotations") or {}
        assert "argocd.argoproj.io/tracking-id" not in annotations  # Argo CD adds tracking itself
        assert "app.kubernetes.io/instance" not in labels
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        by_kind.setdefault(obj["kind"], []).append(obj)

    if mode == "direct":
        assert not [o for o in objects if o["apiVersion"].startswith("kro.run/")]
        (deployment,) = by_kind["Deployment"]
        (service,) = by_kind["Service"]
        assert (deployment["apiVersion"], deployment["metadata"]["name"]) == ("apps/v1", values["name"])
        assert service["metadata"]["name"] == f"{values['name']}-svc"
        assert deployment["metadata"]["namespace"] == service["metadata"]["namespace"] == namespace
        assert deployment["spec"]["replicas"] == values.get("replicas", 2)
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["image"] == values.get("image", "nginx:1.27")
        assert sorted(by_kind) == ["Deployment", "Service"]
    else:
        (rgd,) = by_kind["ResourceGraphDefinition"]
        assert rgd["apiVersion"] == "kro.run/v1alpha1" and rgd["metadata"]["name"] == "webapp"
        assert "namespace" not in rgd["metadata"]  # cluster-scoped
        assert rgd["spec"]["schema"]["kind"] == "WebApp"
        (instance,) = by_kind["WebApp"]
        assert instance["apiVersion"] == "example.com/v1alpha1"
        assert instance["metadata"]["namespace"] == namespace
        assert instance["spec"]["name"] == values["name"]
        assert instance["spec"].get("replicas", 2) == values.get("replicas", 2)
        assert sorted(by_kind) == ["ResourceGraphDefinition", "WebApp"]


@pytest.mark.parametrize("environment", ENVIRONMENTS, ids=ENVIRONMENTS)
def test_generate_is_byte_identical_when_repeated(cmp: CmpServer, environment: str) -> None:
    """Argo CD caches by commit: a second run (fresh copy, warm pykro cache) must print the same bytes."""
    first = _generate(cmp, environment)
    second = _generate(cmp, environment)
    assert first.stdout == second.stdout


def test_unknown_environment_fails_without_output(cmp: CmpServer) -> None:
    request = {**_request("dev"), "parameters": [{"name": "environment", "string": "staging"}]}
    result = cmp.generate(APP_PATH, **request)
    assert not result.ok and result.exit_code not in (0, None)
    assert result.stdout == "" and result.objects == ()
    assert "staging" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_parameters_announce_the_environments(cmp: CmpServer) -> None:
    announced = cmp.parameters(APP_PATH, app_name="webapp-dev", plugin_name="pykro-v1.0")
    by_name = {a["name"]: a for a in announced}
    assert list(by_name) == ["environment", "mode"]
    for env in ENVIRONMENTS:
        assert env in by_name["environment"]["tooltip"]
    assert all(a.get("collectionType", "string") == "string" for a in announced)


def test_concurrent_generates_of_one_app_agree(repo: Path, tmp_path: Path) -> None:
    """Argo CD runs generate many times at once for the same app: 16 real renders through the
    emulated cmp-server on one cold cache print the same bytes and leave a consistent cache."""
    from concurrent.futures import ThreadPoolExecutor

    sidecar_env = {"PATH": f"{Path(_pykro()).parent}:/usr/bin:/bin", "HOME": str(tmp_path),
                   "PYKRO_CACHE_DIR": str(tmp_path / "pykro-cache"), "PYTHONDONTWRITEBYTECODE": "1"}
    server = CmpServer(repo, ROOT / "config-management-plugin.yaml", sidecar_env=sidecar_env)
    try:
        environment = ENVIRONMENTS[0]
        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(lambda _: _generate(server, environment), range(16)))
        assert len({r.stdout for r in results}) == 1
        assert results[0].objects
        cache_dir = tmp_path / "pykro-cache"
        files = [p for p in cache_dir.rglob("*") if p.is_file()]
        assert [p for p in files if p.name.startswith(".tmp.")] == [], "no temp file left behind"
        from pykro.cache import RenderCache

        stats = RenderCache(cache_dir).stats()
        assert stats.bytes == sum(p.stat().st_size for p in files), "the cache's own account is consistent"
        assert stats.input_records >= 1
        assert _generate(server, environment).stdout == results[0].stdout, "what they left is served"
    finally:
        server.close()


# -- every example application, through the same emulated sidecar ----------------------------

EXAMPLE_APPS = sorted(p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "examples").glob("*/pykro.yaml"))
EXAMPLE_REQUESTS = [(app, env) for app in EXAMPLE_APPS
                    for env in sorted(yaml.safe_load((ROOT / app / "pykro.yaml").read_text())["environments"])]


@pytest.fixture(scope="module")
def examples_cmp(tmp_path_factory: pytest.TempPathFactory) -> CmpServer:
    """A GitOps repository holding all of examples/ (apps may use graphs from a sibling directory)."""
    root = tmp_path_factory.mktemp("gitops-examples")
    shutil.copytree(ROOT / "examples", root / "examples", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for args in (("init", "-q", "-b", "main"), ("add", "-A"),
                 ("-c", "user.name=ci", "-c", "user.email=ci@example.com", "commit", "-q", "-m", "examples")):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)
    tmp = tmp_path_factory.mktemp("sidecar-tmp-examples")
    sidecar_env = {"PATH": f"{Path(_pykro()).parent}:/usr/bin:/bin", "HOME": str(tmp),
                   "PYKRO_CACHE_DIR": str(tmp / "pykro-cache"), "PYTHONDONTWRITEBYTECODE": "1"}
    return CmpServer(root, ROOT / "config-management-plugin.yaml", sidecar_env=sidecar_env)


def test_there_is_more_than_one_example_app() -> None:
    assert "examples/webapp" in EXAMPLE_APPS and len(EXAMPLE_APPS) >= 2


@pytest.mark.parametrize("app,environment", EXAMPLE_REQUESTS, ids=[f"{a}:{e}" for a, e in EXAMPLE_REQUESTS])
def test_every_example_app_renders_through_the_sidecar(examples_cmp: CmpServer, app: str, environment: str) -> None:
    from pykro.project import render

    assert examples_cmp.discover(app) is True
    result = examples_cmp.generate(app, timeout=60.0, app_name=f"{Path(app).name}-{environment}",
                                   namespace="argocd", plugin_name="pykro-v1.0",
                                   parameters=[{"name": "environment", "string": environment}])
    assert result.ok, f"{result.error}\n--- stderr ---\n{result.stderr}"
    expected = [d for d in yaml.safe_load_all(render(ROOT / app, environment).text) if d]
    assert list(result.objects) == expected, "Argo CD receives exactly what pykro renders"
    settings = yaml.safe_load((ROOT / app / "pykro.yaml").read_text())["environments"][environment]
    defined = {(f"{r['spec']['schema'].get('group', 'kro.run')}/{r['spec']['schema']['apiVersion']}",
                r["spec"]["schema"]["kind"]) for r in result.objects if r["kind"] == "ResourceGraphDefinition"}
    for obj in result.objects:
        meta = obj["metadata"]
        assert obj.get("apiVersion") and obj.get("kind") and meta.get("name"), obj
        annotations = meta.get("annotations") or {}
        if obj["kind"] == "ResourceGraphDefinition":
            assert "namespace" not in meta and annotations["argocd.argoproj.io/sync-wave"] == "-1"
        else:
            assert meta.get("namespace") == settings["namespace"], obj
        if (obj["apiVersion"], obj["kind"]) in defined:  # an instance: its CRD appears only once kro has the RGD
            assert annotations["argocd.argoproj.io/sync-options"] == "SkipDryRunOnMissingResource=true"
    if any(o["kind"] == "ResourceGraphDefinition" for o in result.objects):
        assert defined and any((o["apiVersion"], o["kind"]) in defined for o in result.objects)
