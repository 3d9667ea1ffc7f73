"""``pykro generate`` and ``pykro parameters`` at unit level, with a fake renderer.

The real ``pykro.project.render`` is replaced through the module hooks
(``generate._render``, ``generate._load_project``, ``parameters._load_project``);
git behaviour is checked against real repositories made with ``git init``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml

from pykro.argocd import generate, parameters
from pykro.argocd._git import find_git_dir, head_commit, is_clean
from pykro.argocd._request import find_repo_root, resolve_request
from pykro.cache import RenderCache
from pykro.errors import ProjectError, PykroError, RenderError

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"]


# -- fakes ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FakeRendered:
    text: str
    inputs: Mapping[str, str | None]
    kinds: tuple[tuple[str, str], ...]
    defines: tuple[tuple[str, str], ...] = ()


@dataclasses.dataclass
class FakeRenderer:
    """Renders main.py's content into a ConfigMap, recording every call and every file it read."""

    calls: list[tuple[str, str, str | None]] = dataclasses.field(default_factory=list)
    kinds: tuple[tuple[str, str], ...] = (("v1", "ConfigMap"),)
    defines: tuple[tuple[str, str], ...] = ()
    error: BaseException | None = None
    text: str | None = None
    inputs: Mapping[str, str | None] | None = None

    def __call__(self, app_dir: Path, environment: str, mode: str | None, *, repo_root: Path) -> FakeRendered:
        assert isinstance(app_dir, Path) and isinstance(repo_root, Path)
        self.calls.append((app_dir.relative_to(repo_root).as_posix(), environment, mode))
        if self.error is not None:
            raise self.error
        main = app_dir / "main.py"
        values = app_dir / f"values-{environment}.yaml"
        content = main.read_text()
        inputs: dict[str, str | None] = {main.relative_to(repo_root).as_posix(): _sha(main.read_bytes())}
        inputs[values.relative_to(repo_root).as_posix()] = _sha(values.read_bytes()) if values.exists() else None
        text = self.text
        if text is None:
            text = (
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                f"  name: {environment}-{mode or 'default'}\ndata:\n  main: {content.strip()!r}\n"
            )
        return FakeRendered(text, inputs if self.inputs is None else self.inputs, self.kinds, self.defines)


@dataclasses.dataclass(frozen=True)
class FakeProject:
    environments: tuple[str, ...]
    default_mode: str = "kro"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def renderer(monkeypatch: pytest.MonkeyPatch) -> FakeRenderer:
    fake = FakeRenderer()
    monkeypatch.setattr(generate, "_render", fake)
    monkeypatch.setattr(generate, "_load_project", lambda app_dir: FakeProject(("dev",)))
    return fake


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    app = root / "apps" / "web"
    app.mkdir(parents=True)
    (app / "main.py").write_text("graph = 1\n")
    (root / "pykro.yaml").write_text("environments: [dev]\n")
    return root


def _git(root: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=root, capture_output=True, text=True, check=True).stdout.strip()


def _git_repo(root: Path) -> str:
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "init")
    return _git(root, "rev-parse", "HEAD")


class Run:
    """One in-process ``main`` call's outcome."""

    def __init__(self, code: int, out: bytes, err: str) -> None:
        self.code, self.out, self.err = code, out, err


