"""Check a ResourceGraphDefinition the way the API server admits it: kro v0.9.3's CRD.

``kubectl apply`` of an RGD goes through three steps this module repeats
offline, in the same order:

1. **Defaulting** from the CRD's structural schema (``default:``), after
   pruning ``null`` values of non-nullable fields, as the API server does.
   Without it, the schema rejects RGDs kro accepts (``spec.schema.scope`` is
   required in the schema and only ever filled by its default).
2. **OpenAPI v3 validation**, translated to JSON Schema 2020-12 for
   ``jsonschema``: ``nullable``, ``x-kubernetes-int-or-string``,
   ``x-kubernetes-preserve-unknown-fields``, list types, and unknown fields
   reported (``kubectl`` validates fields strictly by default) instead of
   pruned silently.
3. **The CRD's CEL rules** (``x-kubernetes-validations``). ``jsonschema``
   ignores them and evaluating Kubernetes CEL offline needs the apiserver's
   CEL environment, so each rule of the shipped CRD is written out in Python
   in :data:`RULES`. The CRD is read at check time and every rule in it must
   have its Python counterpart with the same message: a newer CRD with a new
   rule fails loudly (tests) instead of being skipped silently.

Transition rules (``oldSelf``, the immutability of ``spec.schema``'s GVK and
scope) are checked only when the previous object is given, as the API server
checks them only on update.

The CRD ships inside this package (``kro.run_resourcegraphdefinitions.yaml``,
Apache-2.0, from kubernetes-sigs/kro v0.9.3); pyyaml and jsonschema are
imported on first use only.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from ._messages import describe, json_type, quote
from ._problem import Problem, format_path, sort_key

__all__ = ["check_rgd", "CrdRule", "RULES", "KRO_VERSION", "openapi_schema"]

KRO_VERSION = "v0.9.3"
_CRD_FILE = "kro.run_resourcegraphdefinitions.yaml"
_API_VERSION = "kro.run/v1alpha1"
_KIND = "ResourceGraphDefinition"
_SERVED_VERSION = "v1alpha1"

# metadata.name of a custom resource must be a DNS-1123 subdomain (apiextensions' strategy).
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_OLD_SELF = re.compile(r"\boldSelf\b")

Segments = tuple[str | int, ...]


# --- the CRD's CEL rules, in Python -----------------------------------------------------------


def _name_xor_selector(self: dict[str, Any], old: Any) -> bool:
    """``(has(self.name) && !has(self.selector)) || (!has(self.name) && has(self.selector))``."""
    return ("name" in self) != ("selector" in self)


def _template_xor_external_ref(self: dict[str, Any], old: Any) -> bool:
    """``(has(self.template) && !has(self.externalRef)) || (!has(self.template) && has(self.externalRef))``."""
    return ("template" in self) != ("externalRef" in self)


def _unchanged(self: Any, old: Any) -> bool:
    """``self == oldSelf``: the four immutable fields of ``spec.schema`` share this one rule text."""
    return bool(self == old)


@dataclass(frozen=True, slots=True)
class CrdRule:
    """One ``x-kubernetes-validations`` entry of the CRD and the Python that decides it.

    ``location`` is the schema position, ``[*]`` standing for any list item.
    ``check(self, oldSelf)`` returns whether the rule holds.
    """

    location: str
    rule: str
    message: str
    check: Callable[[Any, Any], bool]

    @property
    def transition(self) -> bool:
        """Whether the rule reads ``oldSelf`` (checked only when the old object is known)."""
        return bool(_OLD_SELF.search(self.rule))


_NAME_XOR_SELECTOR = (
    "(has(self.name) && !has(self.selector)) || (!has(self.name) && has(self.selector))"
)
_TEMPLATE_XOR_EXTERNAL_REF = (
    "(has(self.template) && !has(self.externalRef)) || (!has(self.template) && has(self.externalRef))"
)

RULES: tuple[CrdRule, ...] = (
    CrdRule(
        "spec.resources[*]",
        _TEMPLATE_XOR_EXTERNAL_REF,
        "exactly one of template or externalRef must be provided",
        _template_xor_external_ref,
    ),
    CrdRule(
        "spec.resources[*].externalRef.metadata",
        _NAME_XOR_SELECTOR,
        "exactly one of name or selector must be provided",
        _name_xor_selector,
    ),
    CrdRule("spec.schema.apiVersion", "self == oldSelf", "apiVersion is immutable", _unchanged),
    CrdRule("spec.schema.group", "self == oldSelf", "group is immutable", _unchanged),
    CrdRule("spec.schema.kind", "self == oldSelf", "kind is immutable", _unchanged),
    CrdRule("spec.schema.scope", "self == oldSelf", "scope is immutable", _unchanged),
)

# What to write instead, for the schema failures users actually make (keyed by location).
_HINTS: dict[tuple[str, str], str] = {
    ("spec.schema.kind", "pattern"): "write the kind in UpperCamelCase, at most 63 letters or digits (e.g. WebApp)",
    ("spec.schema.apiVersion", "pattern"): (
        "write only the version, such as v1, v1alpha1 or v2beta1; the group goes in spec.schema.group"
    ),
    ("spec.schema.scope", "enum"): "write Namespaced (the default) or Cluster",
    ("spec.resources[*].forEach[*]", "minProperties"): (
        'each forEach entry binds exactly one variable: {name: "${schema.spec.items}"}'
    ),
    ("spec.resources[*].forEach[*]", "maxProperties"): (
        'each forEach entry binds exactly one variable: write one entry per variable'
    ),
}


# --- the CRD ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def openapi_schema() -> dict[str, Any]:
    """The served version's ``openAPIV3Schema`` of the shipped CRD (parsed once)."""
    from importlib.resources import files

    import yaml

    text = files(__package__).joinpath(_CRD_FILE).read_text(encoding="utf-8")
    crd = yaml.safe_load(text)
    for version in crd["spec"]["versions"]:
        if version["name"] == _SERVED_VERSION:
            schema: dict[str, Any] = version["schema"]["openAPIV3Schema"]
            return schema
    raise RuntimeError(f"{_CRD_FILE} has no version {_SERVED_VERSION}")  # pragma: no cover - shipped data


