"""Compile and evaluate CEL the way kro's environment does, on top of celpy.

What comes from celpy: the Lark grammar (``celpy/cel.lark``), literal decoding,
and the value types with their arithmetic (``celtypes``: int64/uint64 overflow
checks, durations, timestamps, logical operators).

What is ours, and why:

* **Grammar patch.** celpy's grammar has no optional syntax. We build our own
  LALR parser from a patched copy of the grammar text, adding ``a.?b``,
  ``a[?k]``, ``[?x]``, ``{?k: v}`` and trailing commas in list/map literals, as in
  cel-go's ``CEL.g4``. Rewriting ``.?`` in the text before parsing was rejected:
  it cannot be done exactly without a parser (strings, nesting, chaining).
* **Evaluation.** celpy's ``Evaluator`` resolves names through packages, has no
  namespaced functions (``hash.fnv64a``), no optional values, and a fixed set of
  macros. Instead each expression is compiled once into Python closures over the
  parse tree (memoized per process), so re-evaluation costs no tree walk.
* **Libraries.** Every function of kro's CEL environment is registered from the
  sibling modules (one per kro/cel-go/Kubernetes library).
"""

from __future__ import annotations

import datetime
import functools
import math
import os
import re
from pathlib import Path
from typing import Any, Callable, Mapping

import celpy.celtypes as celtypes
import lark

from pykro.errors import CelError

from . import (
    encoders,
    hash as hash_lib,
    ip,
    json as json_lib,
    lists,
    maps,
    optional,
    quantity,
    random as random_lib,
    refs as _refs,
    regex,
    semver,
    standard,
    strings,
    unsupported,
    url,
)
from ._runtime import (
    EvalFailure,
    NoOverload,
    NotSupportedOffline,
    OptionalValue,
    INT64_MAX,
    INT64_MIN,
    cel_compare,
    cel_equal,
    is_number,
    map_lookup,
    to_cel,
    to_python,
    type_name,
)
from ._runtime import _MISSING  # noqa: PLC2701 - shared sentinel

__all__ = ["compile_expression", "evaluate", "check"]

_LIBRARIES = (
    standard.LIBRARY,
    strings.LIBRARY,
    lists.LIBRARY,
    encoders.LIBRARY,
    optional.LIBRARY,
    hash_lib.LIBRARY,
    json_lib.LIBRARY,
    random_lib.LIBRARY,
    maps.LIBRARY,
    quantity.LIBRARY,
    url.LIBRARY,
    regex.LIBRARY,
    ip.LIBRARY,
    semver.LIBRARY,
    unsupported.LIBRARY,
)


def _registry(kind: str) -> dict[str, tuple[Callable[..., Any], ...]]:
    table: dict[str, list[Callable[..., Any]]] = {}
    for lib in _LIBRARIES:
        for name, fn in getattr(lib, kind).items():
            table.setdefault(name, []).append(fn)
    return {k: tuple(v) for k, v in table.items()}


_FUNCTIONS = _registry("functions")
_METHODS = _registry("methods")

_GRAMMAR_PATCHES = (
    (
        "member         : member_dot | member_dot_arg | member_index | member_object | primary",
        "member         : member_dot | member_dot_opt | member_dot_arg | member_index | member_index_opt"
        " | member_object | primary\n"
        'member_dot_opt : member "." "?" IDENT\n'
        'member_index_opt : member "[" "?" expr "]"',
    ),
    (
        'list_lit       : "[" [exprlist] "]"',
        'list_lit       : "[" "]" | "[" _listelems "]" | "[" _listelems "," "]"\n'
        '_listelems     : _listelem | _listelems "," _listelem\n'
        '_listelem      : expr | opt_elem\n'
        'opt_elem       : "?" expr',
    ),
    (
        'map_lit        : "{" [mapinits] "}"',
        'map_lit        : "{" "}" | "{" _mapentries "}" | "{" _mapentries "," "}"',
    ),
    (
        'mapinits       : expr ":" expr ("," expr ":" expr)*',
        'mapinits       : _mapentries\n'
        '_mapentries    : _mapentry | _mapentries "," _mapentry\n'
        '_mapentry      : mapentry | opt_mapentry\n'
        'mapentry       : expr ":" expr\n'
        'opt_mapentry   : "?" expr ":" expr',
    ),
)


@functools.lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    """Our LALR parser: celpy's grammar with cel-go's optional syntax patched in. Built once."""
    import celpy.celparser as celparser

    text = (Path(celparser.__file__).parent / "cel.lark").read_text()
    for old, new in _GRAMMAR_PATCHES:
        if old not in text:  # pragma: no cover - guards a celpy upgrade
            raise RuntimeError(f"celpy grammar changed; cannot patch {old!r}")
        text = text.replace(old, new)
    return lark.Lark(
        text,
        parser="lalr",
        start="expr",
        g_regex_flags=re.M,
        lexer_callbacks={"IDENT": celparser.CELParser.ambiguous_literals},
        propagate_positions=True,
        maybe_placeholders=False,
        # Lark pickles the built LALR tables; later processes load them instead of rebuilding
        # (~150 ms saved per process). Loading a pickle runs code, so it lives only in a
        # directory private to this user, never at a predictable path in a shared /tmp.
        cache=_lark_cache_path(text),
    )