def _run(app: Path, env: Mapping[str, str] | None = None, argv: list[str] | None = None, cache: Path | None = None) -> Run:
    environ = {"PYKRO_CACHE_DIR": str(cache or app.parents[2] / "cache"), "PATH": os.environ.get("PATH", "")}
    environ.update(env or {})
    out, err = io.BytesIO(), io.StringIO()
    code = generate.main(argv or [], environ=environ, cwd=str(app), stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


# -- repository root and request --------------------------------------------------------


@pytest.mark.parametrize(
    ("layout", "cwd", "source_path", "root"),
    [
        (["r/.git/"], "r/apps/web", "", "r"),
        (["r/.git/", "r/apps/.git"], "r/apps/web", "", "r/apps"),
        (["r/.git/"], "r", "", "r"),
        ([], "r/apps/web", "apps/web", "r"),
        ([], "r/apps/web", "./apps/web/", "r"),
        ([], "r/apps/web", ".", "r/apps/web"),
        ([], "r/apps/web", "", "r/apps/web"),
        ([], "r/apps/web", "../web", "r/apps/web"),
        (["r/.git/"], "r/apps/web", "web", "r"),
    ],
    ids=[
        "git-dir-in-parent",
        "nearest-git-wins",
        "git-dir-here",
        "no-git-source-path",
        "no-git-source-path-with-dots-and-slashes",
        "source-path-is-root",
        "nothing-known",
        "dot-dot-source-path-ignored",
        "git-wins-over-source-path",
    ],
)
def test_find_repo_root(tmp_path: Path, layout: list[str], cwd: str, source_path: str, root: str) -> None:
    for item in layout:
        path = tmp_path / item
        if item.endswith("/"):
            path.mkdir(parents=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("gitdir: elsewhere\n")
    (tmp_path / cwd).mkdir(parents=True, exist_ok=True)
    env = {"ARGOCD_APP_SOURCE_PATH": source_path} if source_path else {}
    assert find_repo_root(str(tmp_path / cwd), env) == str(tmp_path / root)


def _params(*items: dict[str, object]) -> str:
    return json.dumps(list(items))


@pytest.mark.parametrize(
    ("environ", "flags", "expected"),
    [
        ({}, {}, (None, None)),
        ({"PYKRO_ENVIRONMENT": "local", "PYKRO_MODE": "direct"}, {}, ("local", "direct")),
        ({"PYKRO_ENVIRONMENT": "local", "ARGOCD_ENV_PYKRO_ENVIRONMENT": "plugin-env"}, {}, ("plugin-env", None)),
        ({"ARGOCD_ENV_PYKRO_ENVIRONMENT": "plugin-env", "PARAM_ENVIRONMENT": "param"}, {}, ("param", None)),
        (
            {"PARAM_ENVIRONMENT": "stale", "ARGOCD_APP_PARAMETERS": _params({"name": "environment", "string": "prod"})},
            {},
            ("prod", None),
        ),
        (
            {"ARGOCD_APP_PARAMETERS": _params({"name": "environment", "string": "prod"})},
            {"environment": "flag"},
            ("flag", None),
        ),
        ({"ARGOCD_ENV_PYKRO_ENVIRONMENT": "", "PYKRO_ENVIRONMENT": "local"}, {}, ("local", None)),
        ({"ARGOCD_APP_PARAMETERS": _params({"name": "mode", "string": " "}), "PYKRO_MODE": "kro"}, {}, (None, "kro")),
        ({"ARGOCD_APP_PARAMETERS": "null", "PARAM_MODE": "direct"}, {}, (None, "direct")),
        ({"ARGOCD_APP_PARAMETERS": "[]"}, {}, (None, None)),
        ({"ARGOCD_APP_PARAMETERS": _params({"name": "mode", "string": "direct"})}, {}, (None, "direct")),
    ],
    ids=[
        "nothing",
        "local-shell",
        "plugin-env-over-local",
        "param-over-plugin-env",
        "parameters-json-over-param-vars",
        "flag-over-everything",
        "empty-value-is-unset",
        "blank-parameter-is-unset",
        "null-parameters",
        "empty-parameters",
        "mode-parameter",
    ],
)
def test_request_precedence(
    tmp_path: Path, environ: dict[str, str], flags: dict[str, str], expected: tuple[str | None, str | None]
) -> None:
    request = resolve_request(str(tmp_path), environ, **flags)
    assert (request.environment, request.mode) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "ARGOCD_APP_PARAMETERS: ARGOCD_APP_PARAMETERS is not valid JSON"),
        ('{"name": "environment"}', "ARGOCD_APP_PARAMETERS: ARGOCD_APP_PARAMETERS must be a JSON array of parameters, got dict"),
        ('["environment"]', 'ARGOCD_APP_PARAMETERS[0]: each parameter must be an object with a "name"'),
        (
            _params({"name": "environment", "string": "dev"}, {"name": "replicas", "string": "3"}),
            "ARGOCD_APP_PARAMETERS[1]: unknown plugin parameter 'replicas'; pykro's parameters are: environment, mode",
        ),
        (_params({"name": "mode", "array": ["kro"]}), "ARGOCD_APP_PARAMETERS[0]: plugin parameter 'mode' must be a string"),
        (_params({"name": "environment", "map": {"a": "b"}}), "plugin parameter 'environment' must be a string"),
    ],
    ids=["bad-json", "not-an-array", "not-an-object", "unknown-name", "array-value", "map-value"],
)
def test_request_parameter_errors(tmp_path: Path, raw: str, message: str) -> None:
    with pytest.raises(ProjectError) as info:
        resolve_request(str(tmp_path), {"ARGOCD_APP_PARAMETERS": raw})
    assert message in str(info.value)


def test_request_app_path_is_relative_posix(repo: Path) -> None:
    (repo / ".git").mkdir()
    request = resolve_request(str(repo / "apps" / "web"), {})
    assert (request.repo_root, request.app_path) == (str(repo), "apps/web")
    assert resolve_request(str(repo), {}).app_path == "."


# -- git: HEAD and cleanliness, against real repositories ----------------------------------


def _packed(root: Path) -> None:
    _git(root, "pack-refs", "--all")
    assert not (root / ".git" / "refs" / "heads" / "main").exists()


def _detached(root: Path) -> None:
    _git(root, "checkout", "-q", "--detach")


def _symbolic_ref_chain(root: Path) -> None:
    (root / ".git" / "refs" / "heads" / "alias").write_text("ref: refs/heads/main\n")
    _git(root, "symbolic-ref", "HEAD", "refs/heads/alias")


@pytest.mark.parametrize(
    "prepare",
    [lambda root: None, _packed, _detached, _symbolic_ref_chain],
    ids=["loose-branch-ref", "packed-refs", "detached-head", "symbolic-ref-chain"],
)
def test_head_commit_matches_git(repo: Path, prepare) -> None:  # type: ignore[no-untyped-def]
    _git_repo(repo)
    (repo / "apps" / "web" / "main.py").write_text("graph = 2\n")
    _git(repo, "commit", "-qam", "second")
    prepare(repo)
    git_dir = find_git_dir(str(repo))
    assert git_dir == str(repo / ".git")
    assert head_commit(git_dir) == _git(repo, "rev-parse", "HEAD")