def _normalise(rule: str) -> str:
    return " ".join(rule.split())


def _declared_rules(schema: dict[str, Any], location: str = "") -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(location, rule, entry)`` of every ``x-kubernetes-validations`` entry in the schema."""
    for entry in schema.get("x-kubernetes-validations", ()):
        yield location, _normalise(entry["rule"]), entry
    for key, sub in (schema.get("properties") or {}).items():
        yield from _declared_rules(sub, f"{location}.{key}" if location else key)
    if isinstance(schema.get("items"), dict):
        yield from _declared_rules(schema["items"], location + "[*]")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _declared_rules(schema["additionalProperties"], location + "[*]")


@functools.lru_cache(maxsize=1)
def _rule_table() -> dict[tuple[str, str], CrdRule]:
    """Every CRD rule mapped to its Python counterpart; a rule without one is a pykro bug."""
    table = {(r.location, _normalise(r.rule)): r for r in RULES}
    found: dict[tuple[str, str], CrdRule] = {}
    for location, rule, entry in _declared_rules(openapi_schema()):
        known = table.get((location, rule))
        if known is None or known.message != entry.get("message"):
            raise RuntimeError(
                f"pykro has no Python check for the CRD rule at {location}: {rule!r} "
                f"({entry.get('message')!r}); add it to pykro.check.crd.RULES"
            )
        found[(location, rule)] = known
    return found


# --- step 1: defaulting -----------------------------------------------------------------------


def _child_schema(schema: dict[str, Any], key: str) -> dict[str, Any] | None:
    props = schema.get("properties") or {}
    if key in props:
        sub: dict[str, Any] = props[key]
        return sub
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def _apply_defaults(value: Any, schema: dict[str, Any]) -> None:
    """Fill ``default:`` values in place, after pruning nulls the schema does not allow.

    The API server prunes a ``null`` of a non-nullable field before
    defaulting, so ``group: null`` becomes ``group: kro.run``.
    """
    if isinstance(value, dict):
        for key in list(value):
            sub = _child_schema(schema, key)
            if sub is not None and value[key] is None and not sub.get("nullable"):
                del value[key]
        for key, sub in (schema.get("properties") or {}).items():
            if key not in value and "default" in sub:
                value[key] = copy.deepcopy(sub["default"])
        for key, item in value.items():
            sub = _child_schema(schema, key)
            if sub is not None:
                _apply_defaults(item, sub)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            _apply_defaults(item, schema["items"])


def _defaulted(obj: Any) -> Any:
    value = copy.deepcopy(obj)
    _apply_defaults(value, openapi_schema())
    return value


# --- step 2: OpenAPI v3 -> JSON Schema --------------------------------------------------------

_PLAIN_KEYWORDS = frozenset(
    "type required enum minimum maximum minLength maxLength minItems maxItems "
    "minProperties maxProperties uniqueItems multipleOf".split()
)


def _go_pattern(pattern: str) -> str:
    """A Go (RE2) pattern as Python reads it: ``$`` and ``\\z`` mean end of text, not before a final newline."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            pair = pattern[i : i + 2]
            out.append("\\Z" if pair == "\\z" and not in_class else pair)
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "$":
            c = "\\Z"
        out.append(c)
        i += 1
    return "".join(out)


