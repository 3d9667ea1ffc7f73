"""A stdlib-only validator for the JSON Schema that ``values._to_jsonschema`` produces.

Why it exists: importing ``jsonschema`` costs ~80 ms, more than all of
``helm template`` on a small chart, and a ``pykro render`` validates values on
every run. The schemas kro generates use a small, fixed keyword set, so this
module compiles that subset once into a tree of closures and walks the values
with it.

It is a drop-in for the jsonschema-based reference kept in ``values.py``
(``_reference_problems``): same Draft 4 keyword semantics (each keyword
applies to the instance types it concerns, whatever ``type`` says), the same
integer/number rules (a whole float is an integer, a bool is neither), the same
``enum``/``uniqueItems`` equality (``1`` and ``true`` differ, ``1`` and ``1.0``
do not), the same formats, and the same problem text, including the two
messages that come straight from jsonschema today (``anyOf`` and a
``uniqueItems`` duplicate that JSON text cannot show). The equivalence is
checked with hypothesis in ``tests/simpleschema/test_fast_validator.py``.

Keywords to_openapi never emits (``$ref``, ``oneOf``, ``not``,
``patternProperties``, ``dependencies``, ``additionalItems``, tuple ``items``)
and keyword values of an unexpected shape raise :class:`Unsupported` at
compile time; the caller then falls back to the reference engine, so a
hand-written schema is still checked exactly as before, only slower.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Callable, TypeAlias

from pykro.simpleschema.parse import join_path

__all__ = ["Unsupported", "compile_schema", "format_checks", "show"]

#: A compiled node: ``check(value, path, out)`` appends ``(path, message)`` pairs to ``out``.
#: ``path`` is a linked list ``(parent, key)`` (``None`` is the root): cheap to extend, turned
#: into ``spec.a[0]["b.c"]`` only when a problem is reported.
_Path: TypeAlias = "tuple[_Path, str | int] | None"
_Found: TypeAlias = "list[tuple[_Path, str]]"
Check = Callable[[Any, _Path, _Found], None]

_ROOT = "spec"
_FALLBACK_KEYWORDS = frozenset({"$ref", "additionalItems", "dependencies", "not", "oneOf", "patternProperties"})
_NUMBER = (int, float)


class Unsupported(Exception):
    """The schema uses a keyword (or a keyword value shape) this engine does not compile."""


# --- shared with the reference engine ------------------------------------------


def show(value: Any) -> str:
    """A value in a message: its JSON kind and (shortened) JSON text."""
    text = json.dumps(value, sort_keys=True, default=str)
    kind = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), "null" if value is None else type(value).__name__
    )
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{kind} {text}"


_FORMATS: dict[str, Callable[[Any], bool]] | None = None


def format_checks() -> dict[str, Callable[[Any], bool]]:
    """Kubernetes' formats (name -> check); unknown formats pass, as in the API server.

    Built on first use so that ``ipaddress``, ``datetime`` and ``base64`` are
    imported only by schemas that carry a ``format``.
    """
    global _FORMATS
    if _FORMATS is None:
        _FORMATS = _build_format_checks()
    return _FORMATS


def _build_format_checks() -> dict[str, Callable[[Any], bool]]:
    import base64
    import binascii
    from datetime import date, datetime

    date_re = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
    date_time_re = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})\Z")
    uuid_re = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
    hostname_re = re.compile(
        r"(?=.{1,253}\Z)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\Z"
    )
    email_re = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")
    duration_re = re.compile(r"[-+]?(0|((\d+(\.\d*)?|\.\d+)\s*(ns|us|µs|ms|s|m|h|d|w))+)\Z")
    mac_re = re.compile(r"([0-9A-Fa-f]{2}[:-]){5,19}[0-9A-Fa-f]{2}\Z|([0-9A-Fa-f]{4}\.){2,9}[0-9A-Fa-f]{4}\Z")
    base64_re = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?\Z")

    def int_range(bits: int) -> Callable[[Any], bool]:
        low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

        def check(value: Any) -> bool:
            if isinstance(value, bool) or not isinstance(value, _NUMBER):
                return True
            return bool(low <= value <= high)

        return check

    def strings(check: Callable[[str], Any]) -> Callable[[Any], bool]:
        def wrapped(value: Any) -> bool:
            if not isinstance(value, str):
                return True
            try:
                return bool(check(value))
            except ValueError:
                return False

        return wrapped

    def is_base64(value: str) -> bool:
        if not base64_re.match(value):
            return False
        try:
            base64.b64decode(value, validate=True)
        except binascii.Error:
            return False
        return True

    def ip(kind: str) -> Callable[[str], Any]:
        def check(value: str) -> Any:
            import ipaddress  # ~2 ms: only for schemas with an ip format

            return getattr(ipaddress, kind)(value)

        return check

    def cidr(value: str) -> Any:
        import ipaddress

        return ipaddress.ip_network(value, strict=False)

    def is_date_time(value: str) -> Any:
        return date_time_re.match(value) and datetime.fromisoformat(
            value.upper().replace("Z", "+00:00").replace(" ", "T")
        )

    return {
        "int32": int_range(32),
        "int64": int_range(64),
        "byte": strings(is_base64),
        "date": strings(lambda v: date_re.match(v) and date.fromisoformat(v)),
        "date-time": strings(is_date_time),
        "datetime": strings(is_date_time),
        "uuid": strings(uuid_re.match),
        "ipv4": strings(ip("IPv4Address")),
        "ipv6": strings(ip("IPv6Address")),
        "cidr": strings(cidr),
        "hostname": strings(hostname_re.match),
        "email": strings(email_re.match),
        "duration": strings(duration_re.match),
        "mac": strings(mac_re.match),
    }


# --- JSON Schema equality (bool is not a number; containers compared deeply) -----

_TRUE, _FALSE = object(), object()


def _unbool(value: Any) -> Any:
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    return value


def _equal(one: Any, two: Any) -> bool:
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(k in two and _equal(v, two[k]) for k, v in one.items())
    return bool(_unbool(one) == _unbool(two))


def _unique(items: list[Any]) -> bool:
    """Whether no two items are equal, decided the way jsonschema 4 decides ``uniqueItems``.

    Sorted neighbours are compared when the items sort; otherwise every pair.
    (The sorted shortcut can miss a duplicate that sorts apart from its twin,
    e.g. ``[[1], [true], [1]]``; reproducing that keeps both engines equal.)
    """
    try:
        ordered = sorted(_unbool(i) for i in items)
        for a, b in zip(ordered, ordered[1:]):
            if _equal(a, b):
                return False
    except (NotImplementedError, TypeError):
        seen: list[Any] = []
        for item in items:
            item = _unbool(item)
            for other in seen:
                if _equal(other, item):
                    return False
            seen.append(item)
    return True


# --- paths ------------------------------------------------------------------------


def render_path(path: _Path) -> str:
    """``(((None, "a"), 0), "b.c")`` -> ``spec.a[0]["b.c"]``."""
    keys: list[str | int] = []
    while path is not None:
        path, key = path
        keys.append(key)
    text = _ROOT
    for key in reversed(keys):
        text = join_path(text, key)
    return text


# --- the compiler -------------------------------------------------------------------


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


_TYPES: dict[str, Callable[[Any], bool]] = {
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "integer": _is_integer,
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, _NUMBER) and not isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "string": lambda v: isinstance(v, str),
}


def compile_schema(schema: Any) -> Callable[[Any], list[tuple[str, str]]]:
    """Compile a translated schema into ``problems(instance) -> [(path, message), ...]``.

    Raises :class:`Unsupported` when the schema needs the reference engine.
    Pairs may repeat; the caller de-duplicates and sorts them.
    """
    check = _compile(schema)

    def problems(instance: Any) -> list[tuple[str, str]]:
        out: _Found = []
        check(instance, None, out)
        return [(render_path(path), message) for path, message in out]

    return problems


def _number(value: Any, keyword: str) -> Any:
    if not isinstance(value, _NUMBER):
        raise Unsupported(f"{keyword}: {value!r}")
    return value


def _compile(schema: Any) -> Check:
    if not isinstance(schema, dict):
        raise Unsupported(f"schema {schema!r}")
    fallback = _FALLBACK_KEYWORDS.intersection(schema)
    if fallback:
        raise Unsupported(", ".join(sorted(fallback)))
    if isinstance(schema.get("items"), list):
        raise Unsupported("tuple items")

    any_checks: list[Check] = []
    obj_checks: list[Check] = []
    arr_checks: list[Check] = []
    str_checks: list[Check] = []
    num_checks: list[Check] = []

    if "type" in schema:
        any_checks.append(_compile_type(schema["type"]))
    if "enum" in schema:
        any_checks.append(_compile_enum(schema["enum"]))
    if "format" in schema:
        any_checks.append(_compile_format(schema["format"]))
    for keyword in ("allOf", "anyOf"):
        if keyword in schema:
            subs = schema[keyword]
            if not isinstance(subs, list):
                raise Unsupported(f"{keyword}: {subs!r}")
            compiled = [_compile(sub) for sub in subs]
            any_checks.append(_all_of(compiled) if keyword == "allOf" else _any_of(compiled))

    _compile_object(schema, obj_checks)
    _compile_array(schema, arr_checks)
    _compile_string(schema, str_checks)
    _compile_number(schema, num_checks)
    return _node(any_checks, obj_checks, arr_checks, str_checks, num_checks)


def _node(any_checks: list[Check], obj: list[Check], arr: list[Check], text: list[Check], num: list[Check]) -> Check:
    """One schema: its type-independent checks, then those for the value's own JSON type."""

    def check(value: Any, path: _Path, out: _Found) -> None:
        for c in any_checks:
            c(value, path, out)
        if isinstance(value, dict):
            for c in obj:
                c(value, path, out)
        elif isinstance(value, list):
            for c in arr:
                c(value, path, out)
        elif isinstance(value, str):
            for c in text:
                c(value, path, out)
        elif isinstance(value, _NUMBER) and not isinstance(value, bool):
            for c in num:
                c(value, path, out)

    return check