def test_head_commit_of_a_linked_worktree(repo: Path, tmp_path: Path) -> None:
    _git_repo(repo)
    _git(repo, "branch", "feature")
    _git(repo, "pack-refs", "--all")
    _git(repo, "worktree", "add", "-q", str(tmp_path / "wt"), "feature")
    git_dir = find_git_dir(str(tmp_path / "wt"))
    assert git_dir is not None and (tmp_path / "wt" / ".git").is_file()
    assert head_commit(git_dir) == _git(tmp_path / "wt", "rev-parse", "HEAD")


def test_head_commit_of_an_unborn_branch_is_none(repo: Path) -> None:
    _git(repo, "init", "-q")
    assert head_commit(str(repo / ".git")) is None


def test_find_git_dir_without_git(tmp_path: Path) -> None:
    assert find_git_dir(str(tmp_path)) is None
    (tmp_path / ".git").write_text("not a gitdir line\n")
    assert find_git_dir(str(tmp_path)) is None


def _modify(root: Path) -> None:
    (root / "apps" / "web" / "main.py").write_text("changed\n")


def _stage(root: Path) -> None:
    _modify(root)
    _git(root, "add", "-A")


def _untracked(root: Path) -> None:
    (root / "apps" / "web" / "new.py").write_text("x\n")


def _bytecode(root: Path) -> None:
    (root / "apps" / "web" / "__pycache__").mkdir()
    (root / "apps" / "web" / "__pycache__" / "main.cpython-311.pyc").write_bytes(b"\0")
    (root / "stray.pyc").write_bytes(b"\0")


def _rename(root: Path) -> None:
    _git(root, "mv", "pykro.yaml", "renamed.yaml")


def _ignored_file(root: Path) -> None:
    (root / ".gitignore").write_text("local.yaml\n")
    _git(root, "add", ".gitignore")
    _git(root, "commit", "-q", "-m", "ignore local values")
    (root / "local.yaml").write_text("replicas: 7\n")


def _ignored_bytecode(root: Path) -> None:
    (root / ".gitignore").write_text("__pycache__/\n*.pyc\n")
    _git(root, "add", ".gitignore")
    _git(root, "commit", "-q", "-m", "ignore bytecode")
    _bytecode(root)


def _untracked_dir_with_source(root: Path) -> None:
    (root / "lib" / "__pycache__").mkdir(parents=True)
    (root / "lib" / "mod.py").write_text("x\n")


@pytest.mark.parametrize(
    ("change", "clean"),
    [
        (lambda root: None, True),
        (_bytecode, True),
        (_modify, False),
        (_stage, False),
        (_untracked, False),
        (_rename, False),
        (_untracked_dir_with_source, False),
        (_ignored_file, False),
        (_ignored_bytecode, True),
    ],
    ids=["clean", "only-bytecode", "modified", "staged", "untracked-file", "renamed", "untracked-dir-with-source",
         "ignored-file-may-be-an-input", "ignored-bytecode"],
)
def test_is_clean(repo: Path, change, clean: bool) -> None:  # type: ignore[no-untyped-def]
    _git_repo(repo)
    change(repo)
    assert is_clean(str(repo), dict(os.environ)) is clean


def test_is_clean_outside_a_repository_is_false(tmp_path: Path) -> None:
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    assert is_clean(str(tmp_path), env) is False
    assert is_clean(str(tmp_path), {**env, "PATH": str(tmp_path / "no-git-here")}) is False


# -- main: caching -----------------------------------------------------------------------


def test_exact_key_by_revision_serves_without_rendering(repo: Path, renderer: FakeRenderer) -> None:
    app = repo / "apps" / "web"
    first = _run(app, {"ARGOCD_APP_REVISION": "a" * 40})
    assert (first.code, first.err) == (0, "")
    assert b"main: 'graph = 1'" in first.out
    (app / "main.py").write_text("graph = 2\n")
    again = _run(app, {"ARGOCD_APP_REVISION": "a" * 40})
    assert again.out == first.out, "a commit fixes every file: the exact key is trusted"
    assert len(renderer.calls) == 1
    moved = _run(app, {"ARGOCD_APP_REVISION": "b" * 40})
    assert b"main: 'graph = 2'" in moved.out, "a new commit checks the inputs, which changed"
    assert len(renderer.calls) == 2


def test_new_commit_with_unchanged_inputs_is_served_from_the_inputs_record(repo: Path, renderer: FakeRenderer) -> None:
    app = repo / "apps" / "web"
    first = _run(app, {"ARGOCD_APP_REVISION": "a" * 40})
    (repo / "apps" / "other.py").write_text("another app changed\n")
    second = _run(app, {"ARGOCD_APP_REVISION": "b" * 40})
    assert second.out == first.out
    assert len(renderer.calls) == 1
    cache = RenderCache(repo.parent / "cache")
    assert cache.stats().entries == 1, "an inputs hit adds no copy under the new commit"