def _json_schema(node: dict[str, Any]) -> dict[str, Any]:
    """A structural OpenAPI v3 schema node as a JSON Schema 2020-12 node."""
    out: dict[str, Any] = {k: v for k, v in node.items() if k in _PLAIN_KEYWORDS}
    if "properties" in node:
        out["properties"] = {k: _json_schema(v) for k, v in node["properties"].items()}
    if isinstance(node.get("items"), dict):
        out["items"] = _json_schema(node["items"])
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out["additionalProperties"] = _json_schema(extra)
    elif isinstance(extra, bool):
        out["additionalProperties"] = extra
    elif "properties" in node and not node.get("x-kubernetes-preserve-unknown-fields"):
        # The API server would prune unknown fields; kubectl's strict field validation rejects them.
        out["additionalProperties"] = False
    for combinator in ("allOf", "anyOf", "oneOf"):
        if combinator in node:
            out[combinator] = [_json_schema(s) for s in node[combinator]]
    if "not" in node:
        out["not"] = _json_schema(node["not"])
    if "pattern" in node:
        out["pattern"] = _go_pattern(node["pattern"])
        out["x-go-pattern"] = node["pattern"]  # for messages; jsonschema ignores unknown keywords
    for bound in ("Minimum", "Maximum"):
        # OpenAPI 3.0 spells an exclusive bound as a flag on minimum/maximum.
        if node.get(f"exclusive{bound}") is True and bound.lower() in out:
            out[f"exclusive{bound}"] = out.pop(bound.lower())
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("x-kubernetes-list-type") == "set":
        out["uniqueItems"] = True
    if node.get("x-kubernetes-embedded-resource"):
        out["required"] = sorted({*out.get("required", ()), "apiVersion", "kind"})
    return out


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(_json_schema(openapi_schema()))


def _schema_location(schema_segments: Segments) -> str:
    """``spec.resources[*].id`` from a JSON Schema path such as ``properties/spec/properties/...``."""
    location = ""
    it = iter(schema_segments)
    for keyword in it:
        if keyword == "properties":
            name = str(next(it))
            location = f"{location}.{name}" if location else name
        elif keyword in ("items", "additionalProperties"):
            location += "[*]"
    return location


def _schema_problems(error: Any) -> Iterator[tuple[Segments, str]]:
    """The problems of one jsonschema error, with what to write instead where the CRD field is known."""
    hint = _HINTS.get((_schema_location(tuple(error.absolute_schema_path)[:-1]), error.validator))
    for segments, message in describe(error):
        yield segments, f"{message}; {hint}" if hint else message


# --- step 3: CEL rules ------------------------------------------------------------------------


def _typed(value: Any, schema: dict[str, Any]) -> bool:
    """Whether ``value`` has the schema's type (CEL rules run only on well-typed values)."""
    expected = schema.get("type")
    if expected is None:
        return True
    return json_type(value) == expected or (expected == "number" and json_type(value) == "integer")


def _list_key(item: Any, keys: list[str]) -> tuple[Any, ...] | None:
    if not isinstance(item, dict) or any(k not in item for k in keys):
        return None
    return tuple(quote(item[k]) for k in keys)