def _compile_type(expected: Any) -> Check:
    names = [expected] if isinstance(expected, str) else expected
    if not isinstance(names, list) or not names or any(not isinstance(n, str) or n not in _TYPES for n in names):
        raise Unsupported(f"type: {expected!r}")  # jsonschema raises UnknownType on some of these
    shown = " or ".join(names)
    if len(names) == 1:
        single = _TYPES[names[0]]

        def check(value: Any, path: _Path, out: _Found) -> None:
            if not single(value):
                out.append((path, f"must be of type {shown}, got {show(value)}"))

        return check
    tests = [_TYPES[n] for n in names]

    def check_any(value: Any, path: _Path, out: _Found) -> None:
        if not any(t(value) for t in tests):
            out.append((path, f"must be of type {shown}, got {show(value)}"))

    return check_any


def _compile_enum(enums: Any) -> Check:
    if not isinstance(enums, list):
        raise Unsupported(f"enum: {enums!r}")

    def check(value: Any, path: _Path, out: _Found) -> None:
        if all(not _equal(each, value) for each in enums):
            allowed = ", ".join(json.dumps(v) for v in enums)
            out.append((path, f"must be one of {allowed}, got {show(value)}"))

    return check


def _compile_format(name: Any) -> Check:
    if not isinstance(name, str):
        raise Unsupported(f"format: {name!r}")
    test = format_checks().get(name)

    def check(value: Any, path: _Path, out: _Found) -> None:
        if test is not None and not test(value):
            out.append((path, f"must be a valid {name}, got {show(value)}"))

    return check