def test_without_commit_only_inputs_decide(repo: Path, renderer: FakeRenderer) -> None:
    app = repo / "apps" / "web"
    first = _run(app)
    assert _run(app).out == first.out
    assert len(renderer.calls) == 1
    (app / "values-dev.yaml").write_text("replicas: 2\n")
    _run(app)
    assert len(renderer.calls) == 2, "a file looked for and absent appeared"
    (app / "values-dev.yaml").unlink()
    assert _run(app).out == first.out
    assert len(renderer.calls) == 2, "back to the first inputs: the first record still serves"
    assert RenderCache(repo.parent / "cache").stats().entries == 0


def test_clean_checkout_uses_head_and_dirty_one_does_not(repo: Path, renderer: FakeRenderer) -> None:
    app = repo / "apps" / "web"
    _git_repo(repo)
    _run(app)
    cache = RenderCache(repo.parent / "cache")
    assert cache.stats().entries == 1, "HEAD of a clean tree is an exact key"
    (app / "main.py").write_text("graph = 2\n")
    dirty = _run(app)
    assert b"graph = 2" in dirty.out
    assert cache.stats().entries == 1, "a dirty tree has no commit to key on"
    assert len(renderer.calls) == 2


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"PYKRO_ENVIRONMENT": "dev"}, {"PYKRO_ENVIRONMENT": "prod"}),
        ({"PYKRO_MODE": "kro"}, {"PYKRO_MODE": "direct"}),
        ({"PYKRO_ENVIRONMENT": "dev"}, {"PYKRO_ENVIRONMENT": "dev", "PYKRO_MODE": "direct"}),
    ],
    ids=["environment", "mode", "mode-added"],
)
def test_request_values_are_part_of_the_key(
    repo: Path, renderer: FakeRenderer, first: dict[str, str], second: dict[str, str]
) -> None:
    app = repo / "apps" / "web"
    revision = {"ARGOCD_APP_REVISION": "c" * 40}
    one = _run(app, {**revision, **first})
    two = _run(app, {**revision, **second})
    assert len(renderer.calls) == 2
    assert one.out != two.out
    assert _run(app, {**revision, **first}).out == one.out
    assert len(renderer.calls) == 2


def test_app_path_is_part_of_the_key(repo: Path, renderer: FakeRenderer) -> None:
    other = repo / "apps" / "api"
    other.mkdir()
    (other / "main.py").write_text("graph = 1\n")
    revision = {"ARGOCD_APP_REVISION": "d" * 40}
    _run(repo / "apps" / "web", {**revision, "ARGOCD_APP_SOURCE_PATH": "apps/web"})
    _run(other, {**revision, "ARGOCD_APP_SOURCE_PATH": "apps/api"})
    assert [call[0] for call in renderer.calls] == ["apps/web", "apps/api"]


def test_no_cache_flag_always_renders_and_writes_nothing(repo: Path, renderer: FakeRenderer) -> None:
    app = repo / "apps" / "web"
    assert _run(app, argv=["--no-cache"]).code == 0
    assert _run(app, argv=["--no-cache"]).code == 0
    assert len(renderer.calls) == 2
    assert not (repo.parent / "cache").exists()


def test_corrupted_cache_is_rendered_again(repo: Path, renderer: FakeRenderer) -> None:
    app = repo / "apps" / "web"
    revision = {"ARGOCD_APP_REVISION": "e" * 40}
    first = _run(app, revision)
    files = [p for p in (repo.parent / "cache").rglob("*") if p.is_file()]
    assert len(files) == 2
    for path in files:
        data = path.read_bytes()
        path.write_bytes(data[:-10] + bytes(b ^ 0xFF for b in data[-10:]))
    again = _run(app, revision)
    assert (again.code, again.out) == (0, first.out)
    assert len(renderer.calls) == 2
    cache = RenderCache(repo.parent / "cache")
    assert (cache.stats().entries, cache.stats().input_records) == (1, 1), "bad entries replaced by good ones"


def test_unwritable_cache_warns_once_and_renders(repo: Path, renderer: FakeRenderer, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    result = _run(repo / "apps" / "web", {"ARGOCD_APP_REVISION": "f" * 40}, cache=blocker / "cache")
    assert result.code == 0 and b"kind: ConfigMap" in result.out
    assert result.err.count("\n") == 1
    assert result.err.startswith("pykro: warning: cannot write the render cache")


def test_bad_inputs_from_the_renderer_only_skip_caching(repo: Path, renderer: FakeRenderer) -> None:
    renderer.inputs = {"/abs/path.py": None}
    result = _run(repo / "apps" / "web")
    assert result.code == 0 and b"kind: ConfigMap" in result.out
    assert result.err.startswith("pykro: warning: not caching this render: input path '/abs/path.py'")


# -- main: environment default, errors, output --------------------------------------------


@pytest.mark.parametrize(
    ("environments", "code", "expected"),
    [
        (("dev",), 0, "name: dev-default"),
        (
            ("dev", "prod"),
            1,
            "pykro: no environment given and pykro.yaml defines 2: dev, prod; set the Application's plugin"
            " parameter 'environment' (or plugin env PYKRO_ENVIRONMENT)\n",
        ),
        ((), 1, "pykro: pykro.yaml defines no environment; add one to render this application\n"),
    ],
    ids=["only-one-is-used", "several-is-an-error", "none-is-an-error"],
)
def test_default_environment(
    repo: Path,
    renderer: FakeRenderer,
    monkeypatch: pytest.MonkeyPatch,
    environments: tuple[str, ...],
    code: int,
    expected: str,
) -> None:
    monkeypatch.setattr(generate, "_load_project", lambda app_dir: FakeProject(environments))
    result = _run(repo / "apps" / "web")
    assert result.code == code
    if code == 0:
        assert expected in result.out.decode()
    else:
        assert (result.out, result.err) == (b"", expected)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            PykroError("image must be a string", file="apps/web/main.py", line=3, path="spec.containers[0].image"),
            "pykro: apps/web/main.py:3: spec.containers[0].image: image must be a string\n",
        ),
        (RenderError("first line\n  second line"), "pykro: first line; second line\n"),
        (RuntimeError("boom"), "pykro: RuntimeError: boom\n"),
        (KeyError("x"), "pykro: KeyError: 'x'\n"),
    ],
    ids=["pykro-error", "multi-line-message", "unexpected", "unexpected-key-error"],
)
def test_errors_are_one_line_on_stderr_and_nothing_on_stdout(
    repo: Path, renderer: FakeRenderer, error: BaseException, expected: str
) -> None:
    renderer.error = error
    result = _run(repo / "apps" / "web")
    assert (result.code, result.out, result.err) == (1, b"", expected)


