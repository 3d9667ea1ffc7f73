"""Functions kro has that an offline render cannot evaluate: a clear error, never a wrong value.

``omit()`` is a field-removal sentinel that only kro's renderer understands, and
``runtime.*`` reads the live instance's status conditions.
"""

from __future__ import annotations

from typing import Any, Callable

from ._runtime import Library, NotSupportedOffline

__all__ = ["LIBRARY"]


def _unsupported(name: str, why: str) -> Callable[..., Any]:
    def fail(*_args: Any) -> Any:
        raise NotSupportedOffline(f"{name} is not supported offline: {why}")

    return fail


LIBRARY = Library(
    functions={
        "omit": _unsupported("omit()", "it removes a field when kro renders the resource"),
        "runtime.newCondition": _unsupported("runtime.newCondition()", "conditions exist only on a live instance"),
        "runtime.condition": _unsupported("runtime.condition()", "conditions exist only on a live instance"),
    }
)
