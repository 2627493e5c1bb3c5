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
    # scripts/corpus_check.py: popular packages of every kind, services and SDKs first
    "robustness": (
        "Django==5.2",
        "flask==3.1.3",
        "fastapi==0.165.0",
        "starlette==1.10.0",
        "sqlalchemy==2.1.9",
        "celery==5.7.0",
        "requests==2.34.2",
        "httpx==0.28.1",
        "boto3==1.44.8",
        "botocore==1.35.99",
        "sentry-sdk==2.75.0",
        "posthog==7.91.1",
        "mixpanel==5.4.1",
        "segment-analytics-python==2.4.0",
        "stripe==16.1.0",
        "twilio==9.13.0",
        "openai==3.57.0",
        "anthropic==2.14.0",
        "pandas==3.1.1",
        "sympy==1.13.3",
        "pydantic==2.14.4",
        "attrs==26.1.0",
        "rich==15.0.0",
        "click==8.5.1",
        "pytest==9.2.0",
        "pip==24.3.1",
        "networkx==3.4.2",
        "scrapy==2.19.0",
        "scipy==1.17.1",
        "matplotlib==3.11.2",
        "setuptools==84.2.1",
        "aiohttp==3.14.5",
        # applications that require a newer Python than privacy-lint runs on (PEP 695, 696, 701, 758, 750)
        "homeassistant==2026.11.0",
        "mitmproxy==12.3.1",
        "hass-nabucasa==2.9.0",
        "htmpl==0.4.3",
    ),
    # tests/test_newer_syntax.py: small current releases whose code Python 3.11's parser refuses
    "newer-syntax": (
        "hass-nabucasa==2.9.0",
        "htmpl==0.4.3",
        "tdom==0.1.20",
        "zha==2.3.1",
        "aiohasupervisor==0.11.0",
        "mitmproxy==12.3.1",
    ),
}
# pip skips a wheel whose Requires-Python the running interpreter does not meet: name the Python it needs
PYTHON_FOR = {"homeassistant": "3.14.2", "hass-nabucasa": "3.14.2", "htmpl": "3.14.2", "tdom": "3.14.2"}


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
    download += ["--python-version", PYTHON_FOR.get(name.lower(), "3.13")]
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
