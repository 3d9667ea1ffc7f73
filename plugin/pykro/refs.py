"""References and expressions: how Python code builds CEL without writing it.

``schema.spec.name`` and ``resources["app"].status.readyReplicas`` are
:class:`Ref` objects recording a path. Python operators on them build
:class:`Expr` trees, never strings, because a resource's id is only known once
the builder returns its dict: a reference to a resource holds the resource
*object*, and the CEL text is produced at render time, when ids are known.
That is also why a host-language variable name can never leak into the
output (TypeKro's mistake 2).

Python needs concrete values for ``if``, ``len()``, iteration and ``int()``;
a reference has none at build time, so those raise
:class:`~pykro.errors.ReferenceUsageError` saying what to write instead.

f-strings call ``__format__``, which must return a ``str`` immediately. Inside
a graph build, it returns a private placeholder that the graph builder
replaces with the expression once ids are known (see :class:`Placeholders`);
outside a build it returns ``${...}`` with the best text available.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any, Callable, Iterator, NoReturn

from .errors import CelError, ReferenceUsageError

__all__ = ["Expr", "Ref", "to_expr", "cel_literal", "Placeholders", "check_operand_types"]

# CEL operator _prec, lowest first (cel-spec "Syntax").
_PREC_COND = 1
_PREC_OR = 2
_PREC_AND = 3
_PREC_REL = 4
_PREC_ADD = 5
_PREC_MUL = 6
_PREC_UNARY = 7
_PREC_MEMBER = 8

_BINARY = {
    "||": (_PREC_OR, "bool"),
    "&&": (_PREC_AND, "bool"),
    "==": (_PREC_REL, "bool"),
    "!=": (_PREC_REL, "bool"),
    "<": (_PREC_REL, "bool"),
    "<=": (_PREC_REL, "bool"),
    ">": (_PREC_REL, "bool"),
    ">=": (_PREC_REL, "bool"),
    "in": (_PREC_REL, "bool"),
    "+": (_PREC_ADD, None),
    "-": (_PREC_ADD, None),
    "*": (_PREC_MUL, None),
    "/": (_PREC_MUL, None),
    "%": (_PREC_MUL, None),
}

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Words the CEL lexer reads as tokens, so ``x.in`` does not parse and needs
# ``x["in"]``. CEL's other reserved words (``namespace``, ``package``...) are
# refused only as top-level identifiers, never after a dot: cel-go checks
# them in identifier/global-call position only, and kro's own RGDs write
# ``${schema.spec.namespace}``, which an object-typed field needs (kro's type
# checker has no ``["..."]`` on objects).
_CEL_SELECTOR_KEYWORDS = frozenset({"in", "true", "false", "null"})

# Python type of a literal -> CEL type tag.
_LITERAL_TYPES: dict[type, str] = {
    str: "string",
    bool: "bool",
    int: "int",
    float: "double",
    type(None): "null",
    list: "list",
    tuple: "list",
    dict: "map",
}


def cel_literal(value: Any) -> str:
    """CEL source text for a Python value (str, int, float, bool, None, list, dict)."""
    if isinstance(value, Expr):
        return value._cel()
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        # CEL string literals share JSON's escapes for everything json.dumps emits.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return f'double("{value}")'.replace("inf", "Infinity").replace("nan", "NaN")
        text = repr(value)
        return text if any(c in text for c in ".eE") else text + ".0"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cel_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"map keys must be strings in CEL literals, got {k!r}")
            items.append(f"{cel_literal(k)}: {cel_literal(v)}")
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as a CEL literal")


def to_expr(value: Any) -> "Expr":
    """Wrap a Python value as an expression, leaving expressions as they are.

    A string formatted from references (an f-string) becomes the string
    concatenation it stands for, not a literal holding placeholders.
    """
    if isinstance(value, Expr):
        return value
    if isinstance(value, str) and _OPEN in value:
        parts = Placeholders.current().split(value)
        if parts is not None:
            return Template(parts)
    return Literal(value)


class Expr:
    """A CEL expression tree.

    ``_cel(names)`` writes it as CEL text; ``names`` maps each referenced root
    object (a resource, the schema) to its identifier. ``_children()`` are the
    sub-expressions (the graph looks for hand-written CEL among them, which
    alone needs a syntax check).
    ``type`` is the CEL type when it is known statically ("dyn" otherwise); it
    lets the graph reject a non-bool ``include_when`` or a non-string part of
    a string template before kro would.
    """

    __slots__ = ()
    _prec = _PREC_MEMBER
    _cel_type = "dyn"

    # -- text -------------------------------------------------------------
    def _cel(self, names: Callable[[object], str] | None = None) -> str:
        raise NotImplementedError

    def _children(self) -> "tuple[Expr, ...]":
        return ()



    def _wrapped(self, outer: int, names: Callable[[object], str] | None) -> str:
        text = self._cel(names)
        return f"({text})" if self._prec < outer else text

    # -- Python protocol: refuse concrete use ----------------------------
    def __bool__(self) -> bool:
        raise ReferenceUsageError(
            f"{self._describe()} has no value while the graph is built, so Python cannot test it",
            hint="write include_when=<expression> on the resource, or Cel.conditional(cond, a, b) for a value",
        )

    def __len__(self) -> int:
        raise ReferenceUsageError(
            f"{self._describe()} has no length while the graph is built", hint="write Cel.size(x)"
        )

    def __iter__(self) -> Iterator[Any]:
        raise ReferenceUsageError(
            f"{self._describe()} cannot be iterated while the graph is built",
            hint="write for_each({'item': <list expression>}, lambda item: <resource>)",
        )

    def __contains__(self, item: object) -> bool:
        raise ReferenceUsageError(
            f"`in` on {self._describe()} needs a concrete value", hint="write Cel.expr(item, ' in ', list)"
        )

    def _no_number(self, what: str) -> NoReturn:
        raise ReferenceUsageError(
            f"{self._describe()} has no {what} value while the graph is built",
            hint=f"write Cel.{'int' if what == 'int' else 'double' if what == 'float' else 'string'}(x) for a CEL conversion",
        )

    def __int__(self) -> int:
        return self._no_number("int")

    def __float__(self) -> float:
        return self._no_number("float")

    def __index__(self) -> int:
        return self._no_number("int")

    def __hash__(self) -> int:
        return id(self)

    def _describe(self) -> str:
        return f"the expression `{self._cel(_debug_name)}`"

    # -- strings: f-strings and str() -------------------------------------
    def __format__(self, spec: str) -> str:
        if spec:
            raise ReferenceUsageError(
                f"format spec {spec!r} cannot apply to {self._describe()}",
                hint="format in CEL instead, e.g. Cel.expr('string(', x, ')')",
            )
        return Placeholders.current().mark(self)

    def __str__(self) -> str:
        return Placeholders.current().mark(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} ${{{self._cel(_debug_name)}}}>"

    # -- operators ----------------------------------------------------------
    def __eq__(self, other: object) -> "Expr":  # type: ignore[override]
        return Binary("==", self, other)

    def __ne__(self, other: object) -> "Expr":  # type: ignore[override]
        return Binary("!=", self, other)

    def __lt__(self, other: object) -> "Expr":
        return Binary("<", self, other)

    def __le__(self, other: object) -> "Expr":
        return Binary("<=", self, other)

    def __gt__(self, other: object) -> "Expr":
        return Binary(">", self, other)

    def __ge__(self, other: object) -> "Expr":
        return Binary(">=", self, other)

    def __add__(self, other: object) -> "Expr":
        return Binary("+", self, other)

    def __radd__(self, other: object) -> "Expr":
        return Binary("+", other, self)

    def __sub__(self, other: object) -> "Expr":
        return Binary("-", self, other)

    def __rsub__(self, other: object) -> "Expr":
        return Binary("-", other, self)

    def __mul__(self, other: object) -> "Expr":
        return Binary("*", self, other)

    def __rmul__(self, other: object) -> "Expr":
        return Binary("*", other, self)

    def __truediv__(self, other: object) -> "Expr":
        return Binary("/", self, other)

    def __rtruediv__(self, other: object) -> "Expr":
        return Binary("/", other, self)

    def __floordiv__(self, other: object) -> "Expr":
        # CEL's `/` on ints truncates; on doubles it does not. Say so rather than guess.
        raise ReferenceUsageError(
            "`//` has no CEL equivalent", hint="write `/` (integer division on ints) or Cel.int(a / b)"
        )

    def __mod__(self, other: object) -> "Expr":
        return Binary("%", self, other)

    def __rmod__(self, other: object) -> "Expr":
        return Binary("%", other, self)

    def __and__(self, other: object) -> "Expr":
        return Binary("&&", self, other)

    def __rand__(self, other: object) -> "Expr":
        return Binary("&&", other, self)

    def __or__(self, other: object) -> "Expr":
        return Binary("||", self, other)

    def __ror__(self, other: object) -> "Expr":
        return Binary("||", other, self)

    def __invert__(self) -> "Expr":
        return Unary("!", self)

    def __neg__(self) -> "Expr":
        return Unary("-", self)


def _debug_name(root: object) -> str:
    name = getattr(root, "_pykro_name", None)
    if callable(name):
        text: str = name()
        return text
    return "?"


class Literal(Expr):
    """A Python value inside an expression."""

    __slots__ = ("value",)
    _prec = _PREC_MEMBER

    def __init__(self, value: Any) -> None:
        cel_literal(value)  # fail now, at the user's line, on an unwritable value
        self.value = value

    @property
    def _cel_type(self) -> str:  # type: ignore[override]
        return _LITERAL_TYPES.get(type(self.value), "dyn")

    def _cel(self, names: Callable[[object], str] | None = None) -> str:
        return cel_literal(self.value)

    def __format__(self, spec: str) -> str:
        # A literal passed through a composed graph formats as itself: no ${}.
        return format(self.value, spec)

    def __str__(self) -> str:
        return str(self.value)


class Ref(Expr):
    """A reference to a field: ``schema.spec.name``, ``app.status.readyReplicas``.

    Attribute access and indexing extend the path; every other name is
    available as a field, so the methods of this class are all dunders or
    ``_``-prefixed.
    """

    __slots__ = ("_root", "_path", "_type", "_child")
    _prec = _PREC_MEMBER
    # Declared so that type checkers see them, not the field proxy of __getattr__.
    _root: object
    _path: tuple[str | int, ...]
    _type: str
    _child: "Callable[[Ref, str | int], Ref] | None"

    def __init__(
        self,
        root: object,
        path: tuple[str | int, ...],
        type: str = "dyn",
        child: Callable[["Ref", str | int], "Ref"] | None = None,
    ) -> None:
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_type", type)
        object.__setattr__(self, "_child", child)

    @property
    def _cel_type(self) -> str:  # type: ignore[override]
        return self._type

    def __getattr__(self, name: str) -> "Ref":
        if name.startswith("__"):
            raise AttributeError(name)
        if self._child is not None:
            return self._child(self, name)
        return Ref(self._root, self._path + (name,))

    def __getitem__(self, key: str | int) -> "Ref":
        if isinstance(key, Expr):
            raise ReferenceUsageError(
                "indexing with an expression is written in CEL", hint="write Cel.expr(list, '[', index, ']')"
            )
        if not isinstance(key, (str, int)) or isinstance(key, bool):
            raise TypeError(f"a reference is indexed by str or int, not {type(key).__name__}")
        if self._child is not None:
            return self._child(self, key)
        return Ref(self._root, self._path + (key,))

    def __setattr__(self, name: str, value: object) -> None:
        raise ReferenceUsageError(
            f"cannot assign {name!r} on {self._describe()}: references are read-only",
            hint="set the field in the resource's template instead",
        )

    def _cel(self, names: Callable[[object], str] | None = None) -> str:
        head = (names or _debug_name)(self._root)
        out = [head]
        for part in self._path:
            if isinstance(part, int):
                out.append(f"[{part}]")
            elif _IDENT.match(part) and part not in _CEL_SELECTOR_KEYWORDS:
                out.append("." + part)
            else:
                out.append(f"[{json.dumps(part)}]")
        return "".join(out)




class Binary(Expr):
    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: object, right: object) -> None:
        self.op = op
        self.left = to_expr(left)
        self.right = to_expr(right)

    @property
    def _prec(self) -> int:  # type: ignore[override]
        return _BINARY[self.op][0]

    @property
    def _cel_type(self) -> str:  # type: ignore[override]
        fixed = _BINARY[self.op][1]
        if fixed:
            return fixed
        # CEL has no implicit conversions: int + dyn is an int or an error,
        # so one known operand types the result.
        known = {t for t in (self.left._cel_type, self.right._cel_type) if t != "dyn"}
        if len(known) == 1:
            (t,) = known
            return t if t in ("int", "uint", "double", "string", "list") else "dyn"
        return "dyn"

    def _cel(self, names: Callable[[object], str] | None = None) -> str:
        prec = self._prec
        # Left-associative: the right side needs parentheses at equal _prec.
        left = self.left._wrapped(prec, names)
        right = self.right._wrapped(prec + 1, names)
        return f"{left} {self.op} {right}"

    def _children(self) -> "tuple[Expr, ...]":
        return (self.left, self.right)


# -- operand types: what CEL's type checker refuses ------------------------------
#
# Only static types pykro knows are compared (Spec fields, literals, metadata
# names, results of typed expressions); "dyn" (fields of arbitrary kinds) is
# accepted as before. A known type for which CEL has no overload of the
# operator at all (`&&` on an int, `*` on a string) is refused even next to a
# dyn, since no value of the other side can make it type-check.

_NUMERIC = frozenset({"int", "uint", "double"})
_OPERAND_TYPES = {
    "&&": frozenset({"bool"}),
    "||": frozenset({"bool"}),
    "+": _NUMERIC | {"string", "list", "bytes"},
    "-": _NUMERIC,
    "*": _NUMERIC,
    "/": _NUMERIC,
    "%": frozenset({"int", "uint"}),
    "<": _NUMERIC | {"string", "bool", "bytes"},
    "<=": _NUMERIC | {"string", "bool", "bytes"},
    ">": _NUMERIC | {"string", "bool", "bytes"},
    ">=": _NUMERIC | {"string", "bool", "bytes"},
}
# How the user wrote it in Python, when that differs from the CEL operator.
_PYTHON_OP = {"&&": "&", "||": "|"}
# Equality: CEL's `==` needs both sides of one type (numbers compare across int/uint/double).
_FAMILY = {"int": "number", "uint": "number", "double": "number", "string": "string", "bool": "bool",
           "list": "list", "map": "map", "bytes": "bytes"}


def _known(t: str) -> bool:
    return t not in ("dyn", "null")


def _binary_problem(op: str, lt: str, rt: str) -> tuple[str, str] | None:
    """(message, hint) when CEL's type checker would refuse ``lt op rt``; None otherwise."""
    written = _PYTHON_OP.get(op, op)
    allowed = _OPERAND_TYPES.get(op)
    if op in ("&&", "||"):
        for t in (lt, rt):
            if _known(t) and t not in allowed:  # type: ignore[operator]
                return (
                    f"`{written}` is CEL's logical `{op}` and needs bool operands, not {t}",
                    f"use `{written}` only on bool expressions (comparisons, bool fields); CEL has no bitwise operators",
                )
        return None
    if op in ("==", "!="):
        if _known(lt) and _known(rt) and _FAMILY.get(lt, lt) != _FAMILY.get(rt, rt):
            return (
                f"`{op}` compares {lt} with {rt}; CEL has no equality between different types",
                "convert one side (Cel.string(x), Cel.int(x), Cel.double(x)) so that both have one type",
            )
        return None
    if allowed is None:
        return None
    for t in (lt, rt):
        if _known(t) and t not in allowed:
            hint = {
                "string": "CEL joins strings with + only; write Cel.expr(...) with the string functions you need",
                "bool": "combine bools with & (and) and | (or)",
            }.get(t, f"`{op}` takes {', '.join(sorted(allowed))}")
            return f"`{op}` is not defined on {t} in CEL", hint
    if _known(lt) and _known(rt) and lt != rt and not (op in ("<", "<=", ">", ">=") and {lt, rt} <= _NUMERIC):
        if {lt, rt} <= _NUMERIC:
            other = "double" if "double" in (lt, rt) else "int"
            return (
                f"`{op}` on {lt} and {rt}: CEL has no implicit numeric conversion",
                f"convert one side, e.g. Cel.{other}(x) {op} y",
            )
        if "string" in (lt, rt):
            return (
                f"`{op}` on {lt} and {rt}: CEL does not convert to string implicitly",
                "write Cel.string(x) for the non-string side, or an f-string",
            )
        return f"`{op}` on {lt} and {rt}: CEL needs both operands of one type", "convert one side"
    return None


