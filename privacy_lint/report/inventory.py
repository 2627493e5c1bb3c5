"""The privacy risk report's content, as plain data: what personal data the code touches, where it comes from,
where it goes, and which flows lack consent. Every output format of `privacy-lint report` renders this.

It is built from a scan's findings (every transfer is one, guarded by consent or not; a PRV201 marks a transfer
that lacks the consent it needs) and from the project index (model and schema fields: data the code stores even
when it never sends it anywhere).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from privacy_lint import __version__
from privacy_lint.declarations import Declaration, Policy
from privacy_lint.findings import SEVERITIES, Finding, ScanResult
from privacy_lint.formats.source import SourceLines
from privacy_lint.packs.catalog import SENSITIVITIES, Catalog
from privacy_lint.rules import INTERNAL_SERVICES, RULES

SCHEMA_VERSION = 1
SNIPPET_CONTEXT = 2  # lines of code shown around a finding
TOP_RISKS = 5
SEVERITY_ORDER = {s: i for i, s in enumerate(reversed(SEVERITIES))}  # error first

# Purposes a reviewer starts from, inferred from the kind of recipient (a draft: to be confirmed).
PURPOSES = {
    "log": "operations: application logging",
    "exception": "operations: error reporting in exception messages",
    "analytics": "product analytics",
    "marketing": "marketing and customer communication",
    "advertising": "advertising and conversion measurement",
    "profiling": "profiling and personalisation",
    "error_monitoring": "operations: error monitoring",
    "apm": "operations: performance monitoring",
    "tracing": "operations: distributed tracing",
    "crm": "customer relationship management",
    "messaging": "transactional messages (email, SMS, chat)",
    "ai": "processing by an AI service",
    "feature_flags": "feature flag targeting",
    "payments": "payment processing",
    "search": "search indexing",
    "warehouse": "analytics warehouse",
    "storage": "storage with a third party",
    "support": "customer support",
    "push": "push notifications",
    "identity": "identity and account management",
    "http": "transfer to an external service (purpose to confirm)",
}


@dataclass
class CollectedAt:
    """Where the report saw a data category collected: a source in the code, or a model's field."""

    path: str
    line: int
    text: str
    kind: str  # "source", "model field", "finding"


@dataclass
class Outflow:
    """One call that sends a data category to a destination."""

    destination: str
    service: str
    guarded: bool
    path: str
    line: int
    rule: str
    unconsented: bool = False  # the recipient needs consent and no consent check guards the call (PRV201)
    accepted: str | None = None  # suppressed with this reason: an accepted transfer, still a transfer


@dataclass
class CategoryEntry:
    id: str
    label: str
    sensitivity: str
    special: bool
    collected: list[CollectedAt] = field(default_factory=list)
    flows: list[Outflow] = field(default_factory=list)


@dataclass
class Recipient:
    destination: str
    service: str
    purpose: str
    categories: list[str] = field(default_factory=list)
    call_sites: list[str] = field(default_factory=list)
    guarded_sites: int = 0
    unguarded_sites: int = 0
    needs_consent: bool = False  # the rule packs say this kind of recipient (analytics, marketing...) needs it
    special: bool = False  # it receives a special category of data (GDPR Art. 9)
    accepted: list[str] = field(default_factory=list)  # reasons given for call sites accepted as they are
    declaration: Declaration | None = None  # what the team declared it for ([tool.privacy-lint.recipients])
    undeclared: list[str] = field(default_factory=list)  # categories it receives that its declaration does not list

    @property
    def consent(self) -> str:
        """What the code shows of consent, in plain words."""
        if self.declaration is not None and self.declaration.legal_basis not in ("", "consent"):
            return f"not needed: legal basis {self.declaration.legal_basis} (declared)"
        if not self.needs_consent:
            return "not needed for this kind of recipient"
        if not self.guarded_sites:
            return "not checked"
        return (
            "checked"
            if not self.unguarded_sites
            else f"checked at {self.guarded_sites} of {len(self.call_sites)} calls"
        )

    @property
    def to_decide(self) -> str:
        """What the reviewer still has to establish: the code cannot show it."""
        if self.service in INTERNAL_SERVICES:
            return "whether the data is needed there, and how long it is kept"
        if self.declaration is not None:
            missing = [k for k in ("purpose", "legal_basis", "dpa", "retention") if not getattr(self.declaration, k)]
            gaps = f"; the declaration gives no {', '.join(m.replace('_', ' ') for m in missing)}" if missing else ""
            extra = f"; undeclared data: {', '.join(self.undeclared)}" if self.undeclared else ""
            return f"whether the declaration is still current{gaps}{extra}"
        basis = "the legal basis (consent)" if self.needs_consent else "the legal basis (GDPR Art. 6)"
        special = "; a condition of Art. 9 for special categories" if self.special else ""
        return f"{basis}, a processing agreement (Art. 28){special}"


