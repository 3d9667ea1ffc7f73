"""Kubernetes ``library.Quantity()``: ``quantity``, ``isQuantity`` and ``Quantity`` arithmetic/comparison.

Values are exact fractions. Parsing follows ``resource.ParseQuantity``: a signed
decimal number followed by a binary-SI suffix (``Ki``..``Ei``), a decimal-SI
suffix (``n``, ``u``, ``m``, ``""``, ``k``, ``M``..``E``) or a decimal exponent
(``e3``, ``E-2``); precision below 1n is rounded up like Kubernetes does. A
Quantity is not a valid field value in kro (its result conversion rejects it),
so only its numbers and booleans leave CEL; no canonical string form is needed.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

from celpy import celtypes

from ._runtime import INT64_MAX, INT64_MIN, EvalFailure, Library, NoOverload, parses, string_arg, type_name

__all__ = ["LIBRARY", "Quantity", "parse"]

_RE = re.compile(r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$")
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}


class Quantity:
    cel_type_name = "kubernetes.Quantity"

    def __init__(self, value: Fraction) -> None:
        self.value = value

    def cel_compare(self, other: "Quantity") -> int:
        return (self.value > other.value) - (self.value < other.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Quantity) and other.value == self.value

    __hash__ = None  # type: ignore[assignment]


def parse(text: str) -> Quantity:
    m = _RE.match(text)
    if not m or text in ("", "+", "-"):
        raise EvalFailure(f"quantities must match the regular expression "
                          f"'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {text!r}")
    number = Fraction(m.group(1))
    suffix = m.group(2) or ""
    if suffix in _BINARY:
        value = number * (Fraction(2) ** _BINARY[suffix])
    elif suffix in _DECIMAL:
        value = number * (Fraction(10) ** _DECIMAL[suffix])
    elif suffix:
        value = number * (Fraction(10) ** int(suffix[1:]))
    else:
        value = number
    nanos = value * 10**9
    if nanos.denominator != 1:  # Kubernetes keeps at most nano precision, rounding away from zero
        value = Fraction(math.ceil(abs(nanos)) * (1 if nanos > 0 else -1), 10**9)
    return Quantity(value)


def _q(value: Any) -> Quantity:
    if isinstance(value, Quantity):
        return value
    raise NoOverload


def _operand(value: Any) -> Fraction:
    if isinstance(value, Quantity):
        return value.value
    if type_name(value) == "int":
        return Fraction(int(value))
    raise NoOverload


def _quantity(text: Any) -> Any:
    return parse(string_arg(text))


def _is_quantity(text: Any) -> Any:
    return parses(parse, string_arg(text))


def _is_integer(q: Any) -> bool:
    v = _q(q).value
    return v.denominator == 1 and INT64_MIN <= v <= INT64_MAX


def _as_integer(q: Any) -> Any:
    if not _is_integer(q):
        raise EvalFailure("cannot convert value to integer")
    return celtypes.IntType(int(_q(q).value))


def _other(value: Any) -> Quantity:
    if isinstance(value, Quantity):
        return value
    raise NoOverload


LIBRARY = Library(
    functions={"quantity": _quantity, "isQuantity": _is_quantity},
    methods={
        "add": lambda a, b: Quantity(_q(a).value + _operand(b)),
        "sub": lambda a, b: Quantity(_q(a).value - _operand(b)),
        "isLessThan": lambda a, b: celtypes.BoolType(_q(a).cel_compare(_other(b)) < 0),
        "isGreaterThan": lambda a, b: celtypes.BoolType(_q(a).cel_compare(_other(b)) > 0),
        "compareTo": lambda a, b: celtypes.IntType(_q(a).cel_compare(_other(b))),
        "asInteger": _as_integer,
        "asApproximateFloat": lambda q: celtypes.DoubleType(float(_q(q).value)),
        "isInteger": lambda q: celtypes.BoolType(_is_integer(q)),
        "sign": lambda q: celtypes.IntType((_q(q).value > 0) - (_q(q).value < 0)),
    },
)