def _unary_problem(op: str, t: str) -> tuple[str, str] | None:
    if not _known(t):
        return None
    if op == "!" and t != "bool":
        return (
            f"`~` (Cel.not_) is CEL's logical not `!` and needs a bool, not {t}",
            "CEL has no bitwise operators; for a number compare it instead, e.g. x == 0",
        )
    if op == "-" and t not in ("int", "double"):
        return f"unary `-` is not defined on {t} in CEL", "negate an int or a double"
    return None


def check_operand_types(expr: "Expr", text: str | None = None) -> None:
    """Raise CelError where an operator's operands have static types CEL's type checker refuses."""
    stack = [expr]
    while stack:
        node = stack.pop()
        problem = None
        if isinstance(node, Binary):
            problem = _binary_problem(node.op, node.left._cel_type, node.right._cel_type)
        elif isinstance(node, Unary):
            problem = _unary_problem(node.op, node.operand._cel_type)
        if problem is not None:
            message, hint = problem
            raise CelError(message, expression=text if text is not None else node._cel(_debug_name), hint=hint)
        stack.extend(node._children())


class Unary(Expr):
    __slots__ = ("op", "operand")
    _prec = _PREC_UNARY

    def __init__(self, op: str, operand: object) -> None:
        self.op = op
        self.operand = to_expr(operand)

    @property
    def _cel_type(self) -> str:  # type: ignore[override]
        return "bool" if self.op == "!" else self.operand._cel_type

    def _cel(self, names: Callable[[object], str] | None = None) -> str:
        return self.op + self.operand._wrapped(_PREC_UNARY, names)

    def _children(self) -> "tuple[Expr, ...]":
        return (self.operand,)


