"""The commit of a checkout, read from ``.git`` directly.

Only the commit is needed (as part of a cache key), and only when the
checkout is clean, so this reads ``HEAD``, loose refs and ``packed-refs``
itself instead of importing GitPython (hundreds of milliseconds) and runs
``git status`` only when a commit was found.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing is slow to import; mypy knows this name
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["find_git_dir", "head_commit", "is_clean"]

_HEX = frozenset("0123456789abcdef")
_MAX_SYMREF_DEPTH = 5
_STATUS_TIMEOUT_SECONDS = 20.0


def _is_sha(text: str) -> bool:
    return len(text) in (40, 64) and _HEX.issuperset(text)


def _read_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def find_git_dir(repo_root: str) -> str | None:
    """The git directory of ``repo_root``: ``.git`` itself, or where a ``.git`` file points (worktrees)."""
    dot_git = os.path.join(repo_root, ".git")
    if os.path.isdir(dot_git):
        return dot_git
    text = _read_text(dot_git)
    if text is None or not text.startswith("gitdir:"):
        return None
    target = text[len("gitdir:") :].strip()
    path = os.path.normpath(os.path.join(repo_root, target))
    return path if os.path.isdir(path) else None


def head_commit(git_dir: str) -> str | None:
    """The commit HEAD points to, or None (unborn branch, unreadable or unknown layout)."""
    head = _read_text(os.path.join(git_dir, "HEAD"))
    if head is None:
        return None
    return _resolve(git_dir, _common_dir(git_dir), head.strip(), 0)


def _common_dir(git_dir: str) -> str:
    # A linked worktree keeps HEAD in its own git dir and shares refs with the main one.
    common = _read_text(os.path.join(git_dir, "commondir"))
    if common is None or not common.strip():
        return git_dir
    return os.path.normpath(os.path.join(git_dir, common.strip()))


def _resolve(git_dir: str, common_dir: str, value: str, depth: int) -> str | None:
    if _is_sha(value):
        return value
    if not value.startswith("ref:") or depth >= _MAX_SYMREF_DEPTH:
        return None
    ref = value[len("ref:") :].strip()
    if not ref.startswith("refs/") or ".." in ref.split("/"):
        return None
    for directory in dict.fromkeys((git_dir, common_dir)):
        loose = _read_text(os.path.join(directory, *ref.split("/")))
        if loose is not None:
            return _resolve(git_dir, common_dir, loose.strip(), depth + 1)
    return _packed_ref(common_dir, ref)


def _packed_ref(common_dir: str, ref: str) -> str | None:
    text = _read_text(os.path.join(common_dir, "packed-refs"))
    if text is None:
        return None
    for line in text.splitlines():
        if not line or line[0] in "#^":
            continue
        sha, _, name = line.partition(" ")
        if name.strip() == ref and _is_sha(sha):
            return sha
    return None


def is_clean(repo_root: str, environ: Mapping[str, str]) -> bool:
    """True when ``git status`` shows no change but Python bytecode caches.

    Ignored files count like untracked ones: a render may read a git-ignored
    value file (``values/local.yaml``), and HEAD would then stand for content
    it does not name. A repository that ignores its virtualenv is therefore
    never clean here, which costs only the exact-key shortcut, never
    correctness.

    Untracked or ignored ``__pycache__`` directories and ``.pyc`` files do not count:
    rendering imports the graph modules, which may write them, and they never
    change the output. Anything that goes wrong (no git, not a repository,
    "dubious ownership") counts as not clean: the caller then falls back to
    the inputs check, which is always correct.
    """
    import subprocess

    env = {k: v for k, v in environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")}
    # git status refreshes the index and takes index.lock to do so; concurrent
    # runs on the same checkout must not fight over it.
    env["GIT_OPTIONAL_LOCKS"] = "0"
    env.setdefault("LC_ALL", "C")
    try:
        done = subprocess.run(
            # Argo CD resets file modes when it copies a repository; a mode is not
            # content and changes no render, so it does not make the tree dirty.
            ["git", "-c", "core.fileMode=false", "status", "--porcelain=v1", "-z", "--untracked-files=normal",
             "--ignored=traditional"],
            cwd=repo_root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=_STATUS_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    if done.returncode != 0:
        return False
    return not any(_counts(entry) for entry in _status_entries(done.stdout))


def _status_entries(output: bytes) -> list[tuple[str, str]]:
    tokens = output.decode("utf-8", "surrogateescape").split("\0")
    entries = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if len(token) < 4:
            continue
        status, path = token[:2], token[3:]
        entries.append((status, path))
        if "R" in status or "C" in status:
            i += 1  # a rename or copy is followed by its source path
    return entries


def _counts(entry: tuple[str, str]) -> bool:
    status, path = entry
    if status not in ("??", "!!"):
        return True
    parts = path.rstrip("/").split("/")
    return not ("__pycache__" in parts or path.endswith((".pyc", ".pyo")))
