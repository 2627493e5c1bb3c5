"""SARIF 2.1.0 for GitHub code scanning and other consumers; validated against the OASIS schema in tests."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from privacy_lint import __version__
from privacy_lint.findings import Finding, ScanResult, Span
from privacy_lint.fingerprint import fingerprints
from privacy_lint.formats.source import SourceLines
from privacy_lint.gitdiff import provenance
from privacy_lint.rules import RULES

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_SECURITY_SEVERITY = {"error": "7.5", "warning": "5.0", "note": "3.0"}


CONTEXT_LINES = 2  # lines of code around a result's region in its contextRegion


def _region(span: Span) -> dict[str, int]:
    return {
        "startLine": span.line,
        "startColumn": span.col + 1,
        "endLine": max(span.end_line, span.line),
        "endColumn": max(span.end_col + 1, 1),
    }


def _location(path: str, span: Span, message: str | None = None, code: SourceLines | None = None) -> dict[str, Any]:
    region: dict[str, Any] = _region(span)
    physical: dict[str, Any] = {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}, "region": region}
    if code is not None:  # the code itself, so that a viewer without the checkout shows it
        lines = code.of(path)
        last = max(span.end_line, span.line)
        if lines and last <= len(lines):
            region["snippet"] = {"text": "\n".join(lines[span.line - 1 : last]) + "\n"}
            first, end = max(1, span.line - CONTEXT_LINES), min(len(lines), last + CONTEXT_LINES)
            physical["contextRegion"] = {
                "startLine": first,
                "endLine": end,
                "snippet": {"text": "\n".join(lines[first - 1 : end]) + "\n"},
            }
    location: dict[str, Any] = {"physicalLocation": physical}
    if message:
        location["message"] = {"text": message}
    return location


def automation_details() -> dict[str, Any]:
    """The run's category. In Azure Pipelines (TF_BUILD), the build it came from, in the form GitHub Advanced
    Security for Azure DevOps expects (`azuredevops/pipeline/build/<org>/<project>/<definition>/<phase>/<branch>/
    <build>`, from the predefined variables); elsewhere `privacy-lint/`, GitHub's code-scanning category."""
    env = os.environ
    if not env.get("TF_BUILD"):
        return {"id": "privacy-lint/"}
    org = env.get("SYSTEM_COLLECTIONURI", "").rstrip("/").rsplit("/", 1)[-1]
    phase_id = env.get("SYSTEM_PHASEID") or env.get("SYSTEM_JOBID", "")
    parts = [org, env.get("SYSTEM_TEAMPROJECT", ""), env.get("BUILD_DEFINITIONID", ""), phase_id]
    parts += [env.get("BUILD_SOURCEBRANCHNAME", ""), env.get("BUILD_BUILDID", "")]
    prefix = "azuredevops/pipeline/build/"
    return {
        "id": prefix + "/".join(parts),
        "properties": {
            prefix + "buildDefinitionId": env.get("BUILD_DEFINITIONID", ""),
            prefix + "buildDefinitionName": env.get("BUILD_DEFINITIONNAME", ""),
            prefix + "phaseId": phase_id,
            prefix + "phaseName": env.get("SYSTEM_PHASENAME") or env.get("SYSTEM_JOBNAME", ""),
        },
    }


def _rule_descriptor(rule_id: str) -> dict[str, Any]:
    rule = RULES[rule_id]
    help_text = (
        f"{rule.description}\n\nWhy it matters: {rule.why}\n\nExample:\n    {rule.example}\n\nFix: {rule.fix}"
        f"\n\nSuppress: {rule.suppress}"
    )
    help_markdown = (
        f"{rule.description}\n\n**Why it matters.** {rule.why}\n\n**Example**\n\n```python\n{rule.example}\n```\n\n"
        f"**Fix.** {rule.fix}\n\n**Suppress.** {rule.suppress}"
    )
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.description},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": rule.default_level},
        "properties": {
            # GitHub filters alerts by these; CWE ids in its form (external/cwe/cwe-532)
            "tags": ["privacy", "security", "gdpr", rule.family, *(f"external/cwe/cwe-{n}" for n in rule.cwe)],
            "precision": "high",
            "problem.severity": "error" if rule.default_level == "error" else "warning",
            "security-severity": _SECURITY_SEVERITY[rule.default_level],
        },
    }


def _result(finding: Finding, rule_index: int, fingerprint: str, code: SourceLines) -> dict[str, Any]:
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
        "locations": [_location(finding.path, finding.span, code=code)],
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
    code = SourceLines()
    provenance_of = provenance(Path.cwd())
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
                        "fullName": f"privacy-lint {__version__}",
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
                "automationDetails": automation_details(),
                **({"versionControlProvenance": [provenance_of]} if provenance_of else {}),
                "results": [
                    _result(f, rule_ids.index(f.rule), fp, code) for f, fp in zip(findings, prints, strict=True)
                ],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