@dataclass
class ReportFinding:
    rule: str
    rule_name: str
    severity: str
    confidence: str
    path: str
    line: int
    message: str
    destination: str
    service: str
    categories: list[str]
    snippet: list[tuple[int, str]]
    flow: list[dict[str, Any]]
    why: list[str]
    fingerprint: str
    accepted_reason: str | None = None
    new: bool = True  # not in the baseline (every finding is new without one)


@dataclass
class Report:
    meta: dict[str, Any]
    summary: dict[str, Any]
    inventory: list[CategoryEntry]
    recipients: list[Recipient]
    findings: list[ReportFinding]
    accepted: list[ReportFinding]
    processing: list[dict[str, Any]]
    stale_declarations: list[Declaration] = field(default_factory=list)  # declared, but the code sends them nothing

    def to_json(self) -> str:
        data = {
            "schema_version": SCHEMA_VERSION,
            "meta": self.meta,
            "summary": self.summary,
            "inventory": [asdict(c) for c in self.inventory],
            "recipients": [{**asdict(r), "consent": r.consent, "to_decide": r.to_decide} for r in self.recipients],
            "findings": [asdict(f) for f in self.findings],
            "accepted_risks": [asdict(f) for f in self.accepted],
            "record_of_processing_draft": self.processing,
            "stale_declarations": [asdict(d) for d in self.stale_declarations],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def build_report(
    result: ScanResult,
    catalog: Catalog,
    root: Path,
    config_text: str,
    new: frozenset[Finding] | None,
    declarations: dict[str, Declaration] | None = None,
) -> Report:
    """`new`: the findings that are not in the baseline (None: no baseline, every finding is new);
    `declarations`: the recipients the configuration declares."""
    from privacy_lint.fingerprint import fingerprints

    policy = Policy(declarations or {}, catalog)
    findings = [f for r in result.files for f in r.findings]
    prints = dict(zip(map(id, findings), fingerprints(findings), strict=True))
    reported = findings
    transfers = [f for f in findings if RULES[f.rule].family == "third-party"]
    guarded = [f for f in transfers if f.guarded]
    sources = _Sources()
    report_findings = [_finding(f, prints[id(f)], sources, new=new is None or f in new) for f in reported]
    # riskiest first: severity, then transfers without consent, to third parties, then exceptions and logs
    report_findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], RULES[f.rule].risk, f.path, f.line))
    accepted_pairs = [(f, note) for r in result.files for f, note in r.suppressed]
    accepted_prints = fingerprints([f for f, _ in accepted_pairs])
    accepted = [
        _finding(f, p, sources, accepted_reason=note.reason or "(no reason given)")
        for (f, note), p in zip(accepted_pairs, accepted_prints, strict=True)
    ]
    reasons = [note.reason or "(no reason given)" for _, note in accepted_pairs]
    flows: list[tuple[Finding, str | None]] = [(f, None) for f in findings]
    flows += [(f, reason) for (f, _), reason in zip(accepted_pairs, reasons, strict=True)]
    inventory = _inventory(flows, result, catalog)
    recipients = _recipients(flows, catalog, policy)
    consent_flows = [f for f in transfers if policy.needs_consent(f.destination, f.service)]
    # a consent rule at the same call: no check, or one for another purpose (issue 19)
    unconsented = {site_of(f) for f in findings if RULES[f.rule].family == "consent"}
    covered = sum(1 for f in consent_flows if f.guarded and site_of(f) not in unconsented)
    summary = {
        "files_scanned": len(result.files),
        "files_not_analysed": len(result.diagnostics),
        "findings": len(reported),
        "new_findings": len(reported) if new is None else sum(1 for f in reported if f in new),
        "baseline": new is not None,  # whether findings are judged new against a baseline
        "accepted_risks": len(accepted),
        "by_severity": dict(Counter(f.severity for f in reported)),
        "by_family": dict(Counter(RULES[f.rule].family for f in reported)),
        "by_rule": dict(sorted(Counter(f.rule for f in reported).items())),
        "categories": [c.label for c in inventory],
        "special_categories": [c.label for c in inventory if c.special],
        "third_parties": len([r for r in recipients if r.service not in INTERNAL_SERVICES]),
        "consent_flows": len(consent_flows),
        "consent_guarded_flows": covered,
        "consent_coverage": round(covered / len(consent_flows), 3) if consent_flows else None,
        "top_risks": [f.message for f in report_findings[:TOP_RISKS]],
        "guarded_transfers": len(guarded),
        "undeclared_recipients": [r.destination for r in recipients if _undeclared(r) and declarations],
    }
    sent_to = {r.destination.casefold() for r in recipients}
    stale = [d for name, d in (declarations or {}).items() if name.casefold() not in sent_to]
    summary["stale_declarations"] = [d.recipient for d in stale]
    processing = [_processing(purpose, group) for purpose, group in _by_purpose(recipients).items()]
    return Report(
        _meta(root, catalog, config_text), summary, inventory, recipients, report_findings, accepted, processing, stale
    )