def _all_of(subs: list[Check]) -> Check:
    def check(value: Any, path: _Path, out: _Found) -> None:
        for sub in subs:
            sub(value, path, out)

    return check


def _any_of(subs: list[Check]) -> Check:
    def check(value: Any, path: _Path, out: _Found) -> None:
        for sub in subs:
            scratch: _Found = []
            sub(value, path, scratch)
            if not scratch:
                return
        # jsonschema's own message: it is what validate_values has always shown here.
        out.append((path, f"{value!r} is not valid under any of the given schemas"))

    return check


def _compile_object(schema: dict[str, Any], checks: list[Check]) -> None:
    props_schema = schema.get("properties", {})
    if not isinstance(props_schema, dict):
        raise Unsupported(f"properties: {props_schema!r}")
    props = [(name, _compile(sub)) for name, sub in props_schema.items()]
    if props:

        def properties(value: dict[str, Any], path: _Path, out: _Found) -> None:
            for name, sub in props:
                if name in value:
                    sub(value[name], (path, name), out)

        checks.append(properties)

    if "required" in schema:
        required = schema["required"]
        if not isinstance(required, list):
            raise Unsupported(f"required: {required!r}")

        def check_required(value: dict[str, Any], path: _Path, out: _Found) -> None:
            for name in required:
                if name not in value:
                    out.append(((path, name), "required value is missing"))

        checks.append(check_required)

    if "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        if isinstance(extra, dict):
            extra_check = _compile(extra)

            def additional(value: dict[str, Any], path: _Path, out: _Found) -> None:
                for key in value:
                    if key not in props_schema:
                        extra_check(value[key], (path, key), out)

            checks.append(additional)
        elif extra is False:
            known = sorted(props_schema)

            def unknown(value: dict[str, Any], path: _Path, out: _Found) -> None:
                for key in value:
                    if key not in props_schema:
                        out.append(((path, str(key)), _unknown_field(key, known)))

            checks.append(unknown)
        elif extra is not True:
            raise Unsupported(f"additionalProperties: {extra!r}")

    for keyword, word, fails in (
        ("minProperties", "least", lambda n, limit: n < limit),
        ("maxProperties", "most", lambda n, limit: n > limit),
    ):
        if keyword in schema:
            checks.append(_size_check(_number(schema[keyword], keyword), fails, f"must have at {word} {{}} entries, got {{}}"))


