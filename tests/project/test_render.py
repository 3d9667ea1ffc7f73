"""Rendering projects: every environment, every mode, and every kind of bad input.

Bad input must give one clear error naming the file, the line where known and the field,
on stderr, with a non-zero exit and nothing on stdout (Argo CD applies whatever a plugin prints).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from pykro import CelError, ProjectError, RenderError, ValuesError
from pykro.project import MODES, render, validate

from .conftest import EXAMPLE, run_cli


def _docs(text: str) -> list[dict]:
    return [d for d in yaml.safe_load_all(text) if d]


def _by_kind(docs: list[dict]) -> dict[str, dict]:
    return {d["kind"]: d for d in docs}


@pytest.mark.parametrize("env", ["dev", "prod"])
@pytest.mark.parametrize("mode", MODES)
def test_example_renders_every_environment_in_every_mode(env, mode):
    docs = _docs(render(EXAMPLE, env, mode).text)
    kinds = [d["kind"] for d in docs]
    expected = {
        "kro": ["ResourceGraphDefinition", "WebApp"],
        "rgd": ["ResourceGraphDefinition"],
        "instance": ["WebApp"],
        "direct": ["Deployment", "Service"],
    }[mode]
    assert kinds == expected


def test_prod_direct_is_the_issue_example():
    rendered = render(EXAMPLE, "prod")  # prod's own mode is direct
    docs = _by_kind(_docs(rendered.text))
    dep, svc = docs["Deployment"], docs["Service"]
    assert dep["metadata"]["name"] == "web" and dep["metadata"]["namespace"] == "web-prod"
    assert dep["spec"]["replicas"] == 3
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27.3"
    assert svc["metadata"] == {"name": "web-svc", "namespace": "web-prod"}
    assert svc["spec"]["selector"] == {"app": "web"}
    assert rendered.kinds == (("apps/v1", "Deployment"), ("v1", "Service"))


def test_dev_kro_instance_and_ordering_annotations():
    docs = _docs(render(EXAMPLE, "dev").text)
    rgd, instance = docs
    assert rgd["metadata"]["annotations"] == {"argocd.argoproj.io/sync-wave": "-1"}
    assert instance["metadata"] == {
        "name": "webapp",
        "namespace": "web-dev",
        "annotations": {"argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true"},
    }
    assert instance["spec"] == {"name": "web", "replicas": 1}


def test_defaults_apply_in_direct_mode():
    docs = _by_kind(_docs(render(EXAMPLE, "dev", "direct").text))
    assert docs["Deployment"]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"


def test_inputs_are_the_files_read(repo):
    rendered = render(repo / "apps" / "web", "prod")
    assert set(rendered.inputs) == {"apps/web/pykro.yaml", "apps/web/graphs/webapp.py"}
    assert all(len(h) == 64 for h in rendered.inputs.values())


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_values_files_merge_like_helm(repo):
    app = repo / "apps" / "web"
    _write(app / "values" / "common.yaml", "webapp:\n  image: nginx:1.26\n  replicas: 5\n")
    _write(app / "values" / "prod.yaml", "webapp:\n  replicas: 4\n")
    project = yaml.safe_load((app / "pykro.yaml").read_text())
    project["valueFiles"] = ["values/common.yaml"]
    project["environments"]["prod"]["valueFiles"] = ["values/prod.yaml"]
    del project["environments"]["prod"]["values"]["webapp"]["replicas"]
    (app / "pykro.yaml").write_text(yaml.safe_dump(project))
    rendered = render(app, "prod")
    dep = _by_kind(_docs(rendered.text))["Deployment"]
    assert dep["spec"]["replicas"] == 4  # env file over common file
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27.3"  # inline over files
    assert "apps/web/values/prod.yaml" in rendered.inputs


# -- bad input: the library raises the right error ------------------------------------------------

BAD_PROJECTS = [
    ("unknown-key", lambda t: t.replace("environments:", "namepsace: x\nenvironments:"), ProjectError,
     ["pykro.yaml:4", "unknown key 'namepsace'"]),
    ("malformed-yaml", lambda t: t.replace("dev:\n", "dev: [\n", 1), ProjectError, ["pykro.yaml:", "malformed YAML"]),
    ("bad-mode", lambda t: t.replace("mode: direct", "mode: helm"), ProjectError,
     ["pykro.yaml:11:11", "environments.prod.mode", "'helm'"]),
    ("duplicate-key", lambda t: t.replace("    namespace: web-dev\n", "    namespace: web-dev\n    namespace: x\n"),
     ProjectError, ["pykro.yaml:7", "duplicate key 'namespace'"]),
    ("values-unknown-graph", lambda t: t.replace("webapp: {name: web, replicas: 1}", "webap: {name: web}"),
     ProjectError, ["pykro.yaml:8", "unknown graph 'webap'"]),
    ("wrong-value-type", lambda t: t.replace("replicas: 1}", "replicas: one}"), ValuesError,
     ["pykro.yaml:8:", "spec.replicas", "environment 'dev'"]),
    ("value-below-minimum", lambda t: t.replace("replicas: 1}", "replicas: 0}"), ValuesError,
     ["pykro.yaml:8", "spec.replicas", ">= 1"]),
    ("missing-required", lambda t: t.replace("{name: web, replicas: 1}", "{replicas: 1}"), ValuesError,
     ["spec.name", "required"]),
    ("unknown-value-field", lambda t: t.replace("replicas: 1}", "replicas: 1, replica: 2}"), ValuesError,
     ["spec.replica"]),
    ("graph-file-missing", lambda t: t.replace("graphs/webapp.py", "graphs/nope.py"), ProjectError,
     ["nope.py", "does not exist"]),
    ("graph-attribute-missing", lambda t: t.replace(".py:webapp", ".py:web"), ProjectError,
     ["webapp.py", "no attribute 'web'", "graphs in it: webapp"]),
    ("path-leaves-repository", lambda t: t.replace("graphs/webapp.py", "../../../../etc/passwd.py"), ProjectError,
     ["leaves the repository"]),
]


@pytest.mark.parametrize("edit,error,expected", [r[1:] for r in BAD_PROJECTS], ids=[r[0] for r in BAD_PROJECTS])
def test_bad_project(repo, edit, error, expected):
    app = repo / "apps" / "web"
    (app / "pykro.yaml").write_text(edit((app / "pykro.yaml").read_text()))
    with pytest.raises(error) as info:
        render(app, "dev")
    for part in expected:
        assert part in str(info.value), str(info.value)


def test_unknown_environment_lists_the_known_ones():
    with pytest.raises(ProjectError, match=r"unknown environment 'staging' \(environments: dev, prod\)"):
        render(EXAMPLE, "staging")


def test_value_error_in_a_value_file_names_that_file(repo):
    app = repo / "apps" / "web"
    _write(app / "values" / "dev.yaml", "webapp:\n  name: web\n  replicas: many\n")
    text = (app / "pykro.yaml").read_text().replace("webapp: {name: web, replicas: 1}", "{}")
    text = text.replace("    values:\n      {}\n", "    valueFiles: [values/dev.yaml]\n")
    (app / "pykro.yaml").write_text(text)
    with pytest.raises(ValuesError) as info:
        render(app, "dev")
    assert info.value.file.endswith("values/dev.yaml")
    assert (info.value.line, info.value.column) == (3, 13)
    assert info.value.path == "spec.replicas"


_SECRET_GRAPH = """
from typing import Annotated
from pykro import Spec, field, simple, to_resource_graph