def _undeclared(recipient: Recipient) -> bool:
    return recipient.declaration is None and recipient.service not in INTERNAL_SERVICES


def _processing(purpose: str, group: list[Recipient]) -> dict[str, Any]:
    """One purpose of the record of processing: the declarations where the team made them, else a draft."""
    declared = [r for r in group if r.declaration is not None]
    return {
        "purpose": purpose,
        "recipients": sorted({r.destination for r in group}),
        "categories": sorted({c for r in group for c in r.categories}),
        "declared": [
            {
                "recipient": r.destination,
                "legal_basis": r.declaration.legal_basis,
                "dpa": r.declaration.dpa,
                "retention": r.declaration.retention,
            }
            for r in declared
            if r.declaration is not None
        ],
        "status": "declared in the configuration"
        if len(declared) == len(group)
        else "draft derived from code: confirm purpose, legal basis and retention",
    }


def _by_purpose(recipients: list[Recipient]) -> dict[str, list[Recipient]]:
    """Recipients by purpose: the declared one, else the one inferred from the kind of recipient."""
    grouped: dict[str, list[Recipient]] = defaultdict(list)
    for recipient in recipients:
        declared = recipient.declaration.purpose if recipient.declaration is not None else ""
        grouped[declared or recipient.purpose].append(recipient)
    return dict(sorted(grouped.items()))


def _inventory(flows: list[tuple[Finding, str | None]], result: ScanResult, catalog: Catalog) -> list[CategoryEntry]:
    """`flows`: each finding, with the reason it was accepted for (suppressed) or None."""
    entries: dict[str, CategoryEntry] = {}

    def entry(category_id: str) -> CategoryEntry:
        if category_id not in entries:
            category = catalog.categories[category_id]
            entries[category_id] = CategoryEntry(
                category_id, category.label, category.sensitivity, category.sensitivity == "special"
            )
        return entries[category_id]

    unconsented = {site_of(f) for f, _ in flows if RULES[f.rule].family == "consent"}
    sent = sites_sent(flows)
    for finding, accepted in flows:
        if RULES[finding.rule].family == "consent" and site_of(finding) in sent:
            continue  # the same call's PRV101/PRV102 is the flow; the consent rule marks it unconsented
        for source in finding.sources:
            place = CollectedAt(source.path or finding.path, source.span.line, source.text, "source")
            target = entry(source.category)
            if place not in target.collected:
                target.collected.append(place)
            target.flows.append(
                Outflow(
                    finding.destination,
                    finding.service,
                    finding.guarded,
                    finding.path,
                    finding.span.line,
                    finding.rule,
                    site_of(finding) in unconsented,
                    accepted,
                )
            )
    if result.index is not None:
        for summary in result.index.classes.values():
            for name, item in summary.fields.items():
                known = catalog.categories.get(item.category)
                if known is not None and known.sensitivity != "pseudonymous":
                    place = CollectedAt(summary.path, item.line, f"{summary.name}.{name}", "model field")
                    entry(item.category).collected.append(place)
    ordered = sorted(entries.values(), key=lambda e: (-SENSITIVITIES.index(e.sensitivity), e.label))
    for category in ordered:
        category.collected.sort(key=lambda p: (p.path, p.line, p.text))
        category.flows.sort(key=lambda f: (f.destination, f.path, f.line))
    return ordered


