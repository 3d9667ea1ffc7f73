"""RenderCache: keys, round trips, corruption, inputs records, eviction, degraded modes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pykro.cache import DEFAULT_MAX_BYTES, MAX_RECORDS_PER_SCOPE, CacheStats, RenderCache, key


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def _set_mtime(path: Path, seconds: float) -> None:
    os.utime(path, (seconds, seconds))


class _Warnings(list[str]):
    def __call__(self, message: str) -> None:
        self.append(message)


# -- key() --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (("ab", "c"), ("a", "bc")),
        (("a", ""), ("a",)),
        (("",), ()),
        (("1:a",), ("1", "a")),
        (("é",), ("e",)),
    ],
    ids=["split-point", "trailing-empty", "empty-vs-nothing", "length-prefix-lookalike", "unicode"],
)
def test_key_distinguishes_part_boundaries(left: tuple[str, ...], right: tuple[str, ...]) -> None:
    assert key(*left) != key(*right)


def test_key_is_a_sha256_hex_digest_stable_across_hash_seeds() -> None:
    code = "from pykro.cache import key; print(key('commit', 'apps/web', 'prod'))"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("0", "1", "12345")
    }
    assert outputs == {key("commit", "apps/web", "prod")}
    (digest,) = outputs
    assert len(digest) == 64 and int(digest, 16) >= 0


def test_key_rejects_non_strings() -> None:
    with pytest.raises(TypeError, match="cache key parts must be str, got bytes"):
        key("a", b"b")  # type: ignore[arg-type]


# -- exact keys ---------------------------------------------------------------------


def test_store_then_lookup_round_trips(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path / "c")
    k = key("x")
    assert cache.lookup(k) is None
    cache.store(k, b"kind: ConfigMap\n")
    assert cache.lookup(k) == b"kind: ConfigMap\n"
    assert RenderCache(tmp_path / "c").lookup(k) == b"kind: ConfigMap\n", "another instance sees it"
    cache.store(k, b"kind: Secret\n")
    assert cache.lookup(k) == b"kind: Secret\n", "a store replaces"


def test_non_digest_keys_are_hashed_into_safe_names(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path)
    cache.store("../../etc/passwd", b"out")
    assert cache.lookup("../../etc/passwd") == b"out"
    assert all(tmp_path in p.parents for p in _files(tmp_path))
    assert all(".." not in p.name for p in _files(tmp_path))


def test_store_rejects_text(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="output must be bytes, got str"):
        RenderCache(tmp_path).store(key("a"), "text")  # type: ignore[arg-type]


def _truncate(data: bytes) -> bytes:
    return data[: len(data) - 3]


def _flip_body(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0x01])


def _flip_hash(data: bytes) -> bytes:
    i = data.index(b" ") + 1
    return data[:i] + (b"0" if data[i : i + 1] != b"0" else b"1") + data[i + 1 :]


def _lie_length(data: bytes) -> bytes:
    header, _, body = data.partition(b"\n")
    magic, digest, length = header.split(b" ")
    return b"%s %s %d\n%s" % (magic, digest, int(length) + 1, body)


CORRUPTIONS = [
    (_truncate, "truncated"),
    (_flip_body, "flipped-body-byte"),
    (_flip_hash, "flipped-hash"),
    (_lie_length, "wrong-length"),
    (lambda data: b"", "empty-file"),
    (lambda data: b"no header at all", "no-header"),
    (lambda data: data.replace(b"pykro-cache-1", b"pykro-cache-9", 1), "other-format-version"),
]


@pytest.mark.parametrize("corrupt", [c for c, _ in CORRUPTIONS], ids=[i for _, i in CORRUPTIONS])
def test_corrupted_entry_is_removed_never_served(tmp_path: Path, corrupt) -> None:  # type: ignore[no-untyped-def]
    cache = RenderCache(tmp_path)
    k = key("corrupt-me")
    cache.store(k, b"apiVersion: v1\nkind: ConfigMap\n")
    (entry,) = _files(tmp_path)
    entry.write_bytes(corrupt(entry.read_bytes()))
    assert cache.lookup(k) is None
    assert not entry.exists(), "a bad entry is removed so the next run stores a good one"
    cache.store(k, b"fresh")
    assert cache.lookup(k) == b"fresh"


@pytest.mark.parametrize("corrupt", [c for c, _ in CORRUPTIONS], ids=[i for _, i in CORRUPTIONS])
def test_corrupted_inputs_record_is_removed_never_served(tmp_path: Path, corrupt) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.py").write_bytes(b"a")
    cache = RenderCache(tmp_path / "c")
    cache.store_inputs("scope", {"a.py": _sha(b"a")}, b"output")
    (record,) = _files(tmp_path / "c")
    record.write_bytes(corrupt(record.read_bytes()))
    assert cache.lookup_inputs("scope", root) is None
    assert not record.exists()


def test_record_that_hashes_right_but_does_not_parse_is_removed(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path / "c")
    cache.store_inputs("scope", {"a.py": None}, b"out")
    (record,) = _files(tmp_path / "c")
    body = b"1\n../escape\t-\nout"
    record.write_bytes(b"pykro-cache-1 %s %d\n%s" % (_sha(body).encode(), len(body), body))
    assert cache.lookup_inputs("scope", tmp_path) is None
    assert not record.exists()


# -- inputs records -----------------------------------------------------------------


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "apps" / "web").mkdir(parents=True)
    (root / "apps" / "web" / "main.py").write_bytes(b"graph = 1\n")
    (root / "pykro.yaml").write_bytes(b"environments: [dev]\n")
    return root


def _recorded(root: Path) -> dict[str, str | None]:
    return {
        "apps/web/main.py": _sha((root / "apps" / "web" / "main.py").read_bytes()),
        "pykro.yaml": _sha((root / "pykro.yaml").read_bytes()),
        "apps/web/values-dev.yaml": None,
    }


def _noop(root: Path) -> None:
    return None


def _edit(root: Path) -> None:
    (root / "apps" / "web" / "main.py").write_bytes(b"graph = 2\n")


def _touch_only(root: Path) -> None:
    path = root / "pykro.yaml"
    _set_mtime(path, 1_000_000)


def _create_absent(root: Path) -> None:
    (root / "apps" / "web" / "values-dev.yaml").write_bytes(b"replicas: 2\n")


def _delete_present(root: Path) -> None:
    (root / "pykro.yaml").unlink()


def _absent_becomes_directory(root: Path) -> None:
    (root / "apps" / "web" / "values-dev.yaml").mkdir()


def _unrelated_file(root: Path) -> None:
    (root / "apps" / "other.py").write_bytes(b"x")


@pytest.mark.parametrize(
    ("change", "hit"),
    [
        (_noop, True),
        (_touch_only, True),
        (_unrelated_file, True),
        (_absent_becomes_directory, True),
        (_edit, False),
        (_create_absent, False),
        (_delete_present, False),
    ],
    ids=[
        "unchanged",
        "mtime-only",
        "unrelated-file-added",
        "absent-path-is-now-a-directory",
        "input-edited",
        "absent-input-created",
        "input-deleted",
    ],
)
def test_lookup_inputs_rehashes_the_recorded_files(tmp_path: Path, change, hit: bool) -> None:  # type: ignore[no-untyped-def]
    root = _repo(tmp_path)
    cache = RenderCache(tmp_path / "c")
    cache.store_inputs("scope", _recorded(root), b"rendered")
    change(root)
    assert cache.lookup_inputs("scope", root) == (b"rendered" if hit else None)


def test_lookup_inputs_is_per_scope(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    cache = RenderCache(tmp_path / "c")
    cache.store_inputs("apps/web prod", _recorded(root), b"prod")
    assert cache.lookup_inputs("apps/web dev", root) is None
    assert cache.lookup_inputs("apps/web prod", root) == b"prod"


def test_lookup_inputs_finds_an_older_record_that_matches(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    cache = RenderCache(tmp_path / "c")
    cache.store_inputs("scope", _recorded(root), b"version 1")
    original = (root / "apps" / "web" / "main.py").read_bytes()
    _edit(root)
    cache.store_inputs("scope", _recorded(root), b"version 2")
    assert cache.lookup_inputs("scope", root) == b"version 2"
    (root / "apps" / "web" / "main.py").write_bytes(original)
    assert cache.lookup_inputs("scope", root) == b"version 1", "switching back to a branch hits"


def test_lookup_inputs_prefers_the_newest_matching_record(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    cache = RenderCache(tmp_path / "c")
    cache.store_inputs("scope", {"pykro.yaml": _sha((root / "pykro.yaml").read_bytes())}, b"older")
    cache.store_inputs("scope", _recorded(root), b"newer")
    older, newer = sorted(_files(tmp_path / "c"), key=lambda p: p.read_bytes().endswith(b"newer"))
    _set_mtime(older, 1_000)
    _set_mtime(newer, 2_000)
    assert cache.lookup_inputs("scope", root) == b"newer"
    _set_mtime(older, 3_000)  # the hit touched "newer": set both again
    _set_mtime(newer, 2_000)
    assert cache.lookup_inputs("scope", root) == b"older"


def test_store_inputs_keeps_the_newest_records_per_scope(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path / "c")
    for i in range(MAX_RECORDS_PER_SCOPE + 3):
        cache.store_inputs("scope", {f"file{i}.py": None}, f"out {i}".encode())
        for path in _files(tmp_path / "c"):
            if path.read_bytes().endswith(f"out {i}".encode()):
                _set_mtime(path, 1_000 + i)
    cache.store_inputs("other", {"x.py": None}, b"other")
    stats = cache.stats()
    assert (stats.input_records, stats.scopes) == (MAX_RECORDS_PER_SCOPE + 1, 2)
    survivors = {p.read_bytes().rsplit(b"\n", 1)[-1] for p in _files(tmp_path / "c" / "v1" / "in")}
    assert b"out 0" not in survivors and b"out 2" not in survivors
    assert f"out {MAX_RECORDS_PER_SCOPE + 2}".encode() in survivors


def test_same_inputs_replace_their_record(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    cache = RenderCache(tmp_path / "c")
    cache.store_inputs("scope", _recorded(root), b"first")
    cache.store_inputs("scope", _recorded(root), b"second")
    assert cache.stats().input_records == 1
    assert cache.lookup_inputs("scope", root) == b"second"


def test_paths_with_special_characters_round_trip(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    name = "we%ird\tname.py"
    (root / name).write_bytes(b"x")
    cache = RenderCache(tmp_path / "c")
    cache.store_inputs("scope", {name: _sha(b"x"), "gone%0A.py": None}, b"out")
    assert cache.lookup_inputs("scope", root) == b"out"
    (root / name).write_bytes(b"y")
    assert cache.lookup_inputs("scope", root) is None


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"/etc/passwd": None}, "'/etc/passwd' is not a repository-relative POSIX path"),
        ({"apps/../../x": None}, "'apps/../../x' is not a repository-relative POSIX path"),
        ({"apps\\web.py": None}, "is not a repository-relative POSIX path"),
        ({"": None}, "'' is not a repository-relative POSIX path"),
        ({"a.py": "abc"}, "input 'a.py': 'abc' is not a sha256 hex digest"),
        ({"a.py": "A" * 64}, "is not a sha256 hex digest"),
    ],
    ids=["absolute", "dot-dot", "backslash", "empty", "short-digest", "uppercase-digest"],
)
def test_store_inputs_rejects_bad_inputs(tmp_path: Path, inputs: dict[str, str | None], message: str) -> None:
    with pytest.raises(ValueError) as info:
        RenderCache(tmp_path).store_inputs("scope", inputs, b"out")
    assert message in str(info.value)
    assert _files(tmp_path) == []


# -- size bound and LRU ---------------------------------------------------------------


def test_least_recently_used_entries_are_evicted_first(tmp_path: Path) -> None:
    body = b"x" * 1000
    cache = RenderCache(tmp_path, max_bytes=3500)
    keys = [key(str(i)) for i in range(3)]
    for i, k in enumerate(keys):
        cache.store(k, body)
        (entry,) = [p for p in _files(tmp_path) if p.name == k]
        _set_mtime(entry, 1_000 + i)
    assert cache.lookup(keys[0]) == body  # a hit makes the oldest the most recent
    cache.store(key("3"), body)
    assert cache.lookup(keys[1]) is None, "least recently used went first"
    assert cache.lookup(keys[0]) == body
    assert cache.lookup(key("3")) == body
    assert cache.stats().bytes <= 3500


def test_entry_larger_than_the_bound_is_not_stored(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path, max_bytes=100)
    cache.store(key("big"), b"x" * 200)
    assert cache.lookup(key("big")) is None
    assert _files(tmp_path) == []


def test_stats_and_clear(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path, max_bytes=10_000)
    cache.store(key("a"), b"aa")
    cache.store(key("b"), b"bb")
    cache.store_inputs("s", {"x": None}, b"cc")
    stats = cache.stats()
    assert isinstance(stats, CacheStats)
    assert (stats.entries, stats.input_records, stats.scopes, stats.max_bytes, stats.enabled) == (2, 1, 1, 10_000, True)
    assert stats.bytes == sum(p.stat().st_size for p in _files(tmp_path))
    assert stats.directory == str(tmp_path)
    with pytest.raises(AttributeError):
        stats.entries = 0  # type: ignore[misc]
    assert cache.clear() == 3
    assert (cache.stats().entries, cache.stats().input_records, cache.stats().bytes) == (0, 0, 0)
    assert cache.lookup(key("a")) is None


def test_stale_temp_files_are_removed_and_fresh_ones_left(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path)
    cache.store(key("a"), b"a")
    shard = _files(tmp_path)[0].parent
    stale = shard / ".tmp.1.dead"
    fresh = shard / ".tmp.2.alive"
    stale.write_bytes(b"partial")
    fresh.write_bytes(b"partial")
    _set_mtime(stale, 1_000)
    assert cache.stats().entries == 1, "temp files are not entries"
    assert not stale.exists()
    assert fresh.exists(), "a write in progress in another process is left alone"


# -- configuration and degraded modes -----------------------------------------------------


def test_directory_and_size_come_from_argument_then_environment_then_defaults(tmp_path: Path) -> None:
    env = {"TMPDIR": str(tmp_path)}
    default = RenderCache(environ=env)
    assert default.directory == str(tmp_path / f"pykro-cache-{os.getuid()}")
    assert default.stats().max_bytes == DEFAULT_MAX_BYTES
    configured = RenderCache(environ={**env, "PYKRO_CACHE_DIR": str(tmp_path / "e"), "PYKRO_CACHE_MAX_BYTES": "4096"})
    assert (configured.directory, configured.stats().max_bytes) == (str(tmp_path / "e"), 4096)
    explicit = RenderCache(tmp_path / "a", max_bytes=10, environ={"PYKRO_CACHE_DIR": str(tmp_path / "e")})
    assert (explicit.directory, explicit.stats().max_bytes) == (str(tmp_path / "a"), 10)


@pytest.mark.parametrize(
    ("raw", "max_bytes", "warning"),
    [
        ("1048576", 1048576, None),
        (" 0 ", 0, None),
        ("lots", DEFAULT_MAX_BYTES, "PYKRO_CACHE_MAX_BYTES='lots' is not a byte count"),
        ("-5", DEFAULT_MAX_BYTES, "PYKRO_CACHE_MAX_BYTES='-5' is not a byte count"),
    ],
    ids=["bytes", "zero-turns-off", "word", "negative"],
)
def test_max_bytes_from_environment(tmp_path: Path, raw: str, max_bytes: int, warning: str | None) -> None:
    warnings = _Warnings()
    cache = RenderCache(tmp_path, environ={"PYKRO_CACHE_MAX_BYTES": raw}, warn=warnings)
    assert cache.stats().max_bytes == max_bytes
    assert [w for w in warnings if warning and warning in w] == ([warnings[0]] if warning else [])
    assert len(warnings) == (1 if warning else 0)


def test_zero_max_bytes_turns_the_cache_off(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path / "c", max_bytes=0)
    cache.store(key("a"), b"a")
    cache.store_inputs("s", {"x": None}, b"a")
    assert cache.lookup(key("a")) is None
    assert not cache.enabled
    assert not (tmp_path / "c").exists()


def test_negative_max_bytes_argument_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_bytes must be >= 0, got -1"):
        RenderCache(tmp_path, max_bytes=-1)


def test_unwritable_directory_degrades_to_no_cache_with_one_warning(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"not a directory")
    warnings = _Warnings()
    cache = RenderCache(blocker / "cache", warn=warnings)
    cache.store(key("a"), b"a")
    cache.store(key("b"), b"b")
    cache.store_inputs("s", {"x": None}, b"a")
    assert cache.lookup(key("a")) is None
    assert cache.lookup_inputs("s", tmp_path) is None
    assert not cache.enabled
    assert len(warnings) == 1
    assert f"cannot write the render cache {blocker / 'cache'}" in warnings[0]
    assert warnings[0].endswith("rendering without a cache")


def test_default_warning_goes_to_stderr_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    cache = RenderCache(blocker / "cache")
    cache.store(key("a"), b"a")
    cache.store(key("a"), b"a")
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("pykro: warning: cannot write the render cache")


def test_default_directory_planted_by_someone_else_is_not_used(tmp_path: Path) -> None:
    planted = tmp_path / f"pykro-cache-{os.getuid()}"
    planted.mkdir()
    planted.chmod(0o777)
    warnings = _Warnings()
    cache = RenderCache(environ={"TMPDIR": str(tmp_path)}, warn=warnings)
    cache.store(key("a"), b"a")
    assert cache.lookup(key("a")) is None
    assert _files(planted) == []
    assert len(warnings) == 1 and "it is not a private directory of this user" in warnings[0]