def _lark_cache_path(grammar: str) -> str | bool:
    """A private file for Lark's parser tables, or False (no cache) when there is no safe place."""
    import hashlib
    import tempfile

    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return False
    directory = os.environ.get("PYKRO_CACHE_DIR") or os.path.join(tempfile.gettempdir(), f"pykro-cache-{getuid()}")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        st = os.stat(directory)
    except OSError:
        return False
    if st.st_uid != getuid() or st.st_mode & 0o022:
        return False
    digest = hashlib.sha256(f"{lark.__version__}\n{grammar}".encode()).hexdigest()[:24]
    return os.path.join(directory, f"lark-cel-{digest}.pickle")


def _parse(expression: str) -> _Tree:
    try:
        return _parser().parse(expression)
    except lark.exceptions.UnexpectedInput as ex:
        column = getattr(ex, "column", None)
        if isinstance(ex, lark.exceptions.UnexpectedEOF) or column in (None, -1) or (
            isinstance(ex, lark.exceptions.UnexpectedToken) and ex.token.type == "$END"
        ):
            column = len(expression) + 1
            what = "end of expression"
        elif isinstance(ex, lark.exceptions.UnexpectedToken):
            what = "end of expression" if ex.token.type == "$END" else repr(str(ex.token))
        else:
            what = repr(expression[ex.pos_in_stream]) if ex.pos_in_stream is not None else "input"
        raise CelError(
            f"syntax error at column {column}: unexpected {what}", column=column, expression=expression
        ) from None


_ESCAPE = re.compile(r"\\(?:[abfnrtv\\'\"`?]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-3][0-7]{2})|\\")
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
                   "\\": "\\", "'": "'", '"': '"', "`": "`", "?": "?"}


def _decode_literal(text: str, as_bytes: bool) -> bytes:
    """A CEL string/bytes literal body as bytes (celpy's decoder drops newlines of triple-quoted strings)."""
    raw = text[0] in "rR"
    if raw:
        text = text[1:]
    quote = 3 if text[:3] in ('"""', "'''") else 1
    body = text[quote:-quote]
    if raw:
        return body.encode("utf-8")
    out = bytearray()
    pos = 0
    for m in _ESCAPE.finditer(body):
        out += body[pos:m.start()].encode("utf-8")
        esc = m.group()
        if esc == "\\":
            raise ValueError("invalid escape sequence")
        kind = esc[1]
        if kind in "xX" or kind in "0123":
            code = int(esc[2:], 16) if kind in "xX" else int(esc[1:], 8)
            out += bytes([code]) if as_bytes else chr(code).encode("utf-8")
        elif kind in "uU":
            if as_bytes:
                raise ValueError("unicode escapes are not allowed in bytes literals")
            out += chr(int(esc[2:], 16)).encode("utf-8")
        else:
            out += _SIMPLE_ESCAPES[kind].encode("utf-8")
        pos = m.end()
    out += body[pos:].encode("utf-8")
    return bytes(out)


class _Scope:
    """Variables of one evaluation: activation values are converted to CEL values on first use."""

    __slots__ = ("raw", "conv", "parent")

    def __init__(self, raw: Mapping[str, Any] | None, conv: dict[str, Any], parent: "_Scope | None") -> None:
        self.raw = raw
        self.conv = conv
        self.parent = parent

    def lookup(self, name: str) -> Any:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.conv:
                return scope.conv[name]
            if scope.raw is not None and name in scope.raw:
                # Plain JSON data is used as is (dict/list/str/int/float/bool/None are CEL values
                # to the evaluator): converting a whole resource per evaluation cost ~0.4 ms.
                value = scope.raw[name]
                if isinstance(value, int) and not isinstance(value, bool) and not INT64_MIN <= value <= INT64_MAX:
                    raise EvalFailure(f"integer {value} overflows int64")
                return value
            scope = scope.parent
        return _MISSING

    def child(self, values: dict[str, Any]) -> "_Scope":
        return _Scope(None, values, self)


Code = Callable[[_Scope], Any]
# A parse-tree node. Its children are Trees or Tokens by grammar rule and position, which
# lark's types cannot say; the compiler reads each rule's children by what the grammar puts there.
_Tree = lark.Tree[Any]

_TYPE_IDENTS = frozenset({"int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type"})


def _fail(message: str) -> EvalFailure:
    return EvalFailure(message)


def _call(name: str, impls: tuple[Callable[..., Any], ...], args: list[Any], member: bool) -> Any:
    for impl in impls:
        try:
            return impl(*args)
        except NoOverload:
            continue
    types = ", ".join(type_name(a) for a in args[1:] if True) if member else ", ".join(type_name(a) for a in args)
    if member:
        raise _fail(f"found no matching overload for '{name}' applied to '{type_name(args[0])}.({types})'")
    raise _fail(f"found no matching overload for '{name}' applied to '({types})'")


