"""The data map as pairs (data category, recipient), and what a change does to it (`privacy-lint diff`).

A pair is every call that sends that category there, with the flow to each call and its consent state. The diff
of two maps is what a reviewer of a pull request asks: which pairs start, which stop, which lose the consent check
they had, which recipients appear or disappear.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from privacy_lint.declarations import Policy
from privacy_lint.findings import Finding, ScanResult
from privacy_lint.report.inventory import site_of, sites_sent
from privacy_lint.rules import INTERNAL_SERVICES, RULES

SCHEMA_VERSION = 1
GATES = ("new-recipient", "new-flow", "new-undeclared")


@dataclass(frozen=True)
class Site:
    """One call that sends the category to the recipient."""

    path: str
    line: int
    rule: str
    consent: str  # "checked", "not checked" (the recipient needs consent), "not needed"
    flow: tuple[str, ...]  # each hop, "path:line: code (what happens)"
    accepted: str | None = None  # suppressed with this reason: still a transfer


@dataclass
class Pair:
    category: str  # its id
    label: str
    special: bool  # a special category of data (GDPR Art. 9)
    recipient: str
    service: str
    declared: bool | None  # None: the recipient has no declaration; else whether it lists this category
    sites: list[Site] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.category, self.recipient)

    @property
    def consent(self) -> str:
        states = {site.consent for site in self.sites}
        if states == {"not needed"}:
            return "not needed"
        if "not checked" not in states:
            return "checked"
        return "not checked" if "checked" not in states else "checked at some calls only"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "consent": self.consent}


@dataclass
class DataMap:
    pairs: dict[tuple[str, str], Pair] = field(default_factory=dict)
    incomplete: list[str] = field(default_factory=list)  # files or paths the scan could not analyse

    @property
    def recipients(self) -> set[str]:
        return {pair.recipient for pair in self.pairs.values()}


def data_map(scan: ScanResult, policy: Policy) -> DataMap:
    """The map of a scan's flows: its findings and the ones suppressed (accepted transfers are still transfers)."""
    from privacy_lint.findings import NOTE_KINDS

    built = DataMap(incomplete=[d.path for d in scan.diagnostics if d.kind not in NOTE_KINDS])
    flows: list[tuple[Finding, str | None]] = [(f, None) for f in scan.findings]
    flows += [(f, note.reason or "(no reason given)") for r in scan.files for f, note in r.suppressed]
    sent = sites_sent(flows)
    unconsented = {site_of(f) for f, _ in flows if RULES[f.rule].family == "consent"}
    for finding, accepted in flows:
        if RULES[finding.rule].family == "consent" and site_of(finding) in sent:
            continue  # the same call's PRV101/PRV102 is the flow (a model in the service has only its PRV202)
        needs = finding.service not in INTERNAL_SERVICES and policy.needs_consent(finding.destination, finding.service)
        # a consent rule at the call: no check, or one for another purpose
        checked = finding.guarded and site_of(finding) not in unconsented
        consent = ("checked" if checked else "not checked") if needs else "not needed"
        flow = tuple(f"{s.path or finding.path}:{s.span.line}: {s.text} ({s.note})" for s in finding.steps)
        site = Site(finding.path, finding.span.line, finding.rule, consent, flow, accepted)
        declaration = policy.declaration_for(finding.destination)
        for category in finding.categories:
            known = policy.catalog.categories[category]
            pair = built.pairs.setdefault(
                (category, finding.destination),
                Pair(
                    category,
                    known.label,
                    known.sensitivity == "special",
                    finding.destination,
                    finding.service,
                    None if declaration is None else declaration.covers(category),
                ),
            )
            if site not in pair.sites:
                pair.sites.append(site)
    return built


@dataclass
class MapDiff:
    base: str  # the reference and the merge-base commit compared with
    head: str
    added: list[Pair]
    removed: list[Pair]
    unguarded: list[Pair]  # in both, and now sent with no consent check at a call where it needs one
    new_recipients: list[str]
    gone_recipients: list[str]
    incomplete: list[str]  # files either side could not analyse: the diff may miss their flows

    def tripped(self, gates: tuple[str, ...]) -> list[str]:
        """The `--fail-on` gates this change trips."""
        tripped = {
            "new-recipient": bool(self.new_recipients),
            "new-flow": bool(self.added),
            "new-undeclared": any(pair.declared is not True for pair in self.added),
        }
        return [gate for gate in gates if tripped[gate]]

    def to_json(self) -> str:
        data = {
            "schema_version": SCHEMA_VERSION,
            "base": self.base,
            "head": self.head,
            "added": [p.to_dict() for p in self.added],
            "removed": [p.to_dict() for p in self.removed],
            "now_without_consent": [p.to_dict() for p in self.unguarded],
            "new_recipients": self.new_recipients,
            "gone_recipients": self.gone_recipients,
            "incomplete": self.incomplete,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def diff_maps(base: DataMap, head: DataMap, base_name: str, head_name: str) -> MapDiff:
    def order(pair: Pair) -> tuple[object, ...]:
        return (not pair.special, pair.recipient, pair.label)

    added = sorted((p for k, p in head.pairs.items() if k not in base.pairs), key=order)
    removed = sorted((p for k, p in base.pairs.items() if k not in head.pairs), key=order)
    unguarded = [
        pair
        for key, pair in sorted(head.pairs.items())
        if key in base.pairs and _unguarded(pair) > _unguarded(base.pairs[key])
    ]
    return MapDiff(
        base_name,
        head_name,
        added,
        removed,
        unguarded,
        sorted(head.recipients - base.recipients),
        sorted(base.recipients - head.recipients),
        sorted(set(base.incomplete) | set(head.incomplete)),
    )


def _unguarded(pair: Pair) -> int:
    return sum(1 for site in pair.sites if site.consent == "not checked")