def test_traceback_only_with_pykro_debug(repo: Path, renderer: FakeRenderer) -> None:
    renderer.error = RuntimeError("boom")
    result = _run(repo / "apps" / "web", {"PYKRO_DEBUG": "1"})
    assert result.code == 1 and result.out == b""
    assert result.err.startswith("pykro: RuntimeError: boom\nTraceback (most recent call last):")


@pytest.mark.parametrize("text", ["", "\n\n", "   "], ids=["empty", "newlines", "spaces"])
def test_empty_output_is_an_error(repo: Path, renderer: FakeRenderer, text: str) -> None:
    renderer.text = text
    result = _run(repo / "apps" / "web")
    assert (result.code, result.out) == (1, b"")
    assert result.err.startswith("pykro: environment 'dev' renders no objects; Argo CD would prune every resource")


def test_output_is_written_once_to_the_binary_buffer(repo: Path, renderer: FakeRenderer) -> None:
    class Buffer(io.BytesIO):
        writes = 0

        def write(self, data):  # type: ignore[no-untyped-def,override]
            Buffer.writes += 1
            return super().write(data)

    buffer = Buffer()
    stdout = io.TextIOWrapper(buffer, encoding="utf-8")
    code = generate.main(
        [], environ={"PYKRO_CACHE_DIR": str(repo.parent / "c")}, cwd=str(repo / "apps" / "web"), stdout=stdout,
        stderr=io.StringIO(),
    )
    assert code == 0
    assert Buffer.writes == 1
    assert buffer.getvalue().startswith(b"apiVersion: v1\nkind: ConfigMap\n")


def test_text_stream_without_buffer_gets_text(repo: Path, renderer: FakeRenderer) -> None:
    out = io.StringIO()
    code = generate.main([], environ={"PYKRO_CACHE_DIR": str(repo.parent / "c")}, cwd=str(repo / "apps" / "web"), stdout=out, stderr=io.StringIO())
    assert code == 0 and out.getvalue().startswith("apiVersion: v1\n")


@pytest.mark.parametrize(
    ("argv", "code", "err"),
    [
        (["--bogus"], 2, "pykro: generate: unknown argument '--bogus'; usage: pykro generate"),
        (["-e"], 2, "pykro: generate: -e needs a value; usage: pykro generate"),
        (["--mode"], 2, "pykro: generate: --mode needs a value"),
        (["--help"], 0, "usage: pykro generate [--environment ENV] [--mode MODE] [--no-cache]"),
        (["--environment=prod", "--mode", "direct"], 0, ""),
        (["-e", "prod"], 0, ""),
    ],
    ids=["unknown", "missing-value", "missing-mode-value", "help", "equals-form", "short-form"],
)
def test_arguments(repo: Path, renderer: FakeRenderer, argv: list[str], code: int, err: str) -> None:
    result = _run(repo / "apps" / "web", argv=argv)
    assert result.code == code
    assert result.err.startswith(err)
    if code == 0 and not err:
        assert renderer.calls[-1][1] == "prod"


# -- KUBE_API_VERSIONS ------------------------------------------------------------------


SERVED = "apps/v1,apps/v1/Deployment,kro.run/v1alpha1,kro.run/v1alpha1/ResourceGraphDefinition,v1,v1/ConfigMap"