def _select(value: Any, field: str) -> Any:
    if isinstance(value, dict):
        found = map_lookup(value, celtypes.StringType(field))
        if found is _MISSING:
            raise _fail(f"no such key: {field}")
        return found
    if isinstance(value, OptionalValue):
        if not value.present:
            return value
        return OptionalValue(_select(value.value, field), True)
    getter = getattr(value, "cel_field", None)
    if getter is not None:
        return getter(field)
    raise _fail(f"type '{type_name(value)}' does not support field selection (selecting '{field}')")


def _index(value: Any, key: Any) -> Any:
    if isinstance(value, list):
        if isinstance(key, float) and float(key).is_integer():  # cel-go's IndexOrError takes 1.0
            key = celtypes.IntType(int(key))
        if not is_number(key) or isinstance(key, float):
            raise _fail(f"found no matching overload for '_[_]' applied to '(list, {type_name(key)})'")
        i = int(key)
        if i < 0 or i >= len(value):
            raise _fail(f"index out of range: {i} (list size {len(value)})")
        return value[i]
    if isinstance(value, dict):
        found = map_lookup(value, key)
        if found is _MISSING:
            raise _fail(f"no such key: {to_python(key) if not isinstance(key, str) else key}")
        return found
    if isinstance(value, OptionalValue):
        if not value.present:
            return value
        return OptionalValue(_index(value.value, key), True)
    raise _fail(f"found no matching overload for '_[_]' applied to '({type_name(value)}, {type_name(key)})'")


def _opt_select(value: Any, key: Any) -> OptionalValue:
    if isinstance(value, OptionalValue):
        if not value.present:
            return value
        value = value.value
    if isinstance(value, dict):
        found = map_lookup(value, key)
        return OptionalValue() if found is _MISSING else OptionalValue(found, True)
    if isinstance(value, list):
        if not is_number(key):
            raise _fail(f"found no matching overload for '_[?_]' applied to '(list, {type_name(key)})'")
        i = int(key)
        return OptionalValue(value[i], True) if 0 <= i < len(value) else OptionalValue()
    raise _fail(f"type '{type_name(value)}' does not support optional selection")


def _as_bool(value: Any, op: str) -> bool:
    if isinstance(value, (bool, celtypes.BoolType)):
        return bool(value)
    raise _fail(f"no such overload: {op} applied to {type_name(value)}; write a boolean expression")


def _arith(op: str, a: Any, b: Any) -> Any:
    ta, tb = type_name(a), type_name(b)
    numeric = {"int", "uint", "double"}
    if op == "+":
        ok = ta == tb and ta in numeric | {"string", "bytes", "list"} or (
            {ta, tb} <= {"google.protobuf.Duration", "google.protobuf.Timestamp"} and "google.protobuf.Duration" in (ta, tb)
        )
    elif op == "-":
        ok = ta == tb and ta in numeric | {"google.protobuf.Duration", "google.protobuf.Timestamp"} or (
            ta == "google.protobuf.Timestamp" and tb == "google.protobuf.Duration"
        )
    else:
        ok = ta == tb and (ta in numeric if op != "%" else ta in ("int", "uint"))
    if not ok:
        raise _fail(f"found no matching overload for '_{op}_' applied to '({ta}, {tb})'")
    if ta in ("int", "uint"):
        x, y = int(a), int(b)
        if op == "+":
            r = x + y
        elif op == "-":
            r = x - y
        elif op == "*":
            r = x * y
        else:
            if y == 0:
                raise _fail("division by zero" if op == "/" else "modulus by zero")
            q = abs(x) // abs(y)
            q = q if (x >= 0) == (y >= 0) else -q  # CEL truncates toward zero
            r = q if op == "/" else x - q * y
        if ta == "int":
            if not INT64_MIN <= r <= INT64_MAX:
                raise _fail(f"integer overflow in '{op}'")
            return r
        if not 0 <= r <= 2**64 - 1:
            raise _fail(f"unsigned integer overflow in '{op}'")
        return celtypes.UintType(r)
    if ta == "double":
        fx, fy = float(a), float(b)
        if op == "+":
            return fx + fy
        if op == "-":
            return fx - fy
        if op == "*":
            return fx * fy
        if fy == 0:
            return math.nan if fx == 0 or math.isnan(fx) else math.copysign(math.inf, fx) * math.copysign(1, fy)
        return fx / fy
    if op == "+":
        if ta == "list":
            return celtypes.ListType(list(a) + list(b))
        if ta == "string":
            return str(a) + str(b)
        if ta == "bytes":
            return celtypes.BytesType(bytes(a) + bytes(b))
    try:
        moved = a + b if op == "+" else a - b
        if isinstance(moved, datetime.timedelta) and not isinstance(moved, celtypes.DurationType):
            return celtypes.DurationType(moved)
        if isinstance(moved, datetime.datetime) and not isinstance(moved, celtypes.TimestampType):
            return celtypes.TimestampType(moved)
        return moved
    except (ValueError, OverflowError) as ex:
        raise _fail(f"overflow in '{op}' on {ta}") from ex