class Conditional(Expr):
    __slots__ = ("cond", "then", "otherwise")
    _prec = _PREC_COND

    def __init__(self, cond: object, then: object, otherwise: object) -> None:
        self.cond = to_expr(cond)
        self.then = to_expr(then)
        self.otherwise = to_expr(otherwise)

    @property
    def _cel_type(self) -> str:  # type: ignore[override]
        return self.then._cel_type if self.then._cel_type == self.otherwise._cel_type else "dyn"

    def _cel(self, names: Callable[[object], str] | None = None) -> str:
        return (
            f"{self.cond._wrapped(_PREC_OR, names)} ? {self.then._wrapped(_PREC_OR, names)}"
            f" : {self.otherwise._wrapped(_PREC_COND, names)}"
        )

    def _children(self) -> "tuple[Expr, ...]":
        return (self.cond, self.then, self.otherwise)


class Call(Expr):
    """``fn(args)`` or, with a target, ``target.fn(args)``."""

    __slots__ = ("fn", "args", "target", "_type")
    _prec = _PREC_MEMBER

    def __init__(self, fn: str, args: tuple[object, ...], target: object = None, type: str = "dyn") -> None:
        self.fn = fn
        self.args = tuple(to_expr(a) for a in args)
        self.target = to_expr(target) if target is not None else None
        self._type = type

    @property
    def _cel_type(self) -> str:  # type: ignore[override]
        return self._type

    def _cel(self, names: Callable[[object], str] | None = None) -> str:
        args = ", ".join(a._cel(names) for a in self.args)
        if self.target is not None:
            return f"{self.target._wrapped(_PREC_MEMBER, names)}.{self.fn}({args})"
        return f"{self.fn}({args})"

    def _children(self) -> "tuple[Expr, ...]":
        return ((self.target,) if self.target is not None else ()) + self.args