@pytest.mark.parametrize(
    ("kinds", "defines", "served", "warnings"),
    [
        ((("v1", "ConfigMap"), ("apps/v1", "Deployment")), (), SERVED, []),
        ((("v1", "ConfigMap"),), (), "", []),
        (
            (("apps/v1", "StatefulSet"),),
            (),
            SERVED,
            ["the destination cluster serves apps/v1 but not kind StatefulSet; install its CRD first, or fix the kind"],
        ),
        (
            (("batch/v1", "Job"), ("v1", "ConfigMap")),
            (),
            SERVED,
            [
                "the destination cluster does not serve batch/v1 (kind Job); install its CRD or controller first,"
                " or fix the apiVersion"
            ],
        ),
        ((("apps/v1", "StatefulSet"),), (), "apps/v1,v1", []),
        (
            (("kro.run/v1alpha1", "ResourceGraphDefinition"), ("kro.run/v1alpha1", "WebApp")),
            (("kro.run/v1alpha1", "WebApp"),),
            SERVED,
            [],
        ),
    ],
    ids=["all-served", "unset", "kind-missing", "group-version-missing", "list-without-kinds", "rgd-defined-kind"],
)
def test_kube_api_versions_warnings(
    repo: Path,
    renderer: FakeRenderer,
    kinds: tuple[tuple[str, str], ...],
    defines: tuple[tuple[str, str], ...],
    served: str,
    warnings: list[str],
) -> None:
    renderer.kinds, renderer.defines = kinds, defines
    env = {"KUBE_API_VERSIONS": served, "ARGOCD_APP_REVISION": "1" * 40}
    expected = "".join(f"pykro: warning: {w}\n" for w in warnings)
    miss = _run(repo / "apps" / "web", env)
    hit = _run(repo / "apps" / "web", env)
    assert (miss.code, miss.err) == (0, expected)
    assert (hit.code, hit.err, hit.out) == (0, expected, miss.out), "a cache hit warns the same"
    assert len(renderer.calls) == 1


# -- the cache-hit path imports nothing heavy; SIGTERM; concurrency ---------------------------


HEAVY = (
    "click", "yaml", "ruamel", "celpy", "jsonschema", "git", "pykro.project", "json", "subprocess",
    "argparse", "dataclasses", "pathlib", "typing",
)  # fmt: skip

RUNNER = textwrap.dedent(
    '''
    import hashlib, os, sys, time

    import pykro.argocd.generate as generate


    class Rendered:
        def __init__(self, text, inputs):
            self.text, self.inputs = text, inputs
            self.kinds, self.defines = (("v1", "ConfigMap"),), ()


    def render(app_dir, environment, mode, *, repo_root):
        if os.environ.get("FAKE_STARTED"):
            open(os.environ["FAKE_STARTED"], "w").close()
        time.sleep(float(os.environ.get("FAKE_SLEEP", "0")))
        if os.environ.get("FAKE_COUNT"):
            with open(os.environ["FAKE_COUNT"], "a") as handle:
                handle.write("x")
        main = app_dir / "main.py"
        text = f"apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: {environment}\\n" + "# pad\\n" * 2000
        return Rendered(text, {main.relative_to(repo_root).as_posix(): hashlib.sha256(main.read_bytes()).hexdigest()})


    generate._render = render
    if os.environ.get("FAKE_TERM_ON_REPLACE"):
        real_replace = os.replace

        def replace(src, dst):
            os.kill(os.getpid(), 15)
            time.sleep(5)
            return real_replace(src, dst)

        os.replace = replace
    code = generate.main(sys.argv[1:])
    if os.environ.get("FAKE_REPORT_MODULES"):
        heavy = {heavy!r}
        print("\\n".join(sorted(m for m in sys.modules if m.split(".")[0] in heavy or m in heavy)), file=sys.stderr)
    sys.exit(code)
    '''
).replace("{heavy!r}", repr(HEAVY))


@pytest.fixture
def runner(tmp_path: Path) -> Path:
    path = tmp_path / "runner.py"
    path.write_text(RUNNER)
    return path