def site_of(finding: Finding) -> tuple[str, int, int]:
    """A call, as the findings at it name it: a transfer and its consent rule share one."""
    return (finding.path, finding.span.line, finding.span.col)


def sites_sent(flows: list[tuple[Finding, str | None]]) -> set[tuple[str, int, int]]:
    """Calls with a finding of their own besides a consent rule's: a model trained in the service has only its
    PRV202, which is then its flow."""
    return {site_of(f) for f, _ in flows if RULES[f.rule].family != "consent"}


def _recipients(flows: list[tuple[Finding, str | None]], catalog: Catalog, policy: Policy) -> list[Recipient]:
    found: dict[tuple[str, str], Recipient] = {}
    sent = sites_sent(flows)
    for finding, accepted in flows:
        if RULES[finding.rule].family == "consent" and site_of(finding) in sent:
            continue  # counted with the same call's PRV101/PRV102
        key = (finding.destination, finding.service)
        purpose = PURPOSES.get(finding.service, finding.service)
        needs = policy.needs_consent(finding.destination, finding.service)
        declaration = policy.declaration_for(finding.destination)
        recipient = found.setdefault(
            key, Recipient(finding.destination, finding.service, purpose, needs_consent=needs, declaration=declaration)
        )
        if accepted is not None and accepted not in recipient.accepted:
            recipient.accepted.append(accepted)
        for category in finding.categories:
            label = catalog.categories[category].label
            recipient.special = recipient.special or catalog.categories[category].sensitivity == "special"
            if label not in recipient.categories:
                recipient.categories.append(label)
            if declaration is not None and not declaration.covers(category) and label not in recipient.undeclared:
                recipient.undeclared.append(label)
        site = f"{finding.path}:{finding.span.line}"
        if site not in recipient.call_sites:
            recipient.call_sites.append(site)
            if finding.guarded:
                recipient.guarded_sites += 1
            else:
                recipient.unguarded_sites += 1
    return sorted(found.values(), key=lambda r: (r.service in INTERNAL_SERVICES, r.destination))


def _finding(
    finding: Finding, fingerprint: str, sources: _Sources, accepted_reason: str | None = None, new: bool = True
) -> ReportFinding:
    rule = RULES[finding.rule]
    return ReportFinding(
        rule=finding.rule,
        rule_name=rule.name,
        severity=finding.severity,
        confidence=finding.confidence,
        path=finding.path,
        line=finding.span.line,
        message=finding.message,
        destination=finding.destination,
        service=finding.service,
        categories=list(finding.categories),
        snippet=sources.around(finding.path, finding.span.line),
        flow=[
            {"path": s.path or finding.path, "line": s.span.line, "code": s.text, "note": s.note} for s in finding.steps
        ],
        why=[f"{s.label} ({s.text}): {s.why}" for s in finding.sources],
        fingerprint=fingerprint,
        accepted_reason=accepted_reason,
        new=new,
    )


class _Sources(SourceLines):
    def around(self, path: str, line: int) -> list[tuple[int, str]]:
        """The lines a finding's snippet shows: its own and SNIPPET_CONTEXT each side."""
        lines = self.of(path)
        first = max(line - SNIPPET_CONTEXT, 1)
        return [(n, lines[n - 1]) for n in range(first, min(line + SNIPPET_CONTEXT, len(lines)) + 1)]


def _meta(root: Path, catalog: Catalog, config_text: str) -> dict[str, Any]:
    return {
        "root": str(root.resolve()),
        "commit": _git(root, "rev-parse", "HEAD"),
        "branch": _git(root, "rev-parse", "--abbrev-ref", "HEAD"),
        "tool": "privacy-lint",
        "version": __version__,
        "rule_packs": [{"name": name, "version": version} for name, version, _ in catalog.packs],
        "configuration_hash": hashlib.sha256(config_text.encode()).hexdigest()[:16],
        "scanned_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None