def _unknown_field(key: Any, known: list[str]) -> str:
    import difflib  # only when there is a problem to explain

    close = difflib.get_close_matches(str(key), known, n=1)
    hint = f'; did you mean "{close[0]}"?' if close else (f"; known fields: {', '.join(known)}" if known else "")
    return f'unknown field "{key}"{hint}'


def _size_check(limit: Any, fails: Callable[[int, Any], bool], template: str) -> Check:
    def check(value: Any, path: _Path, out: _Found) -> None:
        if fails(len(value), limit):
            out.append((path, template.format(limit, len(value))))

    return check


def _compile_array(schema: dict[str, Any], checks: list[Check]) -> None:
    if "items" in schema:
        item_check = _compile(schema["items"])

        def items(value: list[Any], path: _Path, out: _Found) -> None:
            for index, item in enumerate(value):
                item_check(item, (path, index), out)

        checks.append(items)
    if "minItems" in schema:
        checks.append(_size_check(_number(schema["minItems"], "minItems"), lambda n, m: n < m,
                                  "must have at least {} items, got {}"))
    if "maxItems" in schema:
        checks.append(_size_check(_number(schema["maxItems"], "maxItems"), lambda n, m: n > m,
                                  "must have at most {} items, got {}"))
    if schema.get("uniqueItems"):
        checks.append(_check_unique)
    if "x-pykro-list-map-keys" in schema:
        keys = schema["x-pykro-list-map-keys"]
        if not isinstance(keys, list):
            raise Unsupported(f"x-pykro-list-map-keys: {keys!r}")
        checks.append(_list_map_check(keys))