def _spawn(runner: Path, app: Path, env: Mapping[str, str], *args: str) -> subprocess.Popen[bytes]:
    environ = {**os.environ, "PYKRO_CACHE_DIR": str(app.parents[2] / "cache"), "PYKRO_ENVIRONMENT": "dev", **env}
    return subprocess.Popen(
        [sys.executable, str(runner), *args], cwd=app, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_cache_hit_imports_nothing_heavy(repo: Path, runner: Path) -> None:
    app = repo / "apps" / "web"
    env = {"ARGOCD_APP_REVISION": "2" * 40, "ARGOCD_APP_PARAMETERS": "null", "FAKE_REPORT_MODULES": "1"}
    miss = _spawn(runner, app, env)
    miss_out, miss_err = miss.communicate(timeout=60)
    assert miss.returncode == 0, miss_err
    assert b"pathlib" in miss_err, "the miss path does load the renderer's needs"
    hit = _spawn(runner, app, env)
    out, err = hit.communicate(timeout=60)
    assert (hit.returncode, out) == (0, miss_out)
    loaded = err.decode().split()
    by_package = subprocess.run(
        [sys.executable, "-c", f"import sys, pykro; print(*sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} or m in {HEAVY!r}))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    assert sorted(set(loaded) - set(by_package)) == [], "the hit path itself imports nothing heavy"
    assert by_package == [], "importing pykro itself must stay lazy (PEP 562)"
    assert loaded == []


def _no_temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob(".tmp.*")]


def _wait_for(path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)


def test_sigterm_during_render_exits_143_quickly_with_no_output(repo: Path, runner: Path, tmp_path: Path) -> None:
    started = tmp_path / "started"
    process = _spawn(runner, repo / "apps" / "web", {"FAKE_SLEEP": "30", "FAKE_STARTED": str(started)})
    _wait_for(started)
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=10)
    assert time.monotonic() - sent < 1.0
    assert (process.returncode, out, err) == (143, b"", b"")
    assert _no_temp_files(repo.parent) == []


def test_sigterm_while_storing_removes_the_temp_file(repo: Path, runner: Path) -> None:
    process = _spawn(runner, repo / "apps" / "web", {"FAKE_TERM_ON_REPLACE": "1"})
    out, err = process.communicate(timeout=10)
    assert (process.returncode, out, err) == (143, b"", b"")
    cache = repo.parent / "cache"
    assert cache.is_dir(), "the store had begun"
    assert _no_temp_files(cache) == []
    assert [p for p in cache.rglob("*") if p.is_file()] == []


@pytest.mark.slow
def test_sixteen_concurrent_generates(repo: Path, runner: Path, tmp_path: Path) -> None:
    count = tmp_path / "renders"
    app = repo / "apps" / "web"
    envs = [{"FAKE_COUNT": str(count), "FAKE_SLEEP": "0.2", "PYKRO_ENVIRONMENT": "dev" if i % 4 else "prod"} for i in range(16)]
    processes = [_spawn(runner, app, env) for env in envs]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in processes]
    assert all(code == 0 and err == b"" for _, err, code in results), results
    outputs = {env["PYKRO_ENVIRONMENT"]: set() for env in envs}
    for env, (out, _, _) in zip(envs, results):
        outputs[env["PYKRO_ENVIRONMENT"]].add(out)
    assert {k: len(v) for k, v in outputs.items()} == {"dev": 1, "prod": 1}, "same request, same bytes"
    assert b"name: prod" in outputs["prod"].pop()
    cache_dir = repo.parent / "cache"
    assert _no_temp_files(cache_dir) == []
    cache = RenderCache(cache_dir)
    assert (cache.stats().entries, cache.stats().input_records) == (0, 2)
    renders_before = count.read_text().count("x")
    after = _spawn(runner, app, {"FAKE_COUNT": str(count)})
    assert after.communicate(timeout=60)[1] == b""
    assert count.read_text().count("x") == renders_before, "the cache left behind serves the next run"