class S(Spec):
    name: str
    password: Annotated[str, field(pattern="^[a-z]{20,}$")]
    tokens: list[str] = []
    note: Annotated[str, field(pattern="^[a-z]*$")] = ""

g = to_resource_graph({"name": "g", "apiVersion": "v1alpha1", "kind": "G", "spec": S}, lambda schema: {
    "creds": simple.Secret(name=schema.spec.name, string_data={"pw": schema.spec.password,
                                                                "first": schema.spec.tokens[0]}),
    "cfg": simple.ConfigMap(name=schema.spec.name, data={"note": schema.spec.note}),
})
"""


@pytest.mark.parametrize("values,shown,hidden", [
    ('{name: s, password: "Hunter2-Secret"}', ["spec.password", "must match", "field feeds a Secret"],
     ["Hunter2"]),
    ('{name: s, password: abcdefghijklmnopqrstu, tokens: ["tok-1", 7]}', ["spec.tokens[1]", "integer"], ["tok-1"]),
    ('{name: s, password: abcdefghijklmnopqrstu, note: "long note"}', ["spec.note", '"long note"'], []),
], ids=["secret-string", "secret-list-item", "configmap-value-is-shown"])
def test_values_that_feed_secrets_never_reach_stderr(repo, values, shown, hidden):
    app = repo / "apps" / "web"
    _write(app / "graphs" / "secret.py", _SECRET_GRAPH)
    _write(app / "pykro.yaml", f"graphs:\n  g: graphs/secret.py:g\nenvironments:\n  dev:\n    mode: direct\n"
                               f"    values:\n      g: {values}\n")
    result = run_cli("render", str(app), "--env", "dev")
    assert (result.returncode, result.stdout) == (1, b"")
    err = result.stderr.decode()
    assert all(s in err for s in shown), err
    assert not any(h in err for h in hidden), err


def test_exception_inside_a_graph_module_names_its_line(repo):
    module = repo / "apps" / "web" / "graphs" / "webapp.py"
    module.write_text(module.read_text().replace("class WebAppStatus", "ratio = 1 / 0\n\n\nclass WebAppStatus"))
    with pytest.raises(ProjectError) as info:
        render(repo / "apps" / "web", "dev")
    assert info.value.file == str(module)
    assert info.value.line == module.read_text().splitlines().index("ratio = 1 / 0") + 1
    assert "ZeroDivisionError" in str(info.value)


def test_syntax_error_in_a_graph_module(repo):
    module = repo / "apps" / "web" / "graphs" / "webapp.py"
    module.write_text(module.read_text() + "\ndef broken(:\n")
    with pytest.raises(ProjectError, match=r"webapp.py:\d+:\d+: syntax error"):
        render(repo / "apps" / "web", "dev")


def test_symlink_leaving_the_repository_is_refused(repo, tmp_path):
    outside = _write(tmp_path / "outside" / "evil.py", "raise SystemExit('ran code from outside')\n")
    link = repo / "apps" / "web" / "graphs" / "evil.py"
    os.symlink(outside, link)
    app = repo / "apps" / "web"
    (app / "pykro.yaml").write_text((app / "pykro.yaml").read_text().replace("graphs/webapp.py", "graphs/evil.py"))
    with pytest.raises(ProjectError, match="leaves the repository"):
        render(app, "dev")


def test_runtime_only_reference_in_direct_mode(repo):
    module = repo / "apps" / "web" / "graphs" / "webapp.py"
    module.write_text('''
from pykro import Spec, simple, to_resource_graph, Cel

class S(Spec):
    name: str
    image: str = "nginx"
    replicas: int = 1

def build(schema):
    app = simple.Deployment(name=schema.spec.name, image="nginx")
    cm = simple.ConfigMap(name="cm", data={"replicas": Cel.string(app.status.readyReplicas),
                                            "ip": f"{app.spec.clusterIP}"})
    return {"app": app, "cm": cm}

webapp = to_resource_graph({"name": "webapp", "apiVersion": "v1alpha1", "kind": "WebApp", "spec": S}, build)
''')
    with pytest.raises(RenderError) as info:
        render(repo / "apps" / "web", "prod")
    message = str(info.value)
    assert "resources[cm]" in message and "data.replicas" in message
    assert "app.status.readyReplicas" in message and "kro mode" in message
    # kro mode renders the same graph: kro evaluates status in the cluster.
    assert "readyReplicas" in render(repo / "apps" / "web", "prod", "kro").text


def test_field_the_api_server_fills_is_runtime_only(repo):
    module = repo / "apps" / "web" / "graphs" / "webapp.py"
    module.write_text('''
from pykro import Spec, simple, to_resource_graph

class S(Spec):
    name: str
    image: str = "nginx"
    replicas: int = 1

def build(schema):
    svc = simple.Service(name=schema.spec.name, selector={"app": "x"}, ports=[{"port": 80}])
    cm = simple.ConfigMap(name="cm", data={"ip": svc.spec.clusterIP})
    return {"svc": svc, "cm": cm}

webapp = to_resource_graph({"name": "webapp", "apiVersion": "v1alpha1", "kind": "WebApp", "spec": S}, build)
''')
    with pytest.raises(RenderError, match=r"svc\.spec\.clusterIP is not set by the graph.*kro mode"):
        render(repo / "apps" / "web", "prod")


def test_unsupported_cel_is_an_error_not_a_value(repo):
    module = repo / "apps" / "web" / "graphs" / "webapp.py"
    module.write_text('''
from pykro import Spec, simple, to_resource_graph, Cel

class S(Spec):
    name: str
    image: str = "nginx"
    replicas: int = 1

webapp = to_resource_graph(
    {"name": "webapp", "apiVersion": "v1alpha1", "kind": "WebApp", "spec": S},
    lambda schema: {"cm": simple.ConfigMap(name="cm", data={"x": Cel.expr("omit()")})},
)
''')
    with pytest.raises(CelError) as info:
        render(repo / "apps" / "web", "prod")
    assert "omit" in str(info.value) and "resources[cm]" in str(info.value)


def test_empty_render_is_an_error_unless_allowed(repo):
    module = repo / "apps" / "web" / "graphs" / "webapp.py"
    module.write_text('''
from pykro import Spec, simple, to_resource_graph

class S(Spec):
    name: str
    image: str = "nginx"
    replicas: int = 1
    enabled: bool = False

webapp = to_resource_graph(
    {"name": "webapp", "apiVersion": "v1alpha1", "kind": "WebApp", "spec": S},
    lambda schema: {"cm": simple.ConfigMap(name="cm", include_when=schema.spec.enabled)},
)
''')
    app = repo / "apps" / "web"
    with pytest.raises(RenderError, match="renders no objects.*allowEmpty"):
        render(app, "prod")
    (app / "pykro.yaml").write_text((app / "pykro.yaml").read_text().replace("mode: direct", "mode: direct\n    allowEmpty: true"))
    assert render(app, "prod").text == ""


def test_validate_reports_every_problem(repo):
    app = repo / "apps" / "web"
    (app / "pykro.yaml").write_text((app / "pykro.yaml").read_text().replace("replicas: 1}", "replicas: 0}").replace(
        "replicas: 3,", "replicas: 30,"))
    problems = validate(app)
    failing = sorted({(env, mode) for env, mode, _ in problems})
    # rgd mode needs no values; every other mode of both environments fails.
    assert failing == [(e, m) for e in ("dev", "prod") for m in ("direct", "instance", "kro")]


# -- the CLI: stderr, exit code, nothing on stdout ---------------------------------------------------

CLI_FAILURES = [
    ("unknown-env", ["render", "{app}", "--env", "staging"], "unknown environment 'staging'"),
    ("no-project", ["render", "{tmp}", "--env", "dev"], "no pykro.yaml"),
    ("bad-mode-flag", ["render", "{app}", "--env", "dev", "--mode", "helm"], "Invalid value for '--mode'"),
]


@pytest.mark.parametrize("args,expected", [r[1:] for r in CLI_FAILURES], ids=[r[0] for r in CLI_FAILURES])
def test_cli_failures_print_nothing_on_stdout(repo, tmp_path, args, expected):
    args = [a.format(app=repo / "apps" / "web", tmp=tmp_path) for a in args]
    result = run_cli(*args)
    assert result.returncode != 0
    assert result.stdout == b""
    assert expected in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


def test_cli_bad_values_print_nothing_on_stdout(repo):
    app = repo / "apps" / "web"
    (app / "pykro.yaml").write_text((app / "pykro.yaml").read_text().replace("replicas: 3,", 'replicas: "3",'))
    result = run_cli("render", str(app), "--env", "prod")
    assert (result.returncode, result.stdout) == (1, b"")
    err = result.stderr.decode()
    assert err.startswith("pykro: ") and "pykro.yaml:13:37" in err and "spec.replicas" in err


def test_cli_render_writes_the_yaml_stream(repo):
    result = run_cli("render", str(repo / "apps" / "web"), "--env", "prod")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == render(repo / "apps" / "web", "prod").text


def test_cli_validate(repo):
    result = run_cli("validate", str(repo / "apps" / "web"))
    assert result.returncode == 0, result.stderr
    assert result.stdout == b""


def test_cli_output_file_is_written_whole_or_not_at_all(repo, tmp_path):
    out = tmp_path / "rendered" / "prod" / "manifests.yaml"
    result = run_cli("render", str(repo / "apps" / "web"), "--env", "prod", "-o", str(out))
    assert result.returncode == 0 and result.stdout == b""
    good = out.read_text()
    assert good == render(repo / "apps" / "web", "prod").text
    # A failing render leaves the previous file untouched and no temp file behind.
    result = run_cli("render", str(repo / "apps" / "web"), "--env", "nope", "-o", str(out))
    assert result.returncode == 1
    assert out.read_text() == good
    assert sorted(p.name for p in out.parent.iterdir()) == ["manifests.yaml"]


def test_validate_checks_rgds_and_kubernetes_schemas(repo):
    module = repo / "apps" / "web" / "graphs" / "webapp.py"
    module.write_text(module.read_text().replace(
        'ports=[{"containerPort": 8080}],', 'ports=[{"containerPort": 8080, "protocl": "TCP"}],'))
    app = repo / "apps" / "web"
    assert validate(app) == [], "the schema check is opt-in"
    problems = validate(app, kubernetes=True)
    where = sorted({(env, mode) for env, mode, _ in problems})
    assert where == [("dev", "direct"), ("dev", "kro"), ("dev", "rgd"), ("prod", "direct"), ("prod", "kro"),
                     ("prod", "rgd")]  # fmt: skip
    messages = [str(e) for _, _, e in problems]
    assert any("Deployment/web" in m and "protocl" in m for m in messages)
    assert any("ResourceGraphDefinition/webapp" in m and "protocl" in m for m in messages)
    result = run_cli("validate", str(app), "--kubernetes")
    assert result.returncode == 1 and result.stdout == b""
    assert "protocl" in result.stderr.decode()


def test_modules_a_graph_imports_are_inputs_and_reloaded(repo):
    app = repo / "apps" / "web"
    _write(app / "graphs" / "naming.py", 'SUFFIX = "-svc"\n')
    module = app / "graphs" / "webapp.py"
    module.write_text(module.read_text().replace(
        "from pykro import", "from naming import SUFFIX\nfrom pykro import").replace(
        'name=f"{schema.spec.name}-svc"', 'name=f"{schema.spec.name}{SUFFIX}"'))
    first = render(app, "prod")
    assert "apps/web/graphs/naming.py" in first.inputs
    assert "name: web-svc" in first.text
    _write(app / "graphs" / "naming.py", 'SUFFIX = "-service"\n')
    second = render(app, "prod")  # same process, graph module unchanged, its import changed
    assert "name: web-service" in second.text
    assert second.inputs["apps/web/graphs/naming.py"] != first.inputs["apps/web/graphs/naming.py"]


def test_libraries_of_a_virtualenv_inside_the_repository_are_not_inputs(repo, monkeypatch):
    # A developer's .venv often sits in the repository: what a render imports from it is the tool,
    # not the repository's content, so it is neither an input nor a module pykro forgets after loading.
    import sys

    from pykro import _inputs

    site = repo / ".venv" / "lib" / "site-packages"
    _write(site / "vendored_helper.py", 'SUFFIX = "-svc"\n')
    monkeypatch.setattr(_inputs, "_INSTALLED", (*_inputs._installation_dirs(), (repo / ".venv").resolve()))
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "vendored_helper", raising=False)
    app = repo / "apps" / "web"
    module = app / "graphs" / "webapp.py"
    module.write_text(module.read_text().replace(
        "from pykro import", "from vendored_helper import SUFFIX\nfrom pykro import").replace(
        'name=f"{schema.spec.name}-svc"', 'name=f"{schema.spec.name}{SUFFIX}"'))
    rendered = render(app, "prod")
    assert "name: web-svc" in rendered.text
    assert not [path for path in rendered.inputs if path.startswith(".venv")], rendered.inputs
    assert "vendored_helper" in sys.modules, "a library stays imported"


_RUNTIME_GRAPH = '''
from pykro import Spec, simple, to_resource_graph, Cel

class S(Spec):
    name: str
    image: str = "nginx"
    replicas: int = 1

def build(schema):
    app = simple.Deployment(name=schema.spec.name, image="nginx")
    return {"app": app, "cm": simple.ConfigMap(name="cm", data={"n": Cel.string(app.status.readyReplicas)})}

webapp = to_resource_graph({"name": "webapp", "apiVersion": "v1alpha1", "kind": "WebApp", "spec": S}, build)
'''
_OMIT_GRAPH = _RUNTIME_GRAPH.replace("Cel.string(app.status.readyReplicas)", 'Cel.expr("omit()")')
_RAISING_GRAPH = _RUNTIME_GRAPH.replace("def build(schema):", "def build(schema):\n    {}['missing']")

CLI_BAD_INPUT = [
    ("bad-value", None, lambda t: t.replace("replicas: 3,", "replicas: three,"), ["pykro.yaml:13", "spec.replicas"]),
    ("unknown-graph", None, lambda t: t.replace("webapp: {name: web, replicas: 3", "other: {name: web, replicas: 3"),
     ["pykro.yaml:13", "unknown graph 'other'"]),
    ("runtime-only", _RUNTIME_GRAPH, None, ["resources[cm]", "app.status.readyReplicas", "kro mode"]),
    ("unsupported-cel", _OMIT_GRAPH, None, ["resources[cm]", "omit", "not supported offline"]),
    ("exception-in-graph", _RAISING_GRAPH, None, ["webapp.py:10", "KeyError"]),
    ("cycle-in-graph", _RUNTIME_GRAPH.replace(
        'return {"app": app, "cm"', 'cm = simple.ConfigMap(name=app.metadata.name)\n'
        '    app._template["metadata"]["labels"] = {"x": cm.metadata.name}\n    return {"app": app, "cm"'
    ).replace('"cm": simple.ConfigMap(name="cm", data={"n": Cel.string(app.status.readyReplicas)})', '"cm": cm'),
     None, ["graph contains a cycle", "app -> cm -> app"]),
]


@pytest.mark.parametrize("graph,edit,expected", [r[1:] for r in CLI_BAD_INPUT], ids=[r[0] for r in CLI_BAD_INPUT])
def test_cli_bad_input_is_one_line_on_stderr_and_nothing_on_stdout(repo, graph, edit, expected):
    app = repo / "apps" / "web"
    if graph is not None:
        (app / "graphs" / "webapp.py").write_text(graph)
    if edit is not None:
        (app / "pykro.yaml").write_text(edit((app / "pykro.yaml").read_text()))
    result = run_cli("render", str(app), "--env", "prod")
    err = result.stderr.decode()
    assert (result.returncode, result.stdout) == (1, b""), err
    assert err.startswith("pykro: ") and err.count("\n") == 1, err
    for part in expected:
        assert part in err, err


def test_cli_render_is_byte_identical_across_hash_seeds_locales_and_time_zones(repo):
    outputs = set()
    for seed, tz, lang in (("0", "UTC", "C"), ("7", "Asia/Kolkata", "de_DE.UTF-8"), ("99", "America/Lima", "tr_TR.UTF-8")):
        env = dict(os.environ, PYTHONHASHSEED=seed, TZ=tz, LANG=lang, LC_ALL=lang)
        for env_name in ("dev", "prod"):
            result = run_cli("render", str(repo / "apps" / "web"), "--env", env_name, env=env)
            assert result.returncode == 0, result.stderr
            outputs.add((env_name, result.stdout))
    assert len(outputs) == 2


def test_one_api_two_instances_and_clashing_names(repo):
    app = repo / "apps" / "web"
    (app / "pykro.yaml").write_text(
        "graphs:\n"
        "  frontend: graphs/webapp.py:webapp\n"
        "  backend: graphs/webapp.py:webapp\n"
        "environments:\n"
        "  dev:\n"
        "    namespace: web-dev\n"
        "    values: {frontend: {name: front}, backend: {name: back}}\n"
        "  prod:\n"
        "    namespace: web-prod\n"
        "    mode: direct\n"
        "    values: {frontend: {name: web}, backend: {name: web}}\n"
    )
    docs = _docs(render(app, "dev").text)
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("ResourceGraphDefinition", "webapp"), ("WebApp", "frontend"), ("WebApp", "backend")]
    with pytest.raises(RenderError, match=r"two Deployment.apps objects are named web-prod/web"):
        render(app, "prod")


# -- where an error points: file:line(:column) of what the user wrote, never mixed coordinates ---------

_LOCATED_GRAPH = '''
from pykro import Cel, Spec, Status, simple, to_resource_graph, yaml_file

class S(Spec):
    name: str
    image: str = "nginx"
    replicas: int = 1

class St(Status):
    ready: bool

webapp = to_resource_graph(
    {"name": "webapp", "apiVersion": "v1alpha1", "kind": "WebApp", "spec": S, "status": St},
    lambda schema: {
        "app": simple.Deployment(name=schema.spec.name, image="nginx"),
        "cm": simple.ConfigMap(name="cm", data={"x": "ok"}),  # CM
    },
    lambda schema, resources: {
        "ready": resources["app"].status.readyReplicas > 0,  # STATUS
    },
)
'''
_BAD_RGD = """apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata:
  name: tenant
