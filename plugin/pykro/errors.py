"""The errors pykro raises.

Every error a user can cause is a :class:`PykroError`. It carries where the
problem is (``file``, ``line``, ``column``), which field (``path``, written the
way kro writes field paths: ``spec.containers[0].image``, dotted keys as
``["a.b"]``) and, for CEL, the user's own ``expression``. The CLI prints
``str(error)`` as one line on stderr and exits non-zero; nothing else of a
failed run reaches stdout.

This module imports nothing but the standard library: every layer may raise
these errors, including the cache-hit path.
"""

from __future__ import annotations

__all__ = [
    "PykroError",
    "SchemaError",
    "ReferenceUsageError",
    "GraphError",
    "CycleError",
    "CelError",
    "ValuesError",
    "ProjectError",
    "RenderError",
    "CacheError",
]


class PykroError(Exception):
    """Base of every error caused by user input.

    The message is the reason alone; the location is kept apart so that the
    CLI, the Argo CD plugin and tests can all read it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        path: str | None = None,
        expression: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.expression = expression
        self.hint = hint

    def located(self, **where: object) -> "PykroError":
        """Fill in location fields not known where the error was raised.

        Inner layers know the field path; outer layers know the file. Each
        adds what it knows without overwriting what is more precise.

        A column known without a line is a column of the CEL expression, not
        of the file: when a layer supplies the line, that column moves into
        the message ("at column 19 of the expression") so that ``file:line:col``
        never mixes a Python line with a column inside a string.
        """
        if where.get("line") is not None and self.line is None and self.column is not None:
            self._column_into_message()
        for name, value in where.items():
            if value is not None and getattr(self, name) is None:
                setattr(self, name, value)
        return self

    def _column_into_message(self) -> None:
        import re  # only on this error path: the cache-hit path imports nothing it does not need

        column, self.column = self.column, None
        of = "of the expression" if self.expression is not None else "of the value"
        said = re.compile(rf"\bat column {column}(?!\d)")
        if said.search(self.message):
            self.message = said.sub(lambda m: f"{m.group(0)} {of}", self.message, count=1)
        else:
            self.message += f" (at column {column} {of})"
        self.args = (self.message,)

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        text = where
        if self.path:
            text += f"{self.path}: "
        text += self.message
        if self.expression is not None:
            text += f" (expression: {self.expression})"
        if self.hint:
            text += f"; {self.hint}"
        return text


class SchemaError(PykroError):
    """A Spec/Status class or a SimpleSchema that kro would not accept."""


class ReferenceUsageError(PykroError, TypeError):
    """A reference used where Python needs a concrete value (``if``, ``len``...).

    It is a :class:`TypeError` too, because that is what Python code expects
    when an object cannot be used as a bool, a number or an iterable.
    """


class GraphError(PykroError):
    """A resource graph that kro would reject (ids, templates, scopes...)."""


class CycleError(GraphError):
    """Resources that depend on each other in a loop."""

    def __init__(self, cycle: tuple[str, ...], **kwargs: object) -> None:
        self.cycle = tuple(cycle)
        super().__init__(
            "graph contains a cycle: " + " -> ".join(self.cycle), **kwargs  # type: ignore[arg-type]
        )


class CelError(PykroError):
    """A CEL expression that does not parse, does not type, or cannot be evaluated offline."""


class ValuesError(PykroError):
    """Instance values that do not fit the graph's schema."""


class ProjectError(PykroError):
    """A ``pykro.yaml`` problem: unknown environment, bad path, malformed file."""


class RenderError(PykroError):
    """A render that cannot be produced (runtime-only data in direct mode, empty output...)."""


class CacheError(PykroError):
    """The render cache cannot be used (unwritable directory...)."""