# -- parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environments", "required", "default"),
    [(("dev",), False, "dev"), (("dev", "prod"), True, None), ((), True, None)],
    ids=["one-environment", "several", "none"],
)
def test_parameters_announcement(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, environments: tuple[str, ...], required: bool, default: str | None
) -> None:
    seen: list[Path] = []

    def load(app_dir: Path) -> FakeProject:
        seen.append(app_dir)
        return FakeProject(environments, "direct")

    monkeypatch.setattr(parameters, "_load_project", load)
    out, err = io.StringIO(), io.StringIO()
    assert parameters.main([], environ={}, cwd=str(tmp_path), stdout=out, stderr=err) == 0
    assert (seen, err.getvalue()) == ([tmp_path], "")
    text = out.getvalue()
    announced = json.loads(text)
    assert text == json.dumps(announced, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    environment, mode = announced
    assert environment["name"] == "environment" and environment["required"] is required
    assert environment.get("string") == default
    assert all(name in environment["tooltip"] for name in environments)
    assert environment["collectionType"] == mode["collectionType"] == "string"
    assert (mode["name"], mode["string"], mode["required"]) == ("mode", "direct", False)


def test_parameters_errors(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def load(app_dir: Path) -> FakeProject:
        raise ProjectError("pykro.yaml not found; create one", file=str(app_dir / "pykro.yaml"))

    monkeypatch.setattr(parameters, "_load_project", load)
    out, err = io.StringIO(), io.StringIO()
    assert parameters.main([], environ={}, cwd=str(tmp_path), stdout=out, stderr=err) == 1
    assert (out.getvalue(), err.getvalue()) == ("", f"pykro: {tmp_path / 'pykro.yaml'}: pykro.yaml not found; create one\n")
    err = io.StringIO()
    assert parameters.main(["--bogus"], environ={}, cwd=str(tmp_path), stdout=out, stderr=err) == 2
    assert err.getvalue() == "pykro: parameters: unknown argument '--bogus'; usage: pykro parameters\n"


# -- with the real renderer (pykro.project) ----------------------------------------------------

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "webapp"


@pytest.fixture
def example_repo(tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root / "apps" / "webapp", ignore=shutil.ignore_patterns("__pycache__"))
    _git_repo(root)
    return root / "apps" / "webapp"


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_real_render_is_cached_and_served_identically(example_repo: Path, environment: str) -> None:
    from pykro.project import render

    expected = render(example_repo, environment, repo_root=example_repo.parents[1])
    env = {"PYKRO_ENVIRONMENT": environment, "PYTHONDONTWRITEBYTECODE": "1"}
    miss = _run(example_repo, env)
    assert (miss.code, miss.err) == (0, "")
    assert miss.out == expected.text.encode()
    cache = RenderCache(example_repo.parents[2] / "cache")
    assert (cache.stats().entries, cache.stats().input_records) == (1, 1), "clean checkout: exact key and inputs"
    assert all(not path.startswith("/") for path in expected.inputs)
    assert _run(example_repo, env).out == miss.out
    assert _run(example_repo, {**env, "ARGOCD_APP_REVISION": "9" * 40}).out == miss.out, "inputs hit, new commit"
    assert cache.stats().entries == 1


_READS_ITS_OWN_FILES = """
from pathlib import Path
TAG = Path(__file__).with_name("tag.txt").read_text().strip()
try:
    from overrides import SUFFIX
except ImportError:
    SUFFIX = ""
"""


def test_files_a_graph_reads_itself_are_inputs(example_repo: Path) -> None:
    # A graph module that opens a file of its own, or imports one only if it exists, depends on
    # it although neither goes through pykro: a new commit changing it must render anew.
    module = example_repo / "graphs" / "webapp.py"
    source = module.read_text().replace('f"{schema.spec.name}-svc"', 'f"{schema.spec.name}-svc-{TAG}{SUFFIX}"')
    module.write_text(_READS_ITS_OWN_FILES + source)
    (module.parent / "tag.txt").write_text("a\n")
    env = {"PYKRO_ENVIRONMENT": "prod", "PYTHONDONTWRITEBYTECODE": "1"}

    def service_name(commit: str) -> str:
        result = _run(example_repo, {**env, "ARGOCD_APP_REVISION": commit * 40})
        assert (result.code, result.err) == (0, ""), result.err
        (svc,) = [d for d in yaml.safe_load_all(result.out) if d["kind"] == "Service"]
        return str(svc["metadata"]["name"])

    assert service_name("1") == "web-svc-a"
    assert service_name("2") == "web-svc-a", "nothing changed: the inputs record answers"
    (module.parent / "tag.txt").write_text("b\n")
    assert service_name("3") == "web-svc-b", "a file the module opened is an input"
    (module.parent / "overrides.py").write_text('SUFFIX = "-o"\n')
    assert service_name("4") == "web-svc-b-o", "a module that now exists changes what the import finds"
    (module.parent / "overrides.py").unlink()
    assert service_name("5") == "web-svc-b"
    inputs = render_inputs(example_repo)
    assert inputs["apps/webapp/graphs/tag.txt"] is not None and "apps/webapp/graphs/" in inputs
    assert not any("__pycache__" in path for path in inputs)


def render_inputs(app: Path) -> Mapping[str, str | None]:
    from pykro.project import render

    return render(app, "prod", repo_root=app.parents[1]).inputs


def test_an_ignored_input_is_not_hidden_by_a_clean_head(example_repo: Path) -> None:
    root = example_repo.parents[1]
    (root / ".gitignore").write_text("local.yaml\n")
    _git(root, "add", ".gitignore")
    _git(root, "commit", "-qm", "ignore local values")
    config = example_repo / "pykro.yaml"
    text = config.read_text().replace("  prod:\n", "  prod:\n    valueFiles: [local.yaml]\n", 1)
    config.write_text(text.replace("name: web, replicas: 3,", "name: web,"))
    _git(root, "commit", "-qam", "prod reads local.yaml")
    local = example_repo / "local.yaml"
    env = {"PYKRO_ENVIRONMENT": "prod", "PYTHONDONTWRITEBYTECODE": "1"}
    local.write_text("webapp: {replicas: 4}\n")
    assert b"replicas: 4" in _run(example_repo, env).out
    local.write_text("webapp: {replicas: 7}\n")
    assert _git(root, "status", "--porcelain") == "", "git itself sees nothing changed"
    assert b"replicas: 7" in _run(example_repo, env).out


def test_real_render_unknown_environment_is_one_line(example_repo: Path) -> None:
    result = _run(example_repo, {"PYKRO_ENVIRONMENT": "staging"})
    assert (result.code, result.out) == (1, b"")
    assert result.err.count("\n") == 1
    assert result.err.startswith("pykro: ") and "unknown environment 'staging'" in result.err


def test_mode_default_follows_each_environment() -> None:
    same = parameters.announcement(("dev", "prod"), "kro", ("kro", "direct"), {"dev": "direct", "prod": "direct"})
    assert same[1]["string"] == "direct"
    mixed = parameters.announcement(("dev", "prod"), "kro", ("kro", "direct"), {"dev": "kro", "prod": "direct"})
    assert "string" not in mixed[1], "no single default would be true"
    assert mixed[1]["tooltip"].endswith("Default: the environment's own mode (dev: kro, prod: direct)")


_EMPTY_GRAPH = '''
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
'''


@pytest.mark.parametrize("allow_empty", [False, True], ids=["refused", "intended"])
def test_real_empty_render_follows_allow_empty(example_repo: Path, allow_empty: bool) -> None:
    (example_repo / "graphs" / "webapp.py").write_text(_EMPTY_GRAPH)
    project = example_repo / "pykro.yaml"
    if allow_empty:
        project.write_text(project.read_text().replace("mode: direct", "mode: direct\n    allowEmpty: true"))
    result = _run(example_repo, {"PYKRO_ENVIRONMENT": "prod"})
    assert result.out == b""
    if allow_empty:
        assert (result.code, result.err) == (0, ""), "the project says an empty app is intended"
    else:
        assert result.code == 1 and "renders no objects" in result.err and "allowEmpty" in result.err
