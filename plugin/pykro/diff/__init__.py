"""What a change does to the rendered YAML: the reviewer's view of a pull request.

``diff_project(repo, app, base="origin/main")`` renders every environment of
an application at the base revision and at the head (a revision, or the
working tree), pairs the objects by group, kind, namespace and name (never
by position, so a reordering is not a change) and gives a unified diff of
each changed object. Secret values are never shown: they are replaced by a
short hash, so a changed secret still shows as changed.

For RGDs it also reports schema changes kro refuses without the annotation
``kro.run/allow-breaking-changes: "true"`` (a field removed, its type
changed, a field newly required), before the cluster does.

The conventions of the field: exit 0 when nothing differs, 1 when something
does, 2 on error (``pykro diff``).
"""

from __future__ import annotations

import difflib
import hashlib
import io
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..errors import ProjectError, PykroError

__all__ = ["ObjectChange", "EnvironmentDiff", "ProjectDiff", "diff_project", "mask_secrets", "breaking_changes"]

ALLOW_BREAKING = "kro.run/allow-breaking-changes"
_MASK = "<masked sha256:{}>"


@dataclass(frozen=True)
class ObjectChange:
    """One object added, removed or changed: ``key`` is (group, kind, namespace, name)."""

    key: tuple[str, str, str, str]
    change: str  # "added" | "removed" | "changed"
    diff: str  # unified diff of the object's YAML
    breaking: tuple[str, ...] = ()  # for RGDs: schema changes kro refuses

    @property
    def title(self) -> str:
        group, kind, namespace, name = self.key
        kind_text = f"{kind}.{group}" if group else kind
        return f"{kind_text} {namespace + '/' if namespace else ''}{name}"


@dataclass(frozen=True)
class EnvironmentDiff:
    environment: str
    mode: str
    changes: tuple[ObjectChange, ...] = ()
    error: str | None = None  # the head (or base) failed to render

    @property
    def counts(self) -> dict[str, int]:
        out = {"added": 0, "changed": 0, "removed": 0}
        for c in self.changes:
            out[c.change] += 1
        return out


@dataclass(frozen=True)
class ProjectDiff:
    app: str
    base: str
    head: str
    environments: tuple[EnvironmentDiff, ...] = field(default_factory=tuple)

    @property
    def has_changes(self) -> bool:
        return any(e.changes for e in self.environments)

    @property
    def has_errors(self) -> bool:
        return any(e.error for e in self.environments)

    def text(self) -> str:
        out = []
        for env in self.environments:
            if env.error:
                out.append(f"# {env.environment} ({env.mode}): ERROR {env.error}\n")
                continue
            if not env.changes:
                continue
            c = env.counts
            out.append(
                f"# {env.environment} ({env.mode}): {c['added']} added, {c['changed']} changed, {c['removed']} removed\n"
            )
            for change in env.changes:
                for warning in change.breaking:
                    out.append(f"# BREAKING {change.title}: {warning}\n")
                out.append(change.diff)
        return "".join(out)

    def markdown(self) -> str:
        """For a pull-request comment: a summary table, then a ``diff`` block per object."""
        lines = [f"### pykro: `{self.app}` rendered, `{self.base}` → `{self.head}`", ""]
        lines += ["| environment | mode | added | changed | removed |", "|---|---|---|---|---|"]
        for env in self.environments:
            if env.error:
                lines.append(f"| {env.environment} | {env.mode} | error | error | error |")
            else:
                c = env.counts
                lines.append(f"| {env.environment} | {env.mode} | {c['added']} | {c['changed']} | {c['removed']} |")
        for env in self.environments:
            if env.error:
                lines += ["", f"**{env.environment}**: failed to render: `{env.error}`"]
            for change in env.changes:
                lines += ["", f"<details><summary>{env.environment}: {change.change} {change.title}</summary>", ""]
                for warning in change.breaking:
                    lines.append(f"> **Breaking for kro**: {warning}")
                fence = "````" if "```" in change.diff else "```"
                lines += [fence + "diff", change.diff.rstrip("\n"), fence, "", "</details>"]
        return "\n".join(lines) + "\n"


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0] if "/" in api_version else ""