def _rule_problems(
    value: Any,
    schema: dict[str, Any],
    old: Any,
    has_old: bool,
    location: str,
    segments: Segments,
    table: dict[tuple[str, str], CrdRule],
) -> Iterator[tuple[Segments, str]]:
    """Evaluate the rules declared along the object, pairing each node with its old self.

    Old and new values are correlated the way the API server does: by field
    name through objects and maps, by key through ``x-kubernetes-list-type:
    map`` lists, and not at all through other lists.
    """
    if not _typed(value, schema):
        return
    for entry in schema.get("x-kubernetes-validations", ()):
        rule = table[(location, _normalise(entry["rule"]))]
        if rule.transition and not has_old:
            continue
        if not rule.check(value, old):
            where = segments
            field_path = entry.get("fieldPath")
            if field_path:
                where = segments + tuple(p for p in re.findall(r"[^.\[\]'\"]+", field_path))
            yield where, rule.message
    if isinstance(value, dict):
        for key, item in value.items():
            sub = _child_schema(schema, key)
            if sub is None:
                continue
            sub_location = location + "[*]" if key not in (schema.get("properties") or {}) else (
                f"{location}.{key}" if location else key
            )
            old_has = has_old and isinstance(old, dict) and key in old
            yield from _rule_problems(
                item, sub, old[key] if old_has else None, old_has, sub_location, segments + (key,), table
            )
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        items = schema["items"]
        old_by_key: dict[tuple[Any, ...], Any] = {}
        keys = schema.get("x-kubernetes-list-map-keys") or []
        if has_old and isinstance(old, list) and schema.get("x-kubernetes-list-type") == "map" and keys:
            for o in old:
                k = _list_key(o, keys)
                if k is not None:
                    old_by_key[k] = o
        for index, item in enumerate(value):
            k = _list_key(item, keys) if old_by_key else None
            old_has = k is not None and k in old_by_key
            yield from _rule_problems(
                item,
                items,
                old_by_key[k] if old_has and k is not None else None,
                old_has,
                location + "[*]",
                segments + (index,),
                table,
            )


# --- the object itself ------------------------------------------------------------------------


def _identity_problems(obj: dict[str, Any]) -> Iterator[tuple[Segments, str]]:
    """What the API server checks outside the schema: the type and the object's name."""
    if obj.get("apiVersion") != _API_VERSION:
        yield ("apiVersion",), f"expected {_API_VERSION}, got {quote(obj.get('apiVersion'))}"
    if obj.get("kind") != _KIND:
        yield ("kind",), f"expected {_KIND}, got {quote(obj.get('kind'))}"
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        yield ("metadata",), 'missing metadata; write metadata: {name: my-graph}'
        return
    name = metadata.get("name")
    if name is None:
        yield ("metadata", "name"), 'missing required field "name"'
    elif not isinstance(name, str) or len(name) > 253 or not _DNS_SUBDOMAIN.fullmatch(name):
        yield ("metadata", "name"), (
            f"{quote(name)} is not a valid name; use at most 253 lowercase letters, digits, '-' and '.', "
            "starting and ending with a letter or digit"
        )


def check_rgd(rgd: dict[str, Any], old: dict[str, Any] | None = None) -> list[Problem]:
    """Every reason the API server would refuse ``rgd`` (kro v0.9.3's CRD), in document order.

    ``old`` is the RGD as it is in the cluster, for the rules that forbid
    changes (``spec.schema`` apiVersion, group, kind, scope); without it
    those rules are not checked. Nothing here evaluates the graph itself
    (ids, CEL, cycles): that is what kro's controller checks after admission.
    """
    if not isinstance(rgd, dict):
        return [Problem("", f"expected a {_KIND} object (a mapping), got {json_type(rgd)}")]
    table = _rule_table()
    obj = _defaulted(rgd)
    found: set[tuple[Segments, str]] = set(_identity_problems(obj))
    for error in _validator().iter_errors(obj):
        found.update(_schema_problems(error))
    has_old = isinstance(old, dict)
    found.update(
        _rule_problems(obj, openapi_schema(), _defaulted(old) if has_old else None, has_old, "", (), table)
    )
    ordered = sorted(found, key=lambda f: sort_key(f[0], f[1]))
    return [Problem(format_path(segments), message) for segments, message in ordered]