def _relation(op: str, a: Any, b: Any) -> celtypes.BoolType:
    if op == "==":
        return celtypes.BoolType(cel_equal(a, b))
    if op == "!=":
        return celtypes.BoolType(not cel_equal(a, b))
    if op == "in":
        if isinstance(b, list):
            return celtypes.BoolType(any(cel_equal(a, x) for x in b))
        if isinstance(b, dict):
            return celtypes.BoolType(map_lookup(b, a) is not _MISSING)
        raise _fail(f"found no matching overload for '@in' applied to '({type_name(a)}, {type_name(b)})'")
    try:
        c = cel_compare(a, b)
    except NoOverload:
        raise _fail(f"found no matching overload for '_{op}_' applied to '({type_name(a)}, {type_name(b)})'") from None
    return celtypes.BoolType({"<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[op])


class _Compiler:
    """Turns a parse tree into nested closures ``Code = (scope) -> value``."""

    def __init__(self, expression: str) -> None:
        self.expression = expression

    def compile(self, tree: _Tree) -> Code:
        method: Callable[[_Tree], Code] | None = getattr(self, "c_" + tree.data, None)
        if method is None:  # pragma: no cover - grammar and compiler out of step
            raise CelError(f"unsupported CEL construct {tree.data}", expression=self.expression)
        return method(tree)

    def _error(self, tree: Any, message: str) -> CelError:
        column = getattr(getattr(tree, "meta", None), "column", None)
        return CelError(message, column=column, expression=self.expression)

    # --- operators ------------------------------------------------------------------
    def c_expr(self, tree: _Tree) -> Code:
        if len(tree.children) == 1:
            return self.compile(tree.children[0])
        cond, then, other = (self.compile(c) for c in tree.children)

        def ternary(s: _Scope) -> Any:
            return then(s) if _as_bool(cond(s), "_?_:_") else other(s)

        return ternary

    def _logical(self, tree: _Tree, is_or: bool) -> Code:
        if len(tree.children) == 1:
            return self.compile(tree.children[0])
        left, right = (self.compile(c) for c in tree.children)
        op = "_||_" if is_or else "_&&_"

        def logical(s: _Scope) -> Any:
            # cel-go is commutative over errors: `err || true` is true, `false && err` is false.
            try:
                lv: Any = _as_bool(left(s), op)
            except EvalFailure as ex:
                lv = ex
            if lv is is_or:
                return celtypes.BoolType(is_or)
            rv = _as_bool(right(s), op)
            if rv is is_or:
                return celtypes.BoolType(is_or)
            if isinstance(lv, EvalFailure):
                raise lv
            return celtypes.BoolType(not is_or)

        return logical

    def c_conditionalor(self, tree: _Tree) -> Code:
        return self._logical(tree, True)

    def c_conditionaland(self, tree: _Tree) -> Code:
        return self._logical(tree, False)

    def _binary(self, tree: _Tree, ops: Mapping[str, str], apply: Callable[[str, Any, Any], Any]) -> Code:
        if len(tree.children) == 1:
            return self.compile(tree.children[0])
        op_tree, right_tree = tree.children
        op = ops[op_tree.data]
        left = self.compile(op_tree.children[0])
        right = self.compile(right_tree)
        return lambda s: apply(op, left(s), right(s))

    def c_relation(self, tree: _Tree) -> Code:
        ops = {"relation_lt": "<", "relation_le": "<=", "relation_gt": ">", "relation_ge": ">=",
               "relation_eq": "==", "relation_ne": "!=", "relation_in": "in"}
        return self._binary(tree, ops, _relation)

    def c_addition(self, tree: _Tree) -> Code:
        return self._binary(tree, {"addition_add": "+", "addition_sub": "-"}, _arith)

    def c_multiplication(self, tree: _Tree) -> Code:
        ops = {"multiplication_mul": "*", "multiplication_div": "/", "multiplication_mod": "%"}
        return self._binary(tree, ops, _arith)

    def c_unary(self, tree: _Tree) -> Code:
        if len(tree.children) == 1:
            return self.compile(tree.children[0])
        op_tree, operand_tree = tree.children
        operand = self.compile(operand_tree)
        if op_tree.data == "unary_not":
            return lambda s: celtypes.BoolType(not _as_bool(operand(s), "!_"))

        def negate(s: _Scope) -> Any:
            v = operand(s)
            t = type_name(v)
            if t not in ("int", "double", "google.protobuf.Duration"):
                raise _fail(f"found no matching overload for '-_' applied to '({t})'")
            if t == "int":
                if v == INT64_MIN:
                    raise _fail("integer overflow in '-'")
                return -int(v)
            if t == "double":
                return -float(v)
            try:
                return -v
            except (ValueError, OverflowError):
                raise _fail("integer overflow in '-'") from None

        return negate

    # --- members --------------------------------------------------------------------
    def c_member(self, tree: _Tree) -> Code:
        return self.compile(tree.children[0])

    def c_member_dot(self, tree: _Tree) -> Code:
        member_tree, field_tok = tree.children
        field = str(field_tok)
        qualified = self._qualified(member_tree)
        if qualified is not None:
            root = qualified.split(".")[0]
            full = f"{qualified}.{field}"
            # `math.greatest` etc. read as a field of an undeclared `math`: report the function instead.
            if full in _FUNCTIONS:
                raise self._error(tree, f"{full} is a function; call it: {full}(...)")
            del root
        member = self.compile(member_tree)
        return lambda s: _select(member(s), field)

    def c_member_dot_opt(self, tree: _Tree) -> Code:
        member_tree, field_tok = tree.children
        member = self.compile(member_tree)
        key = celtypes.StringType(str(field_tok))
        return lambda s: _opt_select(member(s), key)

    def c_member_index(self, tree: _Tree) -> Code:
        member, key = (self.compile(c) for c in tree.children)
        return lambda s: _index(member(s), key(s))

    def c_member_index_opt(self, tree: _Tree) -> Code:
        member, key = (self.compile(c) for c in tree.children)
        return lambda s: _opt_select(member(s), key(s))

    def c_member_object(self, tree: _Tree) -> Code:
        raise self._error(tree, "message construction (Type{field: value}) is not supported by kro; use a map literal")

    def _qualified(self, tree: Any) -> str | None:
        """``a.b.c`` as text when the tree is a plain identifier chain, else None."""
        if not isinstance(tree, lark.Tree):
            return None
        if tree.data in ("member", "primary") and len(tree.children) == 1:
            return self._qualified(tree.children[0])
        if tree.data == "ident":
            return str(tree.children[0])
        if tree.data == "member_dot":
            inner = self._qualified(tree.children[0])
            return None if inner is None else f"{inner}.{tree.children[1]}"
        return None

    def _args(self, tree: _Tree) -> list[_Tree]:
        if len(tree.children) >= 3:
            return list(tree.children[2].children)
        return []

    def c_member_dot_arg(self, tree: _Tree) -> Code:
        member_tree, name_tok = tree.children[:2]
        name = str(name_tok)
        arg_trees = self._args(tree)
        qualified = self._qualified(member_tree)
        if qualified is not None:
            full = f"{qualified}.{name}"
            if full == "cel.bind":
                return self._bind(tree, arg_trees)
            if full in _FUNCTIONS:
                return self._global_call(full, arg_trees)
            if qualified in ("math", "sets", "strings", "lists", "base64", "hash", "json", "random", "optional", "ip"):
                raise self._error(tree, f"undeclared reference to '{full}': kro's CEL environment has no such function")
        macro: Callable[[_Tree, Code, list[_Tree]], Code | None] | None = getattr(self, "m_" + name, None)
        if macro is not None and arg_trees and self._ident(arg_trees[0]) is not None:
            code = macro(tree, self.compile(member_tree), arg_trees)
            if code is not None:
                return code
        target = self.compile(member_tree)
        args = [self.compile(a) for a in arg_trees]
        impls = _METHODS.get(name)
        if impls is None:
            raise self._error(tree, f"undeclared reference to '{name}': no such function in kro's CEL environment")

        def method(s: _Scope) -> Any:
            return _call(name, impls, [target(s), *(a(s) for a in args)], True)

        return method

    def _global_call(self, name: str, arg_trees: list[_Tree]) -> Code:
        impls = _FUNCTIONS[name]
        args = [self.compile(a) for a in arg_trees]
        return lambda s: _call(name, impls, [a(s) for a in args], False)

    # --- primaries ------------------------------------------------------------------
    def c_primary(self, tree: _Tree) -> Code:
        return self.compile(tree.children[0])

    def c_paren_expr(self, tree: _Tree) -> Code:
        return self.compile(tree.children[0])

    def c_ident(self, tree: _Tree) -> Code:
        name = str(tree.children[0])

        def ident(s: _Scope) -> Any:
            value = s.lookup(name)
            if value is _MISSING:
                if name in _TYPE_IDENTS:
                    return standard.CelTypeValue(name)
                raise _fail(f"undeclared reference to '{name}'")
            return value

        return ident

    def c_dot_ident(self, tree: _Tree) -> Code:
        return self.c_ident(tree)

    def c_dot_ident_arg(self, tree: _Tree) -> Code:
        return self.c_ident_arg(tree)

    def c_ident_arg(self, tree: _Tree) -> Code:
        name = str(tree.children[0])
        arg_trees = list(tree.children[1].children) if len(tree.children) > 1 else []
        if name == "has":
            return self._has(tree, arg_trees)
        if name == "dyn" and len(arg_trees) == 1:
            return self.compile(arg_trees[0])
        if name not in _FUNCTIONS:
            raise self._error(tree, f"undeclared reference to '{name}': no such function in kro's CEL environment")
        return self._global_call(name, arg_trees)

    def _has(self, tree: _Tree, arg_trees: list[_Tree]) -> Code:
        node = arg_trees[0] if len(arg_trees) == 1 else None
        while isinstance(node, lark.Tree) and node.data in ("expr", "conditionalor", "conditionaland", "relation",
                                                             "addition", "multiplication", "unary", "member") \
                and len(node.children) == 1:
            node = node.children[0]
        if not (isinstance(node, lark.Tree) and node.data == "member_dot"):
            raise self._error(tree, "invalid argument to has() macro: write has(object.field)")
        target = self.compile(node.children[0])
        field = celtypes.StringType(str(node.children[1]))

        def has(s: _Scope) -> Any:
            v = target(s)
            if isinstance(v, dict):
                return celtypes.BoolType(map_lookup(v, field) is not _MISSING)
            raise _fail(f"invalid argument to has() macro: type '{type_name(v)}' has no fields")

        return has

    def c_literal(self, tree: _Tree) -> Code:
        tok = tree.children[0]
        text = str(tok)
        kind = tok.type if isinstance(tok, lark.Token) else None
        try:
            if kind == "INT_LIT":
                value: Any = celtypes.IntType(int(text, 0) if "x" in text.lower() else int(text, 10))
            elif kind == "UINT_LIT":
                body = text[:-1]
                value = celtypes.UintType(int(body, 0) if "x" in body.lower() else int(body))
            elif kind == "FLOAT_LIT":
                value = celtypes.DoubleType(float(text))
            elif kind in ("STRING_LIT", "MLSTRING_LIT"):
                value = celtypes.StringType(_decode_literal(text, False).decode("utf-8"))
            elif kind == "BYTES_LIT":
                value = celtypes.BytesType(_decode_literal(text[1:], True))
            elif kind == "BOOL_LIT":
                value = celtypes.BoolType(text == "true")
            else:
                value = None
        except (ValueError, OverflowError, UnicodeDecodeError) as ex:
            raise self._error(tree, f"invalid literal {text}: {ex}") from None
        return lambda s: value

    def c_list_lit(self, tree: _Tree) -> Code:
        if not tree.children:
            return lambda s: celtypes.ListType()
        elems = []
        for child in tree.children:
            if child.data == "opt_elem":
                elems.append((True, self.compile(child.children[0])))
            else:
                elems.append((False, self.compile(child)))

        def build(s: _Scope) -> Any:
            out = celtypes.ListType()
            for optional_elem, code in elems:
                v = code(s)
                if optional_elem:
                    if not isinstance(v, OptionalValue):
                        raise _fail(f"optional list element must be an optional, got {type_name(v)}")
                    if v.present:
                        out.append(v.value)
                else:
                    out.append(v)
            return out

        return build

    def c_map_lit(self, tree: _Tree) -> Code:
        if not tree.children:
            return lambda s: celtypes.MapType()
        entries = []
        for child in tree.children:
            k, v = (self.compile(c) for c in child.children)
            entries.append((child.data == "opt_mapentry", k, v))

        def build(s: _Scope) -> Any:
            out = celtypes.MapType()
            for optional_entry, kc, vc in entries:
                key = kc(s)
                if type_name(key) not in ("string", "int", "uint", "bool"):
                    raise _fail(f"unsupported map key type: {type_name(key)}")
                if map_lookup(out, key) is not _MISSING:
                    raise _fail(f"repeated key in map literal: {to_python(key)}")
                value = vc(s)
                if optional_entry:
                    if not isinstance(value, OptionalValue):
                        raise _fail(f"optional map entry value must be an optional, got {type_name(value)}")
                    if value.present:
                        out[key] = value.value
                else:
                    out[key] = value
            return out

        return build

    # --- macros ---------------------------------------------------------------------
    def _ident(self, tree: Any) -> str | None:
        q = self._qualified(tree)
        if q is None:
            # The argument is an `expr` chain around a bare identifier.
            node = tree
            while isinstance(node, lark.Tree) and len(node.children) == 1 and node.data != "ident":
                node = node.children[0]
            if isinstance(node, lark.Tree) and node.data == "ident":
                return str(node.children[0])
            return None
        return q if "." not in q else None

    def _vars(self, trees: list[_Tree], count: int, macro: str, tree: _Tree) -> list[str]:
        names = [self._ident(t) for t in trees[:count]]
        if any(n is None for n in names):
            raise self._error(tree, f"{macro}() macro variables must be simple identifiers")
        if count == 2 and names[0] == names[1]:
            raise self._error(tree, f"{macro}() macro variables must differ, both are named '{names[0]}'")
        return [n for n in names if n]

    @staticmethod
    def _entries(target: Any, macro: str) -> list[tuple[Any, Any]]:
        if isinstance(target, list):
            return [(celtypes.IntType(i), v) for i, v in enumerate(target)]
        if isinstance(target, dict):
            return [(k, v) for k, v in target.items()]
        raise _fail(f"{macro}() applies to lists and maps, not {type_name(target)}")

    def _one_var(self, target: Any, macro: str) -> list[Any]:
        if isinstance(target, list):
            return list(target)
        if isinstance(target, dict):
            return list(target.keys())
        raise _fail(f"{macro}() applies to lists and maps, not {type_name(target)}")

    def _quantifier(self, tree: _Tree, target: Code, args: list[_Tree], kind: str) -> Code | None:
        if len(args) not in (2, 3):
            return None
        two = len(args) == 3
        names = self._vars(args, 2 if two else 1, kind, tree)
        pred = self.compile(args[-1])

        def quantify(s: _Scope) -> Any:
            t = target(s)
            items = self._entries(t, kind) if two else [(v,) for v in self._one_var(t, kind)]
            error: EvalFailure | None = None
            count = 0
            for item in items:
                try:
                    ok = _as_bool(pred(s.child(dict(zip(names, item)))), kind)
                except EvalFailure as ex:
                    if kind in ("exists_one", "existsOne"):
                        raise
                    error = error or ex
                    continue
                if kind == "all" and not ok:
                    return celtypes.BoolType(False)
                if kind == "exists" and ok:
                    return celtypes.BoolType(True)
                count += ok
            if error is not None:
                raise error
            if kind == "all":
                return celtypes.BoolType(True)
            if kind == "exists":
                return celtypes.BoolType(False)
            return celtypes.BoolType(count == 1)

        return quantify

    def m_all(self, tree: _Tree, target: Code, args: list[_Tree]) -> Code | None:
        return self._quantifier(tree, target, args, "all")

    def m_exists(self, tree: _Tree, target: Code, args: list[_Tree]) -> Code | None:
        return self._quantifier(tree, target, args, "exists")

    def m_exists_one(self, tree: _Tree, target: Code, args: list[_Tree]) -> Code | None:
        return self._quantifier(tree, target, args, "exists_one") if len(args) == 2 else None

    def m_existsOne(self, tree: _Tree, target: Code, args: list[_Tree]) -> Code | None:  # noqa: N802
        return self._quantifier(tree, target, args, "existsOne")

    def m_map(self, tree: _Tree, target: Code, args: list[_Tree]) -> Code | None:
        if len(args) not in (2, 3):
            return None
        (var,) = self._vars(args, 1, "map", tree)
        transform = self.compile(args[-1])
        keep = self.compile(args[1]) if len(args) == 3 else None

        def map_(s: _Scope) -> Any:
            out = celtypes.ListType()
            for v in self._one_var(target(s), "map"):
                inner = s.child({var: v})
                if keep is None or _as_bool(keep(inner), "map"):
                    out.append(transform(inner))
            return out

        return map_

    def m_filter(self, tree: _Tree, target: Code, args: list[_Tree]) -> Code | None:
        if len(args) != 2:
            return None
        (var,) = self._vars(args, 1, "filter", tree)
        pred = self.compile(args[1])

        def filter_(s: _Scope) -> Any:
            return celtypes.ListType(
                v for v in self._one_var(target(s), "filter") if _as_bool(pred(s.child({var: v})), "filter")
            )

        return filter_

    def m_sortBy(self, tree: _Tree, target: Code, args: list[_Tree]) -> Code | None:  # noqa: N802
        if len(args) != 2:
            return None
        (var,) = self._vars(args, 1, "sortBy", tree)
        key = self.compile(args[1])

        def sort_by(s: _Scope) -> Any:
            t = target(s)
            if not isinstance(t, list):
                raise _fail(f"sortBy() applies to lists, not {type_name(t)}")
            keys = [key(s.child({var: v})) for v in t]
            return lists.sort_by_keys(t, keys)

        return sort_by

    def _transform(self, tree: _Tree, target: Code, args: list[_Tree], kind: str) -> Code | None:
        if len(args) not in (3, 4):
            return None
        names = self._vars(args, 2, kind, tree)
        transform = self.compile(args[-1])
        keep = self.compile(args[2]) if len(args) == 4 else None

        def run(s: _Scope) -> Any:
            out_list = celtypes.ListType()
            out_map = celtypes.MapType()
            for k, v in self._entries(target(s), kind):
                inner = s.child({names[0]: k, names[1]: v})
                if keep is not None and not _as_bool(keep(inner), kind):
                    continue
                result = transform(inner)
                if kind == "transformList":
                    out_list.append(result)
                elif kind == "transformMap":
                    out_map[k] = result
                else:
                    if not isinstance(result, dict):
                        raise _fail(f"transformMapEntry() transform must return a map, got {type_name(result)}")
                    for rk, rv in result.items():
                        if map_lookup(out_map, rk) is not _MISSING:
                            raise _fail(f"insert failed: key {to_python(rk)} already exists")
                        out_map[rk] = rv
            return out_list if kind == "transformList" else out_map

        return run

    def m_transformList(self, tree: _Tree, target: Code, args: list[_Tree]) -> Code | None:  # noqa: N802
        return self._transform(tree, target, args, "transformList")

    def m_transformMap(self, tree: _Tree, target: Code, args: list[_Tree]) -> Code | None:  # noqa: N802
        return self._transform(tree, target, args, "transformMap")

    def m_transformMapEntry(self, tree: _Tree, target: Code, args: list[_Tree]) -> Code | None:  # noqa: N802
        return self._transform(tree, target, args, "transformMapEntry")

    def _opt_map(self, tree: _Tree, target: Code, args: list[_Tree], flat: bool) -> Code | None:
        if len(args) != 2:
            return None
        (var,) = self._vars(args, 1, "optFlatMap" if flat else "optMap", tree)
        body = self.compile(args[1])

        def run(s: _Scope) -> Any:
            t = target(s)
            if not isinstance(t, OptionalValue):
                raise _fail(f"optMap() applies to optional values, not {type_name(t)}")
            if not t.present:
                return t
            result = body(s.child({var: t.value}))
            if flat:
                if not isinstance(result, OptionalValue):
                    raise _fail(f"optFlatMap() expression must return an optional, got {type_name(result)}")
                return result
            return OptionalValue(result, True)

        return run

    def m_optMap(self, tree: _Tree, target: Code, args: list[_Tree]) -> Code | None:  # noqa: N802
        return self._opt_map(tree, target, args, False)

    def m_optFlatMap(self, tree: _Tree, target: Code, args: list[_Tree]) -> Code | None:  # noqa: N802
        return self._opt_map(tree, target, args, True)

    def _bind(self, tree: _Tree, args: list[_Tree]) -> Code:
        if len(args) != 3:
            raise self._error(tree, "cel.bind() takes 3 arguments: cel.bind(name, value, expression)")
        (var,) = self._vars(args, 1, "cel.bind", tree)
        init, body = self.compile(args[1]), self.compile(args[2])
        return lambda s: body(s.child({var: init(s)}))


@functools.lru_cache(maxsize=4096)
def compile_expression(expression: str) -> Code:
    """Parse and compile once per process; later calls with the same text reuse the closures."""
    return _Compiler(expression).compile(_parse(expression))


def check(expression: str, *, functions: bool = False) -> None:
    """Syntax check (parse only): CelError with the column on failure.

    With ``functions``, every called function, method and macro must also be one
    of kro's CEL environment, as kro checks when it builds an RGD.
    """
    tree = _parse(expression)
    if functions:
        _check_functions(tree, expression)


# Calls the compiler handles itself rather than through the library registries.
_SPECIAL_GLOBALS = frozenset({"has", "dyn", "cel.bind"})
# Namespaces kro users reach for: ``math.least`` is a missing function, not a method of ``math``.
_NAMESPACES = _refs.NAMESPACES


@functools.lru_cache(maxsize=1)
def _known_calls() -> tuple[frozenset[str], frozenset[str]]:
    """(global functions, methods): the registries plus the macros the compiler implements (``m_*``)."""
    macros = frozenset(name[2:] for name in dir(_Compiler) if name.startswith("m_"))
    return frozenset(_FUNCTIONS) | _SPECIAL_GLOBALS, frozenset(_METHODS) | macros


def _check_functions(tree: _Tree, expression: str) -> None:
    functions, methods = _known_calls()
    qualify = _Compiler(expression)._qualified
    stack = [tree]
    while stack:
        node = stack.pop()
        stack.extend(c for c in node.children if isinstance(c, lark.Tree))
        if node.data in ("ident_arg", "dot_ident_arg"):
            name = str(node.children[0])
            if name not in functions:
                raise _unknown_function(node, name, functions, expression)
        elif node.data == "member_dot_arg":
            name = str(node.children[1])
            qualified = qualify(node.children[0])
            if qualified is not None and f"{qualified}.{name}" in functions:
                continue
            if qualified in _NAMESPACES:
                raise _unknown_function(node, f"{qualified}.{name}", functions, expression)
            if name not in methods:
                raise _unknown_function(node, name, methods, expression, method=True)


def _unknown_function(node: _Tree, name: str, known: frozenset[str], expression: str, *,
                      method: bool = False) -> CelError:
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"did you mean {'.' if method else ''}{close[0]}()?" if close else None
    if name.startswith("math."):
        hint = "kro has no math library; for the least/greatest of values write [a, b].min() / [a, b].max()"
    what = "method" if method else "function"
    return CelError(
        f"undeclared reference to '{name}': kro's CEL environment has no such {what}",
        column=getattr(getattr(node, "meta", None), "column", None),
        expression=expression,
        hint=hint,
    )


def evaluate(expression: str, activation: Mapping[str, object]) -> object:
    code = compile_expression(expression)
    try:
        return to_python(code(_Scope(activation, {}, None)))
    except EvalFailure as ex:
        raise CelError(str(ex), expression=expression) from None
    except NotSupportedOffline as ex:
        raise CelError(str(ex), expression=expression, hint="evaluate it in kro mode instead") from None
    except (TypeError, ValueError, ArithmeticError) as ex:
        raise CelError(f"evaluation failed: {ex}", expression=expression) from None
    except RecursionError:
        raise CelError("expression nests too deeply to evaluate", expression=expression) from None
