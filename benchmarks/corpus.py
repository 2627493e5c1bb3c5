"""Real code to measure on: pinned packages from PyPI, downloaded once and unpacked into a cache folder.

    python benchmarks/corpus.py large            # download (if needed) and print the folders of the set

Wheels are zip files of the packages' sources; they are unpacked, never installed or imported. The cache
folder is `$PRIVACY_LINT_CORPUS` or `~/.cache/privacy-lint-corpus`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

SETS: dict[str, tuple[str, ...]] = {
    "django": ("Django==5.2",),
    "large": ("Django==5.2", "botocore==1.35.99", "sympy==1.13.3", "networkx==3.4.2", "pip==24.3.1"),
}


def cache_dir() -> Path:
    return Path(os.environ.get("PRIVACY_LINT_CORPUS") or Path.home() / ".cache" / "privacy-lint-corpus")


def fetch(requirement: str, cache: Path | None = None) -> Path:
    """The unpacked sources of one pinned requirement (`name==version`), downloaded on first use."""
    cache = cache or cache_dir()
    name, _, version = requirement.partition("==")
    target = cache / "src" / f"{name.lower()}-{version}"
    if (target / ".complete").exists():
        return target
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    download = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
    subprocess.run([*download, "-d", str(wheels), requirement], check=True)
    normalised = name.lower().replace("-", "_")
    wheel = next(
        w for w in sorted(wheels.glob("*.whl")) if w.name.lower().startswith(f"{normalised}-{version}-".lower())
    )
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    (target / ".complete").write_text(requirement + "\n")
    return target


def folders(name: str) -> list[Path]:
    return [fetch(requirement) for requirement in SETS[name]]


def python_files(paths: list[Path]) -> list[Path]:
    return sorted(p for folder in paths for p in folder.rglob("*.py"))


if __name__ == "__main__":
    for folder in folders(sys.argv[1] if len(sys.argv) > 1 else "django"):
        print(folder)
