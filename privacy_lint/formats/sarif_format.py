"""SARIF 2.1.0 for GitHub code scanning and other consumers; validated against the OASIS schema in tests."""

from __future__ import annotations

import json
from typing import Any

from privacy_lint import __version__
from privacy_lint.findings import Finding, ScanResult, Span
from privacy_lint.fingerprint import fingerprints
from privacy_lint.rules import RULES

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_SECURITY_SEVERITY = {"error": "7.5", "warning": "5.0", "note": "3.0"}


def _region(span: Span) -> dict[str, int]:
    return {
        "startLine": span.line,
        "startColumn": span.col + 1,
        "endLine": max(span.end_line, span.line),
        "endColumn": max(span.end_col + 1, 1),
    }


def _location(path: str, span: Span, message: str | None = None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}, "region": _region(span)}
    }
    if message:
        location["message"] = {"text": message}
    return location


def _rule_descriptor(rule_id: str) -> dict[str, Any]:
    rule = RULES[rule_id]
    help_text = f"{rule.description}\n\nWhy it matters: {rule.why}\n\nExample:\n    {rule.example}\n\nFix: {rule.fix}"
    help_markdown = (
        f"{rule.description}\n\n**Why it matters.** {rule.why}\n\n**Example**\n\n```python\n{rule.example}\n```\n\n"
        f"**Fix.** {rule.fix}"
    )
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.description},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": rule.default_level},
        "properties": {
            "tags": ["privacy", "security", "gdpr", rule.family],
            "precision": "high",
            "problem.severity": "error" if rule.default_level == "error" else "warning",
            "security-severity": _SECURITY_SEVERITY[rule.default_level],
        },
    }


def _result(finding: Finding, rule_index: int, fingerprint: str) -> dict[str, Any]:
    thread = [
        {"location": _location(step.path or finding.path, step.span, f"{step.note}: {step.text}")}
        for step in finding.steps
    ]
    related = [
        {"id": i + 1, **_location(s.path or finding.path, s.span, f"source: {s.label} ({s.text}) — {s.why}")}
        for i, s in enumerate(finding.sources[:10])
    ]
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": finding.severity,
        "message": {"text": finding.message},
        "locations": [_location(finding.path, finding.span)],
        "partialFingerprints": {"privacyLint/v1": fingerprint},
        "relatedLocations": related,
        "properties": {
            "confidence": finding.confidence,
            "categories": list(finding.categories),
            "destination": finding.destination,
            "service": finding.service,
            **({"consent": finding.consent} if finding.consent else {}),
        },
    }
    if thread:
        result["codeFlows"] = [{"threadFlows": [{"locations": thread}]}]
    return result


def render(result: ScanResult, root: str) -> str:
    rule_ids = sorted(RULES)
    findings = list(result.findings)
    prints = fingerprints(findings)
    notifications = [
        {
            "level": "error" if d.kind in ("internal-error",) else "warning",
            "message": {"text": d.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": d.path, "uriBaseId": "%SRCROOT%"},
                        **({"region": {"startLine": d.line, "startColumn": max(d.col, 1)}} if d.line else {}),
                    }
                }
            ],
            "descriptor": {"id": d.kind},
        }
        for d in result.diagnostics
    ]
    document = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "privacy-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://pypi.org/project/privacy-lint/",
                        "rules": [_rule_descriptor(r) for r in rule_ids],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.rstrip("/") + "/"}}
                if root.startswith("file:")
                else {},
                "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
                "results": [_result(f, rule_ids.index(f.rule), fp) for f, fp in zip(findings, prints, strict=True)],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
