"""Bugs found while type-checking the CEL libraries with ``mypy --strict``, each pinned by a row."""

from __future__ import annotations

import time
from typing import Any

import pytest

from pykro.celengine import evaluate


@pytest.mark.parametrize(("expression", "expected"), [
    # Below 1n Kubernetes rounds away from zero; this used to raise TypeError (a float numerator to Fraction).
    ("quantity('1.5n').compareTo(quantity('2n'))", 0),
    ("quantity('-1.5n').compareTo(quantity('-2n'))", 0),
    ("quantity('0.1n').isGreaterThan(quantity('0'))", True),
    ("quantity('1.0000000001').compareTo(quantity('1000000001n'))", 0),
    # Exact: rounding through a float (as math.copysign did) would be off by millions of nanos here.
    ("quantity('12345678901234567.0000000001').compareTo(quantity('12345678901234567000000001n'))", 0),
], ids=["round-up", "negative-away-from-zero", "tiny", "unit", "large-exact"])
def test_quantity_rounds_below_nano(expression: str, expected: Any) -> None:
    assert evaluate(expression, {}) == expected


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"], ids=["utc", "new-york", "kolkata"])
def test_timestamp_of_int_is_utc_whatever_the_local_zone(zone: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``timestamp(int)`` is seconds since the epoch in UTC; it used to take the process's local zone."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        assert str(evaluate("string(timestamp(5))", {})) == "1970-01-01T00:00:05Z"
        assert evaluate("timestamp(86400).getDayOfWeek()", {}) == 5  # 1970-01-02 was a Friday
    finally:
        monkeypatch.undo()
        time.tzset()