def _key(doc: Mapping[str, Any]) -> tuple[str, str, str, str]:
    meta = doc.get("metadata") or {}
    return (_group(str(doc.get("apiVersion", ""))), str(doc.get("kind", "")), str(meta.get("namespace") or ""),
            str(meta.get("name") or ""))  # fmt: skip


def mask_secrets(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A Secret with each ``data``/``stringData`` value replaced by a short hash of it."""
    doc = dict(doc)
    if doc.get("kind") != "Secret" or _group(str(doc.get("apiVersion", ""))) != "":
        return doc
    for section in ("data", "stringData"):
        values = doc.get(section)
        if isinstance(values, dict):
            doc[section] = {
                k: _MASK.format(hashlib.sha256(str(v).encode()).hexdigest()[:12]) for k, v in values.items()
            }
    return doc


def _yaml(doc: Mapping[str, Any] | None) -> list[str]:
    from ..yamlout import dump

    return [] if doc is None else dump(mask_secrets(doc)).splitlines(keepends=True)


def breaking_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, ...]:
    """Schema changes of an RGD that kro refuses without ``kro.run/allow-breaking-changes``."""
    from ..simpleschema import to_openapi

    def schema_of(rgd: Mapping[str, Any]) -> dict[str, Any]:
        schema = (rgd.get("spec") or {}).get("schema") or {}
        return to_openapi(dict(schema.get("spec") or {}), dict(schema.get("types") or {}) or None)

    annotations = (new.get("metadata") or {}).get("annotations") or {}
    if str(annotations.get(ALLOW_BREAKING, "")).lower() == "true":
        return ()
    try:
        before, after = schema_of(old), schema_of(new)
    except PykroError:
        return ()  # the head's own validation reports a broken schema
    found: list[str] = []
    old_schema = (old.get("spec") or {}).get("schema") or {}
    new_schema = (new.get("spec") or {}).get("schema") or {}
    for key in ("group", "apiVersion", "kind"):
        if old_schema.get(key) != new_schema.get(key):
            found.append(f"spec.schema.{key} changed from {old_schema.get(key)!r} to {new_schema.get(key)!r}")
    _compare(before, after, "spec", found)
    return tuple(found)


def _compare(before: Mapping[str, Any], after: Mapping[str, Any], path: str, found: list[str]) -> None:
    if before.get("type") != after.get("type"):
        found.append(f"{path}: type changed from {before.get('type')} to {after.get('type')}")
        return
    old_props = before.get("properties") or {}
    new_props = after.get("properties") or {}
    for name in sorted(old_props):
        if name not in new_props:
            found.append(f"{path}.{name}: field removed")
        else:
            _compare(old_props[name], new_props[name], f"{path}.{name}", found)
    newly_required = sorted(set(after.get("required") or ()) - set(before.get("required") or ()))
    for name in newly_required:
        found.append(f"{path}.{name}: now required")
    if isinstance(before.get("items"), dict) and isinstance(after.get("items"), dict):
        _compare(before["items"], after["items"], f"{path}[]", found)


def _diff_documents(
    base_docs: list[dict[str, Any]], head_docs: list[dict[str, Any]], environment: str
) -> tuple[ObjectChange, ...]:
    base = {_key(d): d for d in base_docs}
    head = {_key(d): d for d in head_docs}
    changes = []
    order = [k for k in head] + [k for k in base if k not in head]
    for k in order:
        old, new = base.get(k), head.get(k)
        if old == new:
            continue
        title = "/".join(p for p in (k[1], k[2], k[3]) if p)
        text = "".join(
            difflib.unified_diff(_yaml(old), _yaml(new), f"a/{environment}/{title}", f"b/{environment}/{title}")
        )
        kind = "added" if old is None else "removed" if new is None else "changed"
        breaking: tuple[str, ...] = ()
        if kind == "changed" and k[1] == "ResourceGraphDefinition":
            breaking = breaking_changes(old, new)  # type: ignore[arg-type]
        changes.append(ObjectChange(k, kind, text, breaking))
    return tuple(changes)


def _extract(repo: Any, revision: str, into: Path) -> None:
    """The tree of ``revision`` in ``into`` (git archive: the repository itself is not touched)."""
    buffer = io.BytesIO()
    repo.archive(buffer, treeish=revision)
    buffer.seek(0)
    with tarfile.open(fileobj=buffer) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(into, filter="data")  # no links or paths leaving `into`
        else:  # pragma: no cover - Python < 3.11.4
            tar.extractall(into)


def _documents(app: Path, root: Path, environment: str, mode: str | None) -> list[dict[str, Any]]:
    from ..project import render

    return list(render(app, environment, mode, repo_root=root).documents)


def _environments(app: Path) -> dict[str, str]:
    from ..project import load_project

    project = load_project(app)
    return {name: env.mode for name, env in project.environment_configs.items()}


def diff_project(
    repo_dir: str | Path,
    app: str | Path,
    *,
    base: str,
    head: str | None = None,
    environments: tuple[str, ...] = (),
    mode: str | None = None,
) -> ProjectDiff:
    """Diff the renders of ``app`` (a path inside ``repo_dir``) between ``base`` and ``head``.

    ``head=None`` is the working tree as it is (uncommitted changes
    included), which is what a reviewer's CI checkout holds.
    """
    import git  # gitpython: only this command needs it

    root = Path(repo_dir).resolve()
    try:
        repo = git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise ProjectError(f"{root} is not a git repository", file=str(root)) from None
    app_path = (root / app).resolve() if not Path(app).is_absolute() else Path(app).resolve()
    try:
        rel = app_path.relative_to(root)
    except ValueError:
        raise ProjectError(f"{app} is not inside the repository {root}", file=str(app)) from None
    for rev in (base, head):
        if rev is None:
            continue
        try:
            repo.commit(rev)
        except (git.BadName, ValueError, git.GitCommandError):
            raise ProjectError(f"unknown revision {rev!r}", file=str(root)) from None

    with tempfile.TemporaryDirectory(prefix="pykro-diff-") as tmp:
        base_root = Path(tmp) / "base"
        base_root.mkdir()
        _extract(repo, base, base_root)
        if head is None:
            head_root = root
        else:
            head_root = Path(tmp) / "head"
            head_root.mkdir()
            _extract(repo, head, head_root)
        base_app, head_app = base_root / rel, head_root / rel
        head_envs = _environments(head_app)
        base_envs = _environments(base_app) if (base_app / "pykro.yaml").is_file() else {}
        names = environments or tuple(dict.fromkeys([*head_envs, *base_envs]))
        results = []
        for env in names:
            env_mode = mode or head_envs.get(env) or base_envs.get(env) or "kro"
            results.append(_diff_environment(env, env_mode, mode, base_app, base_root, base_envs,
                                             head_app, head_root, head_envs))  # fmt: skip
    return ProjectDiff(str(rel), base, head or "working tree", tuple(results))


def _diff_environment(env: str, env_mode: str, mode: str | None, base_app: Path, base_root: Path,
                      base_envs: Mapping[str, str], head_app: Path, head_root: Path,
                      head_envs: Mapping[str, str]) -> EnvironmentDiff:  # fmt: skip
    try:
        head_docs = _documents(head_app, head_root, env, mode) if env in head_envs else []
    except PykroError as exc:
        return EnvironmentDiff(env, env_mode, error=f"head: {exc}")
    try:
        base_docs = _documents(base_app, base_root, env, mode) if env in base_envs else []
    except PykroError as exc:
        return EnvironmentDiff(env, env_mode, error=f"base: {exc}")
    return EnvironmentDiff(env, env_mode, _diff_documents(base_docs, head_docs, env))


def iter_changes(diff: ProjectDiff) -> Iterator[tuple[str, ObjectChange]]:
    for env in diff.environments:
        for change in env.changes:
            yield env.environment, change
