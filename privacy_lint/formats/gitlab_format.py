"""GitLab SAST report for `artifacts: reports: sast:`, valid against GitLab's security report schema 15.2.4
(tests/schemas; tests/test_ci_formats.py validates it)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from privacy_lint import __version__
from privacy_lint.findings import ScanResult
from privacy_lint.fingerprint import fingerprints
from privacy_lint.rules import RULES

SCHEMA_VERSION = "15.2.4"
_SEVERITY = {"error": "High", "warning": "Medium", "note": "Low"}
_NAMESPACE = uuid.UUID("6f1c4b8e-2d0a-4e55-9a3e-5b7d1c9e2f10")  # privacy-lint's namespace for stable ids
_TOOL = {"id": "privacy-lint", "name": "privacy-lint", "version": __version__, "vendor": {"name": "privacy-lint"}}


def _cwe_url(number: int) -> str:
    return f"https://cwe.mitre.org/data/definitions/{number}.html"


def render(result: ScanResult, root: str) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    findings = list(result.findings)
    vulnerabilities: list[dict[str, Any]] = []
    for finding, fingerprint in zip(findings, fingerprints(findings), strict=True):
        rule = RULES[finding.rule]
        vulnerabilities.append(
            {
                "id": str(uuid.uuid5(_NAMESPACE, fingerprint)),
                "name": rule.summary,
                "description": f"{finding.message}. {rule.why}",
                "severity": _SEVERITY[finding.severity],
                "solution": rule.fix,
                "identifiers": [
                    {"type": "privacy_lint_rule", "name": f"{rule.id} {rule.name}", "value": rule.id},
                    *({"type": "cwe", "name": f"CWE-{n}", "value": str(n), "url": _cwe_url(n)} for n in rule.cwe),
                ],
                "links": [{"name": f"CWE-{n}", "url": _cwe_url(n)} for n in rule.cwe],
                "location": {
                    "file": finding.path,
                    "start_line": finding.span.line,
                    "end_line": max(finding.span.end_line, finding.span.line),
                },
                # GitLab follows a finding across line moves by this signature: the fingerprint has no line in it
                "tracking": {
                    "type": "source",
                    "items": [
                        {
                            "file": finding.path,
                            "start_line": finding.span.line,
                            "end_line": max(finding.span.end_line, finding.span.line),
                            "signatures": [{"algorithm": "privacy-lint-fingerprint", "value": fingerprint}],
                        }
                    ],
                },
            }
        )
    report = {
        "version": SCHEMA_VERSION,
        "scan": {
            "analyzer": _TOOL,
            "scanner": _TOOL,
            "type": "sast",
            "start_time": now,
            "end_time": now,
            "status": "success",
            # files not analysed: GitLab shows scan messages on the pipeline's security tab
            "messages": [
                {"level": "warn", "value": f"{d.path}{f':{d.line}' if d.line else ''}: {d.message}"}
                for d in result.diagnostics
            ],
        },
        "vulnerabilities": vulnerabilities,
    }
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
