"""The result cache: what a file gave last time, found again by a hash of everything it depended on.

Entries live under `.privacy_lint_cache/` in the project root (or `--cache-dir`), in a folder per tool
version, configuration and rule packs (`salt`), one file per entry named by its key. Keys are content
hashes, so an entry is never stale: a changed input is a different key. Entries are written atomically
(a temporary file, then a rename) so concurrent runs never read half an entry; an entry that cannot be read
or has the wrong type is ignored and recomputed, never trusted. Old folders are left for the user to delete
(`rm -rf .privacy_lint_cache`).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

CACHE_DIR_NAME = ".privacy_lint_cache"
_GITIGNORE = "# Created by privacy-lint: the result cache, safe to delete.\n*\n"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# privacy-lint result cache (https://bford.info/cachedir/)\n"

T = TypeVar("T")


def digest(*parts: bytes | str) -> str:
    """A hex SHA-256 of the parts, each length-prefixed so that ("ab", "c") and ("a", "bc") differ."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of privacy-lint's own code: an edited checkout, or an upgrade that kept the version number,
    never reads results (or index entries) that another engine wrote."""
    package = Path(__file__).parent
    return digest(*(p.read_bytes() for p in sorted(package.rglob("*.py"))))


class ResultCache:
    def __init__(self, root: Path, salt: str) -> None:
        self.root = root
        self.folder = root / salt[:32]
        self._ready = False

    def path(self, key: str, kind: str) -> Path:
        return self.folder / key[:2] / f"{key}.{kind}"

    def load(self, key: str, kind: str, expected: type[T]) -> T | None:
        try:
            value = pickle.loads(self.path(key, kind).read_bytes())
        except Exception:  # missing, truncated, corrupted or from an incompatible version: recompute
            return None
        return value if isinstance(value, expected) else None

    def store(self, key: str, kind: str, value: object) -> None:
        if self.prepare():
            write_atomic(self.path(key, kind), pickle.dumps(value, pickle.HIGHEST_PROTOCOL))

    def prepare(self) -> bool:
        """Create the cache folder with its `.gitignore`; False when it cannot be written (read-only tree)."""
        if not self._ready:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                for name, text in ((".gitignore", _GITIGNORE), ("CACHEDIR.TAG", _TAG)):
                    marker = self.root / name
                    if not marker.exists():
                        marker.write_text(text)
                self._ready = True
            except OSError:
                return False
        return True


def write_atomic(path: Path, data: bytes) -> None:
    """A temporary file, then a rename: readers never see half an entry. A failed write just leaves no entry."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError:
        pass
