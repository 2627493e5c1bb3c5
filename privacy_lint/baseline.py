"""Baselines: record today's findings, then report only new ones.

Entries are keyed by line-independent fingerprints (see fingerprint.py) with paths relative to the baseline
file, so they survive code added above or below, reformatting and moving a function within its file, and stop
matching when the flow itself changes (another data category, another sink). Entries that match nothing any
more are reported as stale.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from privacy_lint import __version__
from privacy_lint.findings import Finding
from privacy_lint.fingerprint import fingerprints

FORMAT_VERSION = 1


class BaselineError(Exception):
    pass


@dataclass(frozen=True)
class StaleEntry:
    fingerprint: str
    rule: str
    path: str
    scope: str
    message: str


def _relative(findings: list[Finding], base: Path) -> list[Finding]:
    return [replace(f, path=Path(os.path.relpath(Path(f.path).resolve(), base)).as_posix()) for f in findings]


def write_baseline(findings: list[Finding], path: Path) -> int:
    base = path.resolve().parent
    relative = _relative(findings, base)
    entries = [
        {
            "fingerprint": fingerprint,
            "rule": finding.rule,
            "path": finding.path,
            "scope": finding.scope,
            "sink": finding.sink,
            "categories": list(finding.categories),
            "source": finding.sources[0].text if finding.sources else "",
            "message": finding.message,
        }
        for finding, fingerprint in zip(relative, fingerprints(relative), strict=True)
    ]
    document = {"version": FORMAT_VERSION, "tool": f"privacy-lint {__version__}", "findings": entries}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(entries)


def read_baseline(path: Path) -> list[dict[str, Any]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: not a privacy-lint baseline (invalid JSON: {exc.msg})") from None
    if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
        raise BaselineError(f"{path}: not a privacy-lint baseline of format version {FORMAT_VERSION}")
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "fingerprint" in e for e in entries):
        raise BaselineError(f"{path}: findings: expected a list of entries with a fingerprint")
    return entries


def filter_new(findings: list[Finding], path: Path) -> tuple[list[Finding], list[StaleEntry]]:
    """Findings absent from the baseline, and baseline entries no finding matches any more."""
    entries = read_baseline(path)
    known = {entry["fingerprint"]: entry for entry in entries}
    relative = _relative(findings, path.resolve().parent)
    prints = fingerprints(relative)
    new = [finding for finding, fingerprint in zip(findings, prints, strict=True) if fingerprint not in known]
    seen = set(prints)
    stale = [
        StaleEntry(e["fingerprint"], e.get("rule", ""), e.get("path", ""), e.get("scope", ""), e.get("message", ""))
        for e in entries
        if e["fingerprint"] not in seen
    ]
    return new, stale


def prune(path: Path, stale: list[StaleEntry] | tuple[StaleEntry, ...]) -> int:
    """Remove the stale entries from the baseline file; how many were removed."""
    gone = {entry.fingerprint for entry in stale}
    document = json.loads(path.read_text(encoding="utf-8"))
    kept = [entry for entry in document["findings"] if entry["fingerprint"] not in gone]
    removed = len(document["findings"]) - len(kept)
    document["findings"] = kept
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return removed