class Raw(Expr):
    """CEL text written by the user, interleaved with expressions (``Cel.expr``).

    Raw text may name resources by id; the graph finds those names by lexing
    the finished text, since it cannot see inside the user's string.
    """

    __slots__ = ("parts", "_type", "_prec")

    def __init__(self, parts: tuple[object, ...], type: str = "dyn") -> None:
        self.parts = tuple(p if isinstance(p, str) else to_expr(p) for p in parts)
        self._type = type
        # Unknown structure is parenthesized when nested, unless the text is a
        # plain chain of selections and calls (`quantity("1Gi").isLessThan(x)`).
        self._prec = _PREC_MEMBER if self._is_primary() else _PREC_COND

    def _is_primary(self) -> bool:
        depth = 0
        quote = ""
        escaped = False
        for part in self.parts:
            if not isinstance(part, str):
                if depth == 0 and part._prec < _PREC_MEMBER:
                    return False
                continue
            for c in part:
                if quote:
                    if escaped:
                        escaped = False
                    elif c == "\\":
                        escaped = True
                    elif c == quote:
                        quote = ""
                elif c in "\"'":
                    quote = c
                elif c in "([{":
                    depth += 1
                elif c in ")]}":
                    depth -= 1
                elif depth == 0 and (c.isspace() or c in "+-*/%<>=!&|?:,"):
                    return False
        return not quote and depth == 0

    @property
    def _cel_type(self) -> str:  # type: ignore[override]
        return self._type

    def _cel(self, names: Callable[[object], str] | None = None) -> str:
        return "".join(p if isinstance(p, str) else p._wrapped(_PREC_MEMBER, names) for p in self.parts)

    def _children(self) -> "tuple[Expr, ...]":
        return tuple(p for p in self.parts if isinstance(p, Expr))


