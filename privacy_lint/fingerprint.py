"""Line-independent fingerprints: the same flow keeps its fingerprint when unrelated code moves around it.

A fingerprint hashes the rule, the file, the enclosing function or class, the sink as written, the data
categories and the primary source's text; an occurrence index tells apart identical flows in one scope.
Line and column numbers are deliberately left out.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable

from privacy_lint.findings import Finding


def flow_key(finding: Finding) -> str:
    parts = (
        finding.rule,
        finding.path,
        finding.scope,
        finding.sink,
        ",".join(sorted(finding.categories)),
        finding.sources[0].text if finding.sources else "",
    )
    return "\x1f".join(parts)


def fingerprints(findings: Iterable[Finding]) -> list[str]:
    """One fingerprint per finding, in order; findings must be sorted by position within each file."""
    seen: Counter[str] = Counter()
    out = []
    for finding in findings:
        key = flow_key(finding)
        occurrence = seen[key]
        seen[key] += 1
        out.append(hashlib.sha256(f"{key}\x1f{occurrence}".encode()).hexdigest()[:32])
    return out