spec:
  schema:
    apiVersion: v1alpha1
    kind: Tenant
    spec:
      name: string
  resources:
    - id: cm
      includeWhen:
        - ${true}
      template:
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: ${schema.spec.name +* 1}
"""


def _rgd_project(text: str) -> str:
    return text.replace("graphs/webapp.py:webapp", "rgds/tenant.yaml").replace(
        'replicas: 3, image: "nginx:1.27.3"}', "}").replace(", replicas: 1}", "}")


def _line_of(text: str, marker: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if marker in line)


# (id, graph module edit, pykro.yaml edit, RGD file, env, expected stderr after "pykro: {app}/")
CLI_LOCATIONS = [
    ("cel-syntax-names-the-factory-line", lambda g: g.replace('{"x": "ok"}', '{"x": Cel.expr("schema.spec.name +* 1")}'),
     None, None, "dev",
     "graphs/webapp.py:{CM}: resources[cm].template.data.x: syntax error at column 19 of the expression: "
     "unexpected '*' (expression: schema.spec.name +* 1)"),
    ("bad-status-names-the-status-builder", lambda g: g.replace("resources[\"app\"].status.readyReplicas > 0", '"yes"'),
     None, None, "dev",
     "graphs/webapp.py:{STATUS_BUILDER}: status.ready: status field 'ready' is declared bool but its expression is string"),
    ("missing-yaml-file-names-the-call", lambda g: g.replace('simple.ConfigMap(name="cm", data={"x": "ok"})',
                                                             'yaml_file("cm.yaml")'),
     None, None, "dev", "graphs/webapp.py:{CM}: YAML file 'cm.yaml' does not exist"),
    ("direct-mode-error-names-the-factory-line",
     lambda g: g.replace('{"x": "ok"}', '{"x": Cel.expr("string(app.status.readyReplicas)")}'), None, None, "prod",
     "graphs/webapp.py:{CM}: resources[cm].template.data.x: app.status.readyReplicas is status, written by the "
     "cluster: it exists only in the cluster, so direct mode cannot render it (expression: "
     "string(app.status.readyReplicas)); render this graph in kro mode, or compute the value from schema.spec"),
    ("omit-in-include-when-even-in-kro-mode", lambda g: g.replace('data={"x": "ok"})', 'include_when=Cel.expr("omit()"))'),
     None, None, "dev",
     "graphs/webapp.py:{CM}: resources[cm].includeWhen[0]: omit() is only valid as the whole value of a template "
     "field; kro rejects it in includeWhen (expression: omit()); includeWhen takes a bool expression; to drop a "
     "field, write ${cond ? value : omit()} as its value"),
    ("missing-value-file", None, lambda t: t.replace("    namespace: web-dev\n",
                                                     "    namespace: web-dev\n    valueFiles: [values/dev.yaml]\n"),
     None, "dev", "pykro.yaml:7:18: environments.dev.valueFiles[0]: value file 'values/dev.yaml' does not exist"),
    ("missing-graph-module", None, lambda t: t.replace("graphs/webapp.py", "graphs/nope.py"), None, "dev",
     "pykro.yaml:3:11: graphs.webapp: graph 'webapp' file 'graphs/nope.py' does not exist"),
    ("missing-graph-attribute", None, lambda t: t.replace(".py:webapp", ".py:web"), None, "dev",
     "pykro.yaml:3:11: graphs.webapp: graph module 'graphs/webapp.py' has no attribute 'web' (graphs in it: webapp); "
     "name it as graphs/webapp.py:<attribute>"),
    ("rgd-file-names-the-node", None, lambda t: _rgd_project(t), _BAD_RGD, "dev",
     "rgds/tenant.yaml:19:17: resources[cm].template.metadata.name: syntax error at column 19 of the expression: "
     "unexpected '*' (expression: schema.spec.name +* 1)"),
    ("rgd-direct-mode-error-names-the-node", None, lambda t: _rgd_project(t),
     _BAD_RGD.replace("+* 1}", "}").replace("${true}", "${omit()}"), "prod",
     "rgds/tenant.yaml:14:11: resources[cm].includeWhen[0]: omit() is only valid as the whole value of a template "
     "field; kro rejects it in includeWhen (expression: omit()); includeWhen takes a bool expression; to drop a "
     "field, write ${cond ? value : omit()} as its value"),
]


@pytest.mark.parametrize("graph_edit,project_edit,rgd,env,expected", [r[1:] for r in CLI_LOCATIONS],
                         ids=[r[0] for r in CLI_LOCATIONS])  # fmt: skip
def test_cli_error_names_the_line_where_the_mistake_is_written(repo, graph_edit, project_edit, rgd, env, expected):
    app = repo / "apps" / "web"
    graph = _LOCATED_GRAPH if graph_edit is None else graph_edit(_LOCATED_GRAPH)
    (app / "graphs" / "webapp.py").write_text(graph)
    text = (app / "pykro.yaml").read_text()
    if project_edit is not None:
        text = project_edit(text)
    if rgd is not None:
        _write(app / "rgds" / "tenant.yaml", rgd)
    (app / "pykro.yaml").write_text(text)
    result = run_cli("render", str(app), "--env", env)
    err = result.stderr.decode()
    assert (result.returncode, result.stdout) == (1, b""), err
    lines = {"CM": _line_of(graph, "# CM"), "STATUS_BUILDER": _line_of(graph, "lambda schema, resources:")}
    for name, line in lines.items():
        expected = expected.replace("{" + name + "}", str(line))
    assert err == f"pykro: {app}/{expected}\n"
