"""Check a resource template against the Kubernetes JSON schema of its kind.

kro rejects a template with a field its target kind does not have, and the
API server rejects a wrong type when the rendered object is applied; both
can be caught here, before anything reaches a cluster. The schemas come
from the optional package ``kubernetes-validate`` (extra
``pykro[kubernetes-schemas]``, ~100 MB): it ships every Kubernetes minor
version's schemas, in a *strict* variant (``additionalProperties: false``)
that reports unknown fields. Only its data files are read; its own
``validate()`` is not used because it re-reads the 1.8 MB definitions file on
every call.

**Expressions.** A template's values may be ``${...}`` expressions whose
type is known only when kro evaluates them. Rather than substituting a
sample value of the expected type (which needs a valid sample for every
object, array and one-of position, required fields included), the template
is validated as written and the errors *located exactly at* a field holding
one whole ``${...}`` are dropped: every JSON Schema keyword that judges a
value reports at that value's path, while the keywords of its parent
(``required``, unknown fields) do not depend on the value and are kept. For
``anyOf``/``oneOf`` reported above such a field, the error is dropped when
some branch fails only at expression fields. A string template
(``"a-${x}"``) is a string: a type error there is kept, while the errors
about its content (``pattern``, ``enum``, lengths, ``format``) are dropped,
as the content is unknown.

Kinds the package has no schema for (custom resources, kro instances) are
not checked: :func:`check_template` returns no problems for them, and
:func:`has_schema` says whether a kind was checked.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
from typing import Any

from ..errors import CelError, PykroError
from ._messages import describe, json_type
from ._problem import Problem, format_path, sort_key

__all__ = ["check_template", "has_schema", "kubernetes_versions", "SchemaUnavailable", "INSTALL_HINT"]

INSTALL_HINT = "install pykro[kubernetes-schemas] (pip install 'pykro[kubernetes-schemas]')"

_PACKAGE = "kubernetes_validate"
_VERSION_DIR = re.compile(r"v(\d+)\.(\d+)\.(\d+)-local-strict")
_VERSION_ARG = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)?")
# Keywords about a string's content, unknowable for a string template such as "a-${x}".
_CONTENT_KEYWORDS = frozenset({"pattern", "enum", "const", "format", "minLength", "maxLength"})

Segments = tuple[str | int, ...]


class SchemaUnavailable(PykroError):
    """The Kubernetes schemas cannot be used: the optional package is missing, or lacks the version asked for."""


def _schema_root() -> str:
    """The directory of the schemas ``kubernetes-validate`` ships, found without importing it."""
    spec = importlib.util.find_spec(_PACKAGE)
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    for location in locations:
        root = os.path.join(location, "kubernetes-json-schema")
        if os.path.isdir(root):
            return root
    raise SchemaUnavailable(
        "the Kubernetes JSON schemas are not installed (package kubernetes-validate)", hint=INSTALL_HINT
    )


@functools.lru_cache(maxsize=1)
def _shipped() -> dict[str, str]:
    """``{"1.37": "<dir of the strict 1.37 schemas>"}`` for every version the package ships."""
    root = _schema_root()
    found: dict[str, str] = {}
    for name in os.listdir(root):
        m = _VERSION_DIR.fullmatch(name)
        if m:
            found[f"{m[1]}.{m[2]}"] = os.path.join(root, name)
    return dict(sorted(found.items(), key=lambda kv: tuple(int(p) for p in kv[0].split("."))))


def kubernetes_versions() -> tuple[str, ...]:
    """The Kubernetes minor versions whose schemas are installed, oldest first (``"1.25"``...)."""
    return tuple(_shipped())


def _version_dir(version: str | None) -> str:
    shipped = _shipped()
    if not shipped:
        raise SchemaUnavailable("the installed kubernetes-validate ships no strict schemas", hint=INSTALL_HINT)
    if version is None:
        return shipped[next(reversed(shipped))]
    m = _VERSION_ARG.fullmatch(version.strip())
    key = f"{m[1]}.{m[2]}" if m else None
    if key is None or key not in shipped:
        names = list(shipped)
        raise SchemaUnavailable(
            f"no Kubernetes schemas for version {version!r}; installed: {names[0]} to {names[-1]}",
            hint="pick one of those (written like 1.30) or upgrade kubernetes-validate",
        )
    return shipped[key]


@functools.lru_cache(maxsize=4)
def _definitions(directory: str) -> Any:
    """The shared ``_definitions.json`` of one version, as a ``referencing`` resource (parsed once)."""
    from referencing import Resource

    with open(os.path.join(directory, "_definitions.json"), encoding="utf-8") as f:
        return Resource.from_contents(json.load(f))


def _gvk(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def _schema_file(directory: str, api_version: str, kind: str) -> str:
    """The file name kubernetes-validate uses: ``deployment-apps-v1.json``, ``service-v1.json``."""
    group, version = _gvk(api_version)
    group_label = group.split(".", 1)[0]
    name = f"{kind.lower()}-{group_label}-{version}" if group else f"{kind.lower()}-{version}"
    return os.path.join(directory, name + ".json")


@functools.lru_cache(maxsize=256)
def _validator(directory: str, api_version: str, kind: str) -> Any:
    """The validator of one kind, or None when no shipped schema is exactly that group, version and kind.

    The file name drops all but the group's first label, so the schema's own
    ``x-kubernetes-group-version-kind`` is compared: ``apps.example.com/v1
    Deployment`` is not ``apps/v1 Deployment``.
    """
    path = _schema_file(directory, api_version, kind)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    group, version = _gvk(api_version)
    if {"group": group, "version": version, "kind": kind} not in schema.get("x-kubernetes-group-version-kind", []):
        return None
    import jsonschema
    from referencing import Registry, Resource

    definitions = _definitions(directory)
    registry = Registry().with_resources(
        [(definitions.id(), definitions), (schema["$id"], Resource.from_contents(schema))]
    )
    return jsonschema.Draft202012Validator(schema, registry=registry)


def has_schema(api_version: str, kind: str, *, kubernetes_version: str | None = None) -> bool:
    """Whether :func:`check_template` knows the schema of this kind (raises :class:`SchemaUnavailable`)."""
    return _validator(_version_dir(kubernetes_version), api_version, kind) is not None


def _expression_fields(value: Any, segments: Segments, whole: set[Segments], templated: set[Segments]) -> None:
    """Collect the paths of fields that are one whole ``${...}`` (``whole``) or a string template."""
    if isinstance(value, dict):
        for key, item in value.items():
            _expression_fields(item, segments + (key,), whole, templated)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _expression_fields(item, segments + (index,), whole, templated)
    elif isinstance(value, str) and "${" in value:
        from ..graph.template import split

        try:
            parts = split(value)
        except CelError:
            return  # a malformed expression is the graph checks' business; validate it as a string
        if parts is None:
            return
        if len(parts) == 1 and parts[0][1]:
            whole.add(segments)
        else:
            templated.add(segments)


def _explained(error: Any, whole: set[Segments], templated: set[Segments]) -> bool:
    """Whether the error only says that an expression's value is not known to fit."""
    path: Segments = tuple(error.absolute_path)
    if path in whole:
        return True
    if path in templated and error.validator in _CONTENT_KEYWORDS:
        return True
    if error.validator in ("anyOf", "oneOf") and error.context:
        branches: dict[Any, list[Any]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        return any(all(_explained(e, whole, templated) for e in errs) for errs in branches.values())
    return False


def _is_expression(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


def check_template(obj: dict[str, Any], *, kubernetes_version: str | None = None) -> list[Problem]:
    """Every field of ``obj`` its kind's Kubernetes schema rejects, ``${...}`` values allowed anywhere.

    ``kubernetes_version`` is a minor version such as ``"1.30"``; the newest
    installed one by default. Returns ``[]`` for kinds without a shipped
    schema (see :func:`has_schema`). Raises :class:`SchemaUnavailable` when
    the optional schemas are not installed or lack that version, so that a
    caller can say what to install rather than report a check that did not run.
    """
    return problems_at((), template_problems(obj, kubernetes_version))


def template_problems(obj: Any, kubernetes_version: str | None) -> set[tuple[Segments, str]]:
    """:func:`check_template`'s findings as ``(path segments, message)``, for callers that prefix paths."""
    directory = _version_dir(kubernetes_version)
    if not isinstance(obj, dict):
        return {((), f"expected a Kubernetes object (a mapping), got {json_type(obj)}")}
    found: set[tuple[Segments, str]] = set()
    for field in ("apiVersion", "kind"):
        if not isinstance(obj.get(field), str) or not obj[field]:
            found.add(((field,), f'missing required field "{field}"'))
    if found:
        return found
    api_version, kind = obj["apiVersion"], obj["kind"]
    if _is_expression(api_version) or _is_expression(kind):
        return found  # the kind is known only at runtime
    validator = _validator(directory, api_version, kind)
    if validator is None:
        return found
    whole: set[Segments] = set()
    templated: set[Segments] = set()
    _expression_fields(obj, (), whole, templated)
    for error in validator.iter_errors(obj):
        if not _explained(error, whole, templated):
            found.update(describe(error, kind))
    return found


def problems_at(prefix: Segments, found: set[tuple[Segments, str]]) -> list[Problem]:
    """Problems in document order, their paths starting with ``prefix``."""
    ordered = sorted(found, key=lambda f: sort_key(f[0], f[1]))
    return [Problem(format_path(prefix + segments), message) for segments, message in ordered]
