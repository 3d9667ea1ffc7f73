"""The ``pykro`` command: a thin layer over the library.

``pykro generate`` is what Argo CD runs on every refresh; it is dispatched
before click is even imported, so a cache hit costs the interpreter start and
little else. Every other command is a click command imported lazily.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["generate"]:
        from ..argocd.generate import main as generate

        sys.exit(generate(args[1:]))
    from .commands import cli

    cli.main(args=args, prog_name="pykro")
