"""JSON output, schema version 1 (documented in docs/output.md)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from privacy_lint import __version__
from privacy_lint.findings import Finding, ScanResult

SCHEMA_VERSION = 1


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    data = asdict(finding)
    data["categories"] = list(finding.categories)
    data["guarded"] = finding.guarded
    return data


def render(result: ScanResult, root: str) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "privacy-lint", "version": __version__},
        "root": root,
        "files_scanned": len(result.files),
        "findings": [finding_to_dict(f) for f in result.findings],
        "suppressed": [
            {**finding_to_dict(finding), "suppression": asdict(note)}
            for r in result.files
            for finding, note in r.suppressed
        ],
        "unused_suppressions": [asdict(note) for r in result.files for note in r.unused_suppressions],
        "diagnostics": [asdict(d) for d in result.diagnostics],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
