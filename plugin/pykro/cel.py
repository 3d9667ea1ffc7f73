"""``Cel``: the helpers for what Python operators cannot say.

They mirror TypeKro's ``Cel`` object, so a TypeKro user finds the same names
(``not_`` because ``not`` is a keyword). Each returns an expression tree
(:mod:`pykro.refs`); nothing here parses or evaluates CEL.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import ReferenceUsageError
from .refs import Call, Conditional, Expr, Raw, Ref, Template, Unary, to_expr

__all__ = ["Cel"]

_PERCENT_S = re.compile(r"%s|%%")


class Cel:
    """Namespace of CEL helpers (``Cel.expr``, ``Cel.template``, ...)."""

    def __init__(self) -> None:  # pragma: no cover - a namespace, never instantiated
        raise TypeError("Cel is a namespace of helpers; call Cel.expr(...) etc.")

    @staticmethod
    def expr(*parts: Any, type: str = "dyn") -> Expr:
        """Raw CEL: strings are CEL source text, references are inserted.

        ``Cel.expr(app.status.readyReplicas, " > 0")`` -> ``${app.status.readyReplicas > 0}``.
        ``type`` ("bool", "string", "int", ...) declares the result type where
        the graph checks it (``include_when``, string templates).
        """
        if not parts:
            raise ValueError("Cel.expr needs at least one part")
        return Raw(parts, type=type)

    @staticmethod
    def template(fmt: str, *args: Any) -> Expr:
        """A kro string template: ``Cel.template("http://%s", svc.spec.clusterIP)``.

        Each ``%s`` takes the next argument (``%%`` is a literal ``%``); a
        non-string argument is converted with CEL ``string()``, as kro requires
        every part of a template to be a string.
        """
        parts: list[Any] = []
        pos = 0
        arg_iter = iter(args)
        used = 0
        for m in _PERCENT_S.finditer(fmt):
            parts.append(fmt[pos : m.start()])
            if m.group() == "%%":
                parts.append("%")
            else:
                try:
                    parts.append(next(arg_iter))
                except StopIteration:
                    raise ValueError(f"Cel.template({fmt!r}) has more %s than arguments") from None
                used += 1
            pos = m.end()
        parts.append(fmt[pos:])
        if used != len(args):
            raise ValueError(f"Cel.template({fmt!r}) has {used} %s for {len(args)} arguments")
        return Template(tuple(_merge_text(parts)))

    @staticmethod
    def concat(*parts: Any) -> Expr:
        """String concatenation of literals and expressions (a string template)."""
        return Template(tuple(_merge_text(parts)))

    @staticmethod
    def conditional(condition: Any, then: Any, otherwise: Any) -> Expr:
        """``condition ? then : otherwise``."""
        return Conditional(condition, then, otherwise)

    cond = conditional

    @staticmethod
    def default(value: Any, fallback: Any) -> Expr:
        """``value`` when the field is set, else ``fallback`` (``has(v) ? v : fallback``)."""
        if not isinstance(value, Ref) or not value._path:
            raise ReferenceUsageError(
                "Cel.default needs a field reference such as schema.spec.x", hint="write Cel.conditional(...)"
            )
        return Conditional(Call("has", (value,), type="bool"), value, fallback)

    coalesce = default

    @staticmethod
    def has(field: Any) -> Expr:
        """CEL ``has(field)``: whether a field is present."""
        if not isinstance(field, Ref) or not field._path:
            raise ReferenceUsageError("Cel.has needs a field reference such as app.status.loadBalancer")
        return Call("has", (field,), type="bool")

    @staticmethod
    def not_(value: Any) -> Expr:
        """Logical negation (``~x`` says the same)."""
        return Unary("!", value)

    @staticmethod
    def size(value: Any) -> Expr:
        """``size(x)`` of a string, list or map."""
        return Call("size", (value,), type="int")

    @staticmethod
    def min(*values: Any) -> Expr:
        """The least element: ``Cel.min(xs)`` -> ``xs.min()``, ``Cel.min(a, b)`` -> ``[a, b].min()``.

        Kubernetes' lists library (which kro enables) has ``<list>.min()``;
        cel-go's ``math.least`` is not available in kro.
        """
        return _list_call("min", values)

    @staticmethod
    def max(*values: Any) -> Expr:
        """The greatest element: ``Cel.max(xs)`` -> ``xs.max()``, ``Cel.max(a, b)`` -> ``[a, b].max()``."""
        return _list_call("max", values)

    @staticmethod
    def string(value: Any) -> Expr:
        return Call("string", (value,), type="string")

    @staticmethod
    def int(value: Any) -> Expr:
        return Call("int", (value,), type="int")

    @staticmethod
    def double(value: Any) -> Expr:
        return Call("double", (value,), type="double")


def _merge_text(parts: list[Any] | tuple[Any, ...]) -> list[Any]:
    """Adjacent literal strings joined; empty strings dropped; non-str literals kept as expressions."""
    out: list[Any] = []
    for p in parts:
        if isinstance(p, str):
            if not p:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += p
            else:
                out.append(p)
        else:
            out.append(to_expr(p))
    return out


def _list_call(method: str, values: tuple[Any, ...]) -> Expr:
    if not values:
        raise ValueError(f"Cel.{method} needs a list or at least one value")
    if len(values) == 1:
        target = to_expr(values[0])
        element = "dyn"
    else:
        parts: list[Any] = ["["]
        for i, value in enumerate(values):
            if i:
                parts.append(", ")
            parts.append(to_expr(value))
        parts.append("]")
        target = Raw(tuple(parts), type="list")
        types = {to_expr(v)._cel_type for v in values}
        element = types.pop() if len(types) == 1 else "dyn"
    return Call(method, (), target=target, type=element)