def _check_unique(value: list[Any], path: _Path, out: _Found) -> None:
    if _unique(value):
        return
    seen: set[str] = set()
    for index, item in enumerate(value):
        identity = json.dumps(item, sort_keys=True)
        if identity in seen:
            out.append(((path, index), f"duplicate value {show(item)} in a set-typed list"))
            return
        seen.add(identity)
    # Equal but differently written (1 and 1.0): jsonschema's message, as shown until now.
    out.append((path, f"{value!r} has non-unique elements"))


def _list_map_check(keys: list[str]) -> Check:
    def check(value: list[Any], path: _Path, out: _Found) -> None:
        seen: set[str] = set()
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                continue
            identity = json.dumps([item.get(k) for k in keys], sort_keys=True)
            if identity in seen:
                shown = ", ".join(f"{k}={show(item.get(k))}" for k in keys)
                out.append(((path, index), f"duplicate entry with {shown} in a listType=map list"))
            seen.add(identity)

    return check


def _compile_string(schema: dict[str, Any], checks: list[Check]) -> None:
    if "minLength" in schema:
        checks.append(_size_check(_number(schema["minLength"], "minLength"), lambda n, m: n < m,
                                  "must be at least {} characters long, got {}"))
    if "maxLength" in schema:
        checks.append(_size_check(_number(schema["maxLength"], "maxLength"), lambda n, m: n > m,
                                  "must be at most {} characters long, got {}"))
    if "pattern" in schema:
        pattern = schema["pattern"]
        if not isinstance(pattern, str):
            raise Unsupported(f"pattern: {pattern!r}")
        compiled: list[re.Pattern[str]] = []

        def check_pattern(value: str, path: _Path, out: _Found) -> None:
            # Compiled on first use, with Go's RE2 semantics as the API server has them: a
            # pattern that is not RE2 fails only when a string reaches it (then a SchemaError).
            if not compiled:
                from pykro.celengine.re2 import compile_re2

                compiled.append(compile_re2(pattern))
            if not compiled[0].search(value):
                out.append((path, f"must match the regular expression {json.dumps(pattern)}, got {show(value)}"))

        checks.append(check_pattern)


def _compile_number(schema: dict[str, Any], checks: list[Check]) -> None:
    if "minimum" in schema:
        low = _number(schema["minimum"], "minimum")
        if schema.get("exclusiveMinimum", False):

            def above(value: Any, path: _Path, out: _Found) -> None:
                if value <= low:
                    out.append((path, f"must be > {low}, got {value}"))

            checks.append(above)
        else:

            def at_least(value: Any, path: _Path, out: _Found) -> None:
                if value < low:
                    out.append((path, f"must be >= {low}, got {value}"))

            checks.append(at_least)
    if "maximum" in schema:
        high = _number(schema["maximum"], "maximum")
        if schema.get("exclusiveMaximum", False):

            def below(value: Any, path: _Path, out: _Found) -> None:
                if value >= high:
                    out.append((path, f"must be < {high}, got {value}"))

            checks.append(below)
        else:

            def at_most(value: Any, path: _Path, out: _Found) -> None:
                if value > high:
                    out.append((path, f"must be <= {high}, got {value}"))

            checks.append(at_most)
    if "multipleOf" in schema:
        step = _number(schema["multipleOf"], "multipleOf")

        def multiple(value: Any, path: _Path, out: _Found) -> None:
            if isinstance(step, float):
                quotient = value / step
                try:
                    failed = int(quotient) != quotient
                except OverflowError:
                    from fractions import Fraction

                    failed = (Fraction(value) / Fraction(step)).denominator != 1
            else:
                failed = value % step
            if failed:
                out.append((path, f"must be a multiple of {step}, got {value}"))

        checks.append(multiple)