class Template(Expr):
    """A kro string template: literal text and expressions, each part a string."""

    __slots__ = ("parts",)
    _cel_type = "string"
    _prec = _PREC_ADD

    def __init__(self, parts: tuple[object, ...]) -> None:
        self.parts = tuple(p if isinstance(p, str) else to_expr(p) for p in parts)

    def _cel(self, names: Callable[[object], str] | None = None) -> str:
        # As one CEL expression (used when a template is nested in another expression).
        pieces = []
        for p in self.parts:
            if isinstance(p, str):
                if p:
                    pieces.append(cel_literal(p))
            else:
                text = p._wrapped(_PREC_MEMBER, names)
                pieces.append(text if p._cel_type == "string" else f"string({p._cel(names)})")
        return " + ".join(pieces) if pieces else '""'

    def _children(self) -> "tuple[Expr, ...]":
        return tuple(p for p in self.parts if isinstance(p, Expr))


# -- f-string placeholders ---------------------------------------------------

# Private-use code points: they cannot occur in Kubernetes manifests written
# by hand, so a marker in a string is certainly ours.
_OPEN, _CLOSE = "\ue000", "\ue001"
_MARK = re.compile(_OPEN + r"(\d+)" + _CLOSE)


class Placeholders:
    """Expressions formatted into strings during one graph build.

    ``mark(expr)`` returns a marker; ``split(text)`` turns a string holding
    markers back into literal text and expressions. One instance is active per
    thread while a graph is built; outside a build, ``mark`` writes ``${...}``
    with debug names so that printing a reference still shows something useful.
    """

    _local = threading.local()

    def __init__(self) -> None:
        self._exprs: list[Expr] = []

    @classmethod
    def current(cls) -> "Placeholders":
        return getattr(cls._local, "active", None) or _OUTSIDE

    def __enter__(self) -> "Placeholders":
        self._previous = getattr(self._local, "active", None)
        self._local.active = self
        return self

    def __exit__(self, *exc: object) -> None:
        self._local.active = self._previous

    def mark(self, expr: Expr) -> str:
        self._exprs.append(expr)
        return f"{_OPEN}{len(self._exprs) - 1}{_CLOSE}"

    def split(self, text: str) -> tuple[str | Expr, ...] | None:
        """Literal text and expressions of ``text``; None when it holds no marker."""
        if _OPEN not in text:
            return None
        parts: list[str | Expr] = []
        pos = 0
        for m in _MARK.finditer(text):
            if m.start() > pos:
                parts.append(text[pos : m.start()])
            index = int(m.group(1))
            if index >= len(self._exprs):
                raise ReferenceUsageError(
                    "a string formatted from a reference in another graph build was used here",
                    hint="build each graph's strings inside its own builder function",
                )
            parts.append(self._exprs[index])
            pos = m.end()
        if pos < len(text):
            parts.append(text[pos:])
        return tuple(parts)


class _Outside(Placeholders):
    def mark(self, expr: Expr) -> str:
        return "${" + expr._cel(_debug_name) + "}"


_OUTSIDE = _Outside()
