"""Tests of the Argo CD cmp-server emulation itself, with tiny fake plugins.

Each fake plugin is ``python -c`` (an absolute interpreter path, so no PATH lookup) that reports
what it observed — its environment, file modes, working directory — as a ConfigMap on stdout,
so the harness's own output parsing carries the observation back.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from tests.argocd.cmpserver import (
    CmpServer,
    CmpServerError,
    PluginConfig,
    go_envsubst,
    go_glob,
    go_match,
    parse_kube_version,
    split_manifests,
    zglob,
)

PY = sys.executable
SHA = "0123456789abcdef0123456789abcdef01234567"

# Prints a ConfigMap whose data.report is the JSON the snippet assigns to `report`.
_REPORT = """
import json, os, sys
{body}
sys.stdout.write(json.dumps({{"apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {{"name": "report"}}, "data": {{"report": json.dumps(report)}}}}))
"""


def reporter(body: str) -> list[str]:
    return [PY, "-c", _REPORT.format(body=textwrap.dedent(body))]


def write_plugin(tmp_path: Path, spec: dict[str, Any], **top: Any) -> Path:
    doc = {"apiVersion": "argoproj.io/v1alpha1", "kind": "ConfigManagementPlugin",
           "metadata": {"name": "fake"}, "spec": {"version": "v1.0", **spec}}
    doc.update(top)
    path = tmp_path / "plugin.yaml"
    path.write_text(json.dumps(doc))  # JSON is YAML
    return path


def make_repo(tmp_path: Path, files: dict[str, str], *, git: bool = False) -> Path:
    root = tmp_path / "repo"
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    root.mkdir(exist_ok=True)
    if git:
        run = lambda *a: subprocess.run(["git", "-C", str(root), *a], check=True,  # noqa: E731
                                        capture_output=True)
        run("init", "-q", "-b", "main")
        run("add", "-A")
        run("-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-m", "init")
    return root


def report_of(result: Any) -> Any:
    result.check()
    (obj,) = result.objects
    return json.loads(obj["data"]["report"])


def server(tmp_path: Path, spec: dict[str, Any], files: dict[str, str] | None = None,
           **kwargs: Any) -> CmpServer:
    repo = make_repo(tmp_path, files or {"app/pykro.yaml": "x: 1\n"}, git=kwargs.pop("git", False))
    return CmpServer(repo, write_plugin(tmp_path, spec), **kwargs)


# --------------------------------------------------------------------------- plugin.yaml


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"kind": "ConfigManagementPlugin", "metadata": {"name": "p"},
          "spec": {"version": "v1.0", "generate": {"command": ["a"], "args": ["b"]},
                   "lockRepo": True, "somethingElse": {"x": 1}}},
         ("p-v1.0", ("a", "b"))),
        ({"kind": "ConfigManagementPlugin", "metadata": {"name": "p"},
          "spec": {"generate": {"command": ["a"]}}},
         ("p", ("a",))),
        ({"kind": "Plugin", "metadata": {"name": "p"}, "spec": {"generate": {"command": ["a"]}}},
         "kind should be ConfigManagementPlugin, found Plugin"),
        ({"kind": "ConfigManagementPlugin", "metadata": {}, "spec": {"generate": {"command": ["a"]}}},
         "metadata.name should be non-empty"),
        ({"kind": "ConfigManagementPlugin", "metadata": {"name": "p"}, "spec": {"generate": {"args": ["a"]}}},
         "spec.generate command should be non-empty"),
        ({"kind": "ConfigManagementPlugin", "metadata": {"name": "p"},
          "spec": {"generate": {"command": "pykro generate"}}},
         "spec.generate.command must be a list of strings"),
    ],
    ids=["unknown-keys-ignored", "no-version", "wrong-kind", "no-name", "no-generate", "command-string"],
)
def test_plugin_config_load(tmp_path: Path, doc: dict[str, Any], expected: Any) -> None:
    path = tmp_path / "plugin.yaml"
    path.write_text(json.dumps(doc))
    if isinstance(expected, str):
        with pytest.raises(CmpServerError, match=expected):
            PluginConfig.load(path)
    else:
        config = PluginConfig.load(path)
        assert (config.plugin_name, config.generate.argv) == expected


# --------------------------------------------------------------------------- Go semantics


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        ("*.yaml", "pykro.yaml", True),
        ("*.yaml", ".hidden.yaml", True),  # Go has no dotfile rule
        ("*.yaml", "a/b.yaml", False),  # '*' stops at '/'
        ("?", "/", False),
        ("[^a]x", "bx", True),
        ("[^a]x", "ax", False),
        ("[a-c]", "b", True),
        ("\\*", "*", True),
        ("\\*", "a", False),
        ("[", "a", "syntax error in pattern"),
        ("[]a]", "a", "syntax error in pattern"),
        ("a\\", "a", "syntax error in pattern"),
    ],
    ids=["star", "dotfile", "star-no-slash", "qmark-no-slash", "negated-match", "negated-miss",
         "range", "escape-match", "escape-miss", "unclosed", "empty-class", "trailing-escape"],
)
def test_go_match(pattern: str, name: str, expected: bool | str) -> None:
    if isinstance(expected, str):
        with pytest.raises(CmpServerError, match=expected):
            go_match(pattern, name)
    else:
        assert go_match(pattern, name) is expected


GLOB_TREE = ["app/pykro.yaml", "app/.env.yaml", "app/sub/pykro.yaml", "app/sub/deep/pykro.yaml"]


@pytest.mark.parametrize(
    ("glob", "pattern", "expected"),
    [
        (go_glob, "app/./pykro.yaml", ["app/pykro.yaml"]),
        (go_glob, "app/*.yaml", ["app/.env.yaml", "app/pykro.yaml"]),
        (go_glob, "app/*/pykro.yaml", ["app/sub/pykro.yaml"]),
        (go_glob, "app/**/pykro.yaml", ["app/sub/pykro.yaml"]),  # '**' is just '*'
        (go_glob, "app/missing.yaml", []),
        (zglob, "app/**/pykro.yaml", ["app/pykro.yaml", "app/sub/deep/pykro.yaml", "app/sub/pykro.yaml"]),
        (zglob, "app/sub/**/*.yaml", ["app/sub/deep/pykro.yaml", "app/sub/pykro.yaml"]),
    ],
    ids=["filename", "star-with-dotfile", "one-level", "double-star-is-star", "missing",
         "zglob-any-depth", "zglob-under-dir"],
)
def test_globs(tmp_path: Path, glob: Any, pattern: str, expected: list[str]) -> None:
    for rel in GLOB_TREE:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    found = sorted(os.path.relpath(p, tmp_path) for p in glob(str(tmp_path / pattern)))
    assert found == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$ARGOCD_APP_NAME-${KUBE_VERSION}", "web-1.30.2"),
        ("$$HOME", "$HOME"),
        ("${UNKNOWN}x$UNKNOWN", "x"),
        ("cost: 5$", "cost: 5$"),
        ("a${}b${", "ab"),
        ("$1x", "x"),
        ("${ARGOCD_APP_NAME}.svc", "web.svc"),
    ],
    ids=["both-forms", "dollar-escape", "unknown-empty", "trailing-dollar", "bad-syntax-eaten",
         "special-var", "braces-stop-name"],
)
def test_go_envsubst(text: str, expected: str) -> None:
    assert go_envsubst(text, {"ARGOCD_APP_NAME": "web", "KUBE_VERSION": "1.30.2"}) == expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [("v1.30.2", "1.30.2"), ("1.29", "1.29"), ("v1.31.0-eks-ab12", "1.31.0"), ("", ""),
     ("v1", "could not parse"), ("latest", "could not parse")],
    ids=["v-prefix", "two-parts", "vendor-suffix", "empty", "one-part", "word"],
)
def test_parse_kube_version(version: str, expected: str) -> None:
    if expected == "could not parse":
        with pytest.raises(CmpServerError, match="could not parse kubernetes version"):
            parse_kube_version(version)
    else:
        assert parse_kube_version(version) == expected


# --------------------------------------------------------------------------- stdout parsing


@pytest.mark.parametrize(
    ("stdout", "expected"),
    [
        ("", []),
        ("---\n---\nnull\n---\n# only a comment\n", []),
        ("kind: A\nmetadata: {name: a}\n---\nkind: B\n", [{"kind": "A", "metadata": {"name": "a"}}, {"kind": "B"}]),
        ("kind: A\n--- # next\nkind: B\n", [{"kind": "A"}, {"kind": "B"}]),
        ('{"kind": "A"}\n{"kind": "B"} null {"kind": "C"}', [{"kind": "A"}, {"kind": "B"}, {"kind": "C"}]),
        ("kind: List\nitems:\n- {kind: A}\n- {kind: B}\n", [{"kind": "A"}, {"kind": "B"}]),
        ("kind: ConfigMapList\nitems: null\n", []),
        ("kind: A\ndata: {when: 2024-01-02, 1: one, true: yes}\n",
         [{"kind": "A", "data": {"when": "2024-01-02", "1": "one", "true": True}}]),
        ("apiVersion: v1\nmetadata: {name: a}\n", "Object 'Kind' is missing"),
        ("kind: A\n---\njust text\n", "cannot unmarshal string into Go value"),
        ('{"kind": "A"}\n[1]', "cannot unmarshal array into Go value"),
        ("kind: [\n", "failed to unmarshal manifest"),
        ('{"kind": "A"', "failed to unmarshal manifest"),
        ("kind: List\nitems: [1]\n", "resource list item has unexpected type"),
        ("kind: 3\n", "Object 'Kind' is missing"),
    ],
    ids=["empty", "only-empty-docs", "yaml-stream", "separator-comment", "json-stream", "list-flattened",
         "null-list-dropped", "yaml-to-json-keys-and-timestamps", "no-kind", "scalar-doc", "json-array",
         "bad-yaml", "bad-json", "bad-list-item", "kind-not-string"],
)
def test_split_manifests(stdout: str, expected: list[dict[str, Any]] | str) -> None:
    if isinstance(expected, str):
        with pytest.raises(CmpServerError, match=expected):
            split_manifests(stdout)
    else:
        assert split_manifests(stdout) == expected


@pytest.mark.parametrize(
    ("script", "ok", "n_objects", "message"),
    [
        ("print('kind: A'); print('---'); print('kind: B')", True, 2, None),
        ("pass", True, 0, None),  # empty output with exit 0: success with zero objects
        ("print('kind: A'); import sys; sys.stderr.write('boom\\n'); sys.exit(3)", False, 0,
         "failed exit status 3: boom"),
        ("print('metadata: {name: a}')", False, 0, "Object 'Kind' is missing"),
    ],
    ids=["objects", "empty-success", "nonzero-discards-stdout", "no-kind"],
)
def test_generate_outcomes(tmp_path: Path, script: str, ok: bool, n_objects: int, message: str | None) -> None:
    srv = server(tmp_path, {"generate": {"command": [PY, "-c", script]}, "discover": {"fileName": "./pykro.yaml"}})
    result = srv.generate("app", revision=SHA)
    assert result.ok is ok
    assert len(result.objects) == n_objects
    if message is None:
        assert result.error is None
    else:
        assert message in (result.error or "")
        with pytest.raises(CmpServerError, match="Object 'Kind'|exit status 3"):
            result.check()


# --------------------------------------------------------------------------- repository copy


def test_modes_reset_and_repo_root_copied(tmp_path: Path) -> None:
    files = {"app/pykro.yaml": "x: 1\n", "app/run.sh": "#!/bin/sh\necho hi\n", "app/secret.txt": "s",
             "lib/shared.py": "X = 1\n", "private/f": "f"}
    srv = server(tmp_path, {"generate": {"command": reporter("""
        def mode(p): return oct(os.stat(p).st_mode & 0o777)
        report = {"cwd_is_app": os.path.basename(os.getcwd()) == "app",
                  "run.sh": mode("run.sh"), "secret.txt": mode("secret.txt"),
                  "private": mode("../private"), "shared": open("../lib/shared.py").read(),
                  "git_head": os.path.isfile("../.git/HEAD")}
        """)}}, files, git=True)
    os.chmod(srv.repo_root + "/app/run.sh", 0o755)
    os.chmod(srv.repo_root + "/app/secret.txt", 0o600)
    os.chmod(srv.repo_root + "/private", 0o700)
    assert report_of(srv.generate("app", revision=SHA)) == {
        "cwd_is_app": True, "run.sh": "0o644", "secret.txt": "0o644", "private": "0o755",
        "shared": "X = 1\n", "git_head": True,
    }


def test_preserve_file_mode_keeps_modes(tmp_path: Path) -> None:
    srv = server(tmp_path, {"preserveFileMode": True, "generate": {"command": reporter(
        'report = oct(os.stat("run.sh").st_mode & 0o777)')}},
        {"app/run.sh": "#!/bin/sh\n"})
    os.chmod(srv.repo_root + "/app/run.sh", 0o750)
    assert report_of(srv.generate("app", revision=SHA)) == "0o750"


def test_dot_script_is_not_executable(tmp_path: Path) -> None:
    """Why plugin.yaml must call an installed console script, never ./script."""
    srv = server(tmp_path, {"generate": {"command": ["./gen.sh"]}},
                 {"app/gen.sh": "#!/bin/sh\necho 'kind: A'\n"})
    os.chmod(srv.repo_root + "/app/gen.sh", 0o755)
    result = srv.generate("app", revision=SHA)
    assert result.error == "fork/exec ./gen.sh: permission denied"


def test_tar_exclude(tmp_path: Path) -> None:
    srv = server(tmp_path, {"generate": {"command": reporter(
        'report = sorted(os.listdir(".."))')}},
        {"app/a": "", "big/blob": "", "keep/x": ""}, git=True, tar_exclude=[".git", "big"])
    assert report_of(srv.generate("app", revision=SHA)) == ["app", "keep"]


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("../lib/shared.py", "X = 1\n"),
        ("/etc/hostname", "missing"),  # absolute targets are re-rooted inside the copy (dangling)
        ("../../../../../../etc/hostname", "illegal filepath in symlink"),
    ],
    ids=["inside", "absolute-rerooted", "escaping-rejected"],
)
def test_symlinks(tmp_path: Path, link: str, expected: str) -> None:
    srv = server(tmp_path, {"generate": {"command": reporter(
        'report = open("link").read() if os.path.exists("link") else "missing"')}},
        {"app/pykro.yaml": "", "lib/shared.py": "X = 1\n"})
    os.symlink(link, srv.repo_root + "/app/link")
    if expected.startswith("illegal"):
        with pytest.raises(CmpServerError, match=expected):
            srv.generate("app", revision=SHA)
    else:
        assert report_of(srv.generate("app", revision=SHA)) == expected


def test_init_runs_first_and_its_output_is_discarded(tmp_path: Path) -> None:
    srv = server(tmp_path, {
        "init": {"command": [PY, "-c", "open('from-init', 'w').write('ok'); print('not: yaml: [')"]},
        "generate": {"command": reporter('report = open("from-init").read()')}})
    assert report_of(srv.generate("app", revision=SHA)) == "ok"


def test_failing_init_stops_generate(tmp_path: Path) -> None:
    srv = server(tmp_path, {"init": {"command": [PY, "-c", "raise SystemExit('no init')"]},
                            "generate": {"command": [PY, "-c", "print('kind: A')"]}})
    result = srv.generate("app", revision=SHA)
    assert result.objects == () and "failed exit status 1: no init" in (result.error or "")


# --------------------------------------------------------------------------- environment

_ENV_DUMP = reporter("""
report = dict(e.split("=", 1) for e in open("/proc/self/environ").read().split("\\0") if e)
""")

_BASE = {
    "ARGOCD_APP_NAME": "web",
    "ARGOCD_APP_NAMESPACE": "web-prod",
    "ARGOCD_APP_PROJECT_NAME": "team",
    "ARGOCD_APP_REVISION": SHA,
    "ARGOCD_APP_REVISION_SHORT": "0123456",
    "ARGOCD_APP_REVISION_SHORT_8": "01234567",
    "ARGOCD_APP_SOURCE_REPO_URL": "https://git.example.com/r.git",
    "ARGOCD_APP_SOURCE_PATH": "app",
    "ARGOCD_APP_SOURCE_TARGET_REVISION": "main",
    "KUBE_VERSION": "1.31.4",
    "KUBE_API_VERSIONS": "apps/v1,apps/v1/Deployment,v1,v1/ConfigMap",
}
_REQUEST = dict(revision=SHA, app_name="web", namespace="web-prod", project="team",
                repo_url="https://git.example.com/r.git", target_revision="main",
                kube_version="v1.31.4-gke.100",
                api_versions=["apps/v1", "apps/v1/Deployment", "v1", "v1/ConfigMap"])


@pytest.mark.parametrize(
    ("plugin", "expected_extra"),
    [
        ({"plugin_name": None}, {}),  # no spec.source.plugin block at all
        ({}, {"ARGOCD_APP_PARAMETERS": "null"}),
        ({"parameters": [{"name": "environment", "string": "prod"}]},
         {"ARGOCD_APP_PARAMETERS": '[{"name":"environment","string":"prod"}]', "PARAM_ENVIRONMENT": "prod"}),
        ({"parameters": [{"name": "my-param.x", "string": "a<b>&c"}]},
         {"ARGOCD_APP_PARAMETERS": '[{"name":"my-param.x","string":"a\\u003cb\\u003e\\u0026c"}]',
          "PARAM_MY_PARAM_X": "a<b>&c"}),
        ({"parameters": [{"name": "zones", "array": ["a", "b"]}]},
         {"ARGOCD_APP_PARAMETERS": '[{"array":["a","b"],"name":"zones"}]',
          "PARAM_ZONES_0": "a", "PARAM_ZONES_1": "b"}),
        ({"parameters": [{"name": "labels", "map": {"team.io/owner": "me", "tier": "web"}}]},
         {"ARGOCD_APP_PARAMETERS": '[{"map":{"team.io/owner":"me","tier":"web"},"name":"labels"}]',
          "PARAM_LABELS_TEAM_IO_OWNER": "me", "PARAM_LABELS_TIER": "web"}),
        ({"env": [("GREETING", "hi-$ARGOCD_APP_NAME@${KUBE_VERSION}"), ("EMPTY", ""),
                  ("LITERAL", "$$HOME/$HOME")]},
         {"ARGOCD_ENV_GREETING": "hi-web@1.31.4", "ARGOCD_ENV_EMPTY": "", "ARGOCD_ENV_LITERAL": "$HOME/",
          "ARGOCD_APP_PARAMETERS": "null"}),
    ],
    ids=["no-plugin-block", "named-no-params", "string", "escaped-name", "array", "map", "plugin-env"],
)
def test_generate_environment_is_exact(tmp_path: Path, plugin: dict[str, Any],
                                       expected_extra: dict[str, str]) -> None:
    sidecar = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "ARGOCD_APP_NAME": "stale-sidecar-value"}
    spec = {"generate": {"command": _ENV_DUMP}, "discover": {"fileName": "./pykro.yaml"}}
    srv = server(tmp_path, spec, sidecar_env=sidecar)
    result = srv.generate("app", **_REQUEST, **plugin)
    assert report_of(result) == {**sidecar, **_BASE, **expected_extra}


def test_parameters_get_the_reduced_environment(tmp_path: Path) -> None:
    sidecar = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    dump = ('import json, sys; env = dict(e.split("=", 1) for e in '
            'open("/proc/self/environ").read().split("\\0") if e); '
            'print(json.dumps([{"name": "env", "map": env}]))')
    srv = server(tmp_path, {"generate": {"command": ["true"]}, "discover": {"fileName": "./pykro.yaml"},
                            "parameters": {"dynamic": {"command": [PY, "-c", dump]},
                                           "static": [{"name": "static-one", "string": "s"}]}},
                 sidecar_env=sidecar)
    announced = srv.parameters("app", app_name="web", repo_url="https://r", target_revision="main",
                               env={"WHO": "$ARGOCD_APP_NAME/$ARGOCD_APP_NAMESPACE"},
                               parameters=[{"name": "environment", "string": "dev"}])
    assert [a["name"] for a in announced] == ["env", "static-one"]  # dynamic first, static last
    assert announced[0]["map"] == {
        **sidecar, "ARGOCD_APP_NAME": "web", "ARGOCD_APP_SOURCE_REPO_URL": "https://r",
        "ARGOCD_APP_SOURCE_PATH": "app", "ARGOCD_APP_SOURCE_TARGET_REVISION": "main",
        "ARGOCD_ENV_WHO": "web/",  # ARGOCD_APP_NAMESPACE is not a variable of this request
        "ARGOCD_APP_PARAMETERS": '[{"name":"environment","string":"dev"}]', "PARAM_ENVIRONMENT": "dev",
    }


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("print('not json')", "error unmarshaling dynamic parameter output"),
        ("print('{}')", r"cannot unmarshal object into Go value of type \[\]\*apiclient\.ParameterAnnouncement"),
        ("print('[{\"name\": \"a\", \"required\": \"yes\"}]')", "field required has the wrong type"),
        ("raise SystemExit('bad')", "error executing dynamic parameter output command: .* failed exit status 1: bad"),
    ],
    ids=["not-json", "object-not-array", "wrong-field-type", "nonzero-exit"],
)
def test_parameters_errors(tmp_path: Path, script: str, message: str) -> None:
    srv = server(tmp_path, {"generate": {"command": ["true"]},
                            "parameters": {"dynamic": {"command": [PY, "-c", script]}}})
    with pytest.raises(CmpServerError, match=message):
        srv.parameters("app")


def test_revision_defaults_to_the_checkout(tmp_path: Path) -> None:
    srv = server(tmp_path, {"generate": {"command": reporter(
        'report = [os.environ["ARGOCD_APP_REVISION"], os.environ["ARGOCD_APP_REVISION_SHORT"]]')}}, git=True)
    head = subprocess.run(["git", "-C", srv.repo_root, "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    assert report_of(srv.generate("app")) == [head, head[:7]]


# --------------------------------------------------------------------------- discovery / selection


@pytest.mark.parametrize(
    ("discover", "app", "expected"),
    [
        ({"fileName": "./pykro.yaml"}, "app", True),
        ({"fileName": "./pykro.yaml"}, "other", False),
        ({"fileName": "*.yaml"}, "other", True),
        ({"fileName": "[bad"}, "app", "syntax error in pattern"),
        ({"find": {"glob": "**/deep.yaml"}}, "other", True),
        ({"find": {"glob": "**/deep.yaml"}}, "app", False),
        ({"find": {"command": ["sh", "-c", "test -f pykro.yaml && echo yes; true"]}}, "app", True),
        ({"find": {"command": ["sh", "-c", "test -f pykro.yaml && echo yes; true"]}}, "other", False),
        ({"find": {"command": ["sh", "-c", "exit 2"]}}, "app", "error running find command"),
        ({}, "app", False),
    ],
    ids=["filename-hit", "filename-miss", "filename-glob", "filename-bad-pattern", "zglob-hit", "zglob-miss",
         "command-hit", "command-empty-output", "command-fails", "no-rules"],
)
def test_discover(tmp_path: Path, discover: dict[str, Any], app: str, expected: bool | str) -> None:
    files = {"app/pykro.yaml": "", "other/a/b/deep.yaml": "", "other/x.yaml": ""}
    srv = server(tmp_path, {"generate": {"command": ["true"]}, "discover": discover}, files)
    if isinstance(expected, str):
        with pytest.raises(CmpServerError, match=expected):
            srv.discover("app", revision=SHA)
    else:
        assert srv.discover(app, revision=SHA) is expected


@pytest.mark.parametrize(
    ("discover", "app", "plugin_name", "expected"),
    [
        ({"fileName": "./pykro.yaml"}, "app", "fake-v1.0", None),
        ({"fileName": "./pykro.yaml"}, "other", "fake-v1.0", "could not find cmp-server plugin with name 'fake-v1.0'"),
        ({"fileName": "./pykro.yaml"}, "app", "fake", "could not find cmp-server plugin with name 'fake'"),
        ({"fileName": "./pykro.yaml"}, "app", None, None),
        ({}, "other", "fake-v1.0", None),
        ({}, "app", None, "could not find plugin supporting the given repository"),
    ],
    ids=["named-match", "named-but-no-match", "wrong-name", "discovered", "named-without-rules",
         "unnamed-without-rules"],
)
def test_plugin_selection(tmp_path: Path, discover: dict[str, Any], app: str, plugin_name: str | None,
                          expected: str | None) -> None:
    spec = {"generate": {"command": [PY, "-c", "print('kind: A')"]}, "discover": discover}
    srv = server(tmp_path, spec, {"app/pykro.yaml": "", "other/x": ""})
    if expected is None:
        assert srv.generate(app, revision=SHA, plugin_name=plugin_name).check().objects == ({"kind": "A"},)
    else:
        with pytest.raises(CmpServerError, match=expected):
            srv.generate(app, revision=SHA, plugin_name=plugin_name)


# --------------------------------------------------------------------------- deadline

_TERM_CHILD = """
import os, signal, subprocess, sys, time
marker = os.environ["MARKER"]
child = subprocess.Popen([sys.executable, "-c", '''
import os, signal, sys, time
def on_term(*_):
    open(os.environ["MARKER"], "w").write("TERM")
    sys.exit(0)
signal.signal(signal.SIGTERM, {handler})
open(os.environ["MARKER"] + ".ready", "w").close()
time.sleep(60)
'''])
time.sleep(60)
"""


def _deadline_server(tmp_path: Path, handler: str, kill_grace: float) -> tuple[CmpServer, Path]:
    marker = tmp_path / "marker"
    script = _TERM_CHILD.replace("{handler}", handler)
    srv = server(tmp_path, {"generate": {"command": [PY, "-c", script]}},
                 sidecar_env={"PATH": "/usr/bin:/bin", "MARKER": str(marker)}, kill_grace=kill_grace)
    return srv, marker


def test_deadline_sends_sigterm_to_the_group(tmp_path: Path) -> None:
    srv, marker = _deadline_server(tmp_path, "on_term", kill_grace=5.0)
    start = time.monotonic()
    result = srv.generate("app", revision=SHA, timeout=2.0)
    elapsed = time.monotonic() - start
    assert Path(str(marker) + ".ready").exists()
    assert marker.read_text() == "TERM"  # the child got SIGTERM and could clean up
    # The leader gets SIGTERM (group) and SIGKILL (exec.CommandContext) at once: either wins.
    assert result.timed_out and result.exit_code in (-signal.SIGTERM, -signal.SIGKILL)
    assert re.search(r"failed signal: (terminated|killed)$", result.error or "")
    assert 1.8 <= elapsed < 4.0  # no 5 s wait: the group was gone after SIGTERM


@pytest.mark.slow
def test_deadline_sigkills_the_group_5s_after_sigterm(tmp_path: Path) -> None:
    srv, marker = _deadline_server(tmp_path, "signal.SIG_IGN", kill_grace=5.0)
    start = time.monotonic()
    result = srv.generate("app", revision=SHA, timeout=1.0)
    elapsed = time.monotonic() - start
    assert result.timed_out and not marker.exists()
    assert 5.8 <= elapsed < 8.5  # 1 s deadline + 5 s grace, then SIGKILL


def test_each_request_gets_a_fresh_copy_that_is_removed(tmp_path: Path) -> None:
    srv = server(tmp_path, {"generate": {"command": reporter(
        'open("scratch", "a").write("x"); report = [os.getcwd(), open("scratch").read()]')}})
    first, second = (report_of(srv.generate("app", revision=SHA)) for _ in range(2))
    assert first[1] == second[1] == "x"  # nothing written by the first run is seen by the second
    assert first[0] != second[0] and not os.path.exists(first[0])
    work_root = srv._work_root
    srv.close()
    assert not os.path.exists(work_root)
