"""Which files a scan reads: `*.py` under the given paths, minus VCS, virtualenv, build and cache folders and
what `.gitignore` files exclude. Files named explicitly are always scanned."""

from __future__ import annotations

import io
import os
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pathspec


SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".bzr", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox",
     ".venv", "venv", ".eggs", "node_modules", "site-packages", "build", "dist", ".privacy_lint_cache", ".idea",
     ".vscode", "__pypackages__", ".direnv", ".cache"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Target:
    path: Path  # where to read it
    display: str  # how to name it in results (as given, POSIX separators)


@dataclass(frozen=True, slots=True)
class Missing:
    display: str
    reason: str


def _is_virtualenv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file()


def _gitignore(directory: Path) -> pathspec.PathSpec[Any] | None:
    try:
        text = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return _spec(text.splitlines())


def _spec(lines: list[str]) -> pathspec.PathSpec[Any]:
    import pathspec  # only when a pattern or a .gitignore exists: one file from the shell does not pay for it

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _display(path: Path) -> str:
    text = path.as_posix()
    return text[2:] if text.startswith("./") else text


ALWAYS_SKIPPED = frozenset({".git", ".hg", ".svn", ".bzr"})
# Test code is skipped unless asked for (--include-tests): its personal data is made up, and reporting it buries
# the real findings (a third of the findings on 32 popular packages were in tests).
TEST_PATTERNS = ("tests/", "test/", "testing/", "test_*.py", "*_test.py", "conftest.py")


def is_test_path(path: str) -> bool:
    parts = Path(path).parts
    name = parts[-1] if parts else ""
    return (
        any(part in ("tests", "test", "testing") for part in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def discover(
    paths: Iterable[str], exclude: Iterable[str] = (), skipped_dirs: frozenset[str] = SKIPPED_DIRS
) -> Iterator[Target | Missing]:
    """Yield each file to scan once, in a stable order, and each path that could not be used.

    `skipped_dirs` are directory names never entered (configuration's `exclude` replaces the built-in list,
    except version-control folders); `exclude` are gitignore-style patterns relative to each scanned root.
    """
    patterns = list(exclude)
    excluded: pathspec.PathSpec[Any] | None = None  # compiled for the first folder: files alone never need it
    skipped_dirs = skipped_dirs | ALWAYS_SKIPPED
    seen: set[Path] = set()
    for given in paths:
        root = Path(given)
        if root.is_file():
            resolved = root.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield Target(root, _display(root))
            continue
        if not root.exists():
            yield Missing(given, "no such file or directory")
            continue
        if not root.is_dir():
            yield Missing(given, "not a regular file or directory")
            continue
        if excluded is None and patterns:
            excluded = _spec(patterns)
        yield from _walk(root, excluded, seen, skipped_dirs)


def _walk(
    root: Path, excluded: pathspec.PathSpec[Any] | None, seen: set[Path], skipped_dirs: frozenset[str]
) -> Iterator[Target | Missing]:
    """Depth first, names sorted. Symlinked folders are not entered, so a file's real path is its folder's real
    path and its name (only a symlinked file needs resolving): no `realpath` per file."""
    real_root = root.resolve()
    ignores: list[tuple[Path, pathspec.PathSpec[Any]]] = []
    for parent in [real_root, *real_root.parents]:
        spec = _gitignore(parent)
        if spec is not None:
            ignores.append((parent, spec))
        if (parent / ".git").exists():
            break

    def ignored(real: Path, relative: str, is_dir: bool) -> bool:
        suffix = "/" if is_dir else ""
        for base, spec in ignores:
            try:
                inside = real.relative_to(base).as_posix()
            except ValueError:
                continue
            if spec.match_file(inside + suffix):
                return True
        return excluded is not None and excluded.match_file(relative + suffix)

    def walk(folder: Path, real: Path, relative: str) -> Iterator[Target | Missing]:
        if folder != root:
            spec = _gitignore(real)
            if spec is not None:
                ignores.append((real, spec))
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as error:
            yield Missing(_display(folder), f"cannot read: {error.strerror}")
            return
        folders = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            name = entry.name
            if not is_dir:
                continue
            child_relative = f"{relative}{name}"
            if name in skipped_dirs or name.endswith(".egg-info") or _is_virtualenv(folder / name):
                continue
            if not ignored(real / name, child_relative, True):
                folders.append((name, child_relative))
        for entry in entries:
            name = entry.name
            if not name.endswith(".py") or entry.is_dir():  # a folder, or a link to one
                continue
            path = folder / name
            if ignored(real / name, f"{relative}{name}", False):
                continue
            resolved = path.resolve() if entry.is_symlink() else real / name
            if resolved in seen:
                continue
            seen.add(resolved)
            yield Target(path, _display(path))
        for name, child_relative in folders:
            yield from walk(folder / name, real / name, child_relative + "/")

    yield from walk(root, real_root, "")


def decode_source(data: bytes) -> str:
    """Decode as Python does: BOM, PEP 263 coding line, else UTF-8."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text
