"""Turn the engine's raw findings (LibCST nodes) into plain `Finding`s: rule, message, positions, flow."""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from privacy_lint.engine.exports import Place
from privacy_lint.engine.summaries import CALLERS_GUARD, RawFinding
from privacy_lint.engine.values import CONFIDENCE_RANK, Flow, Node, Origin
from privacy_lint.findings import SEVERITIES, Finding, Source, Span, Step
from privacy_lint.packs.catalog import Catalog, is_field_key
from privacy_lint.packs.consent import Purposes
from privacy_lint.rules import RULES, consent_rule, rules_for

_SEVERITY = {"special": "error", "high": "error", "personal": "warning", "pseudonymous": "note"}
_CONFIDENCES = ("low", "medium", "high")


def _span(ranges: Mapping[cst.CSTNode, CodeRange], node: Node, fallback: Span) -> Span:
    if isinstance(node, Place):
        return Span(node.line, node.col, node.line, node.col + len(node.code))
    found = ranges.get(node)
    if found is None:
        return fallback
    return Span(found.start.line, found.start.column, found.end.line, found.end.column)


def _short(text: str, limit: int = 80) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _message(
    rule: str, sources: list[Source], raw: RawFinding, mismatch: str = "", purpose: str = "", required: str = ""
) -> str:
    named = []
    for source in sources[:3]:
        item = f"{source.label} ({source.text})"
        if item not in named:
            named.append(item)
    what = " and ".join(named) if len(named) <= 2 else ", ".join(named[:-1]) + " and " + named[-1]
    if len(sources) > 3:
        what += f" and {len(sources) - 3} more"
    hit = raw.hit
    by = f"{hit.sink_text}" + (f" via {raw.via}" if raw.via else "")
    if required:  # the configuration's consent-required: this data needs consent for a purpose, whatever the sink
        needed, _, label = required.partition(" ")
        return (
            f"{what} sent to {hit.destination} by {by} with no consent check for {needed}, which the "
            f"configuration requires for {label.strip('()')} (consent-required)"
        )
    if RULES[rule].family == "consent":  # no check, or one for another purpose
        consent = f"with consent checked for {mismatch} only, not {purpose}" if mismatch else "with no consent check"
    else:
        consent = f" (consent: guarded by {raw.guarded})" if raw.guarded else ""
    return RULES[rule].message.format(
        what=what, destination=hit.destination, service=hit.service, by=by, consent=consent
    )


PROFILING_RULE = consent_rule("model")


def _required_purpose(raw: RawFinding, purposes: Purposes, catalog: Catalog, checks: tuple[str, ...]) -> str:
    """The configuration's `consent-required`: data of a category (or a field) that may only be used with consent
    for a purpose, reaching any sink with no check for that purpose. "personalisation for location", or ""."""
    if not catalog.consent_required:
        return ""
    for flow in raw.flows:
        for needed, purpose in catalog.consent_required.items():
            if not _required_of(needed, flow.origin):
                continue
            if not (checks and all(purposes.counts_for(check, purpose) for check in checks)):
                known = catalog.categories.get(flow.origin.category)
                return f"{purpose} ({known.label if known is not None else flow.origin.text})"
    return ""


def _required_of(needed: str, origin: Origin) -> bool:
    """`user.location` (a category, with its children) or `myapp.models.Profile.browsing_history` (a model's
    field, read under its name)."""
    if is_field_key(needed):
        return origin.text.rsplit(".", 1)[-1] == needed.rsplit(".", 1)[-1]
    return origin.category == needed or origin.category.startswith(needed + ".")


def _distinct_sources(flows: list[Flow], ranges: Mapping[cst.CSTNode, CodeRange]) -> list[Flow]:
    """One flow per (category, source text): the shortest, ties broken by position so output is deterministic."""

    def where(node: Node) -> tuple[int, int]:
        if isinstance(node, Place):
            return (node.line, node.col)
        found = ranges.get(node)
        return (found.start.line, found.start.column) if found else (0, 0)

    def rank(flow: Flow) -> tuple[object, ...]:
        origin = flow.origin
        return (
            -CONFIDENCE_RANK[origin.confidence],
            len(flow.steps),
            origin.text,
            origin.category,
            where(origin.node),
            [where(node) for _, node in flow.steps],
        )

    best: dict[tuple[str, str], Flow] = {}
    for flow in sorted(flows, key=rank):
        best.setdefault((flow.origin.category, flow.origin.text), flow)
    return list(best.values())


def build_findings(raws: list[RawFinding], module: cst.Module, path: str, catalog: Catalog) -> list[Finding]:
    """Merge raw findings per (rule, reported node), resolve positions once, and phrase the messages."""
    purposes = Purposes(catalog)
    grouped: dict[tuple[str, int], tuple[RawFinding, list[Flow]]] = {}
    mismatches: dict[int, str] = {}  # raw finding -> the purposes its consent check names instead of the sink's
    required_for: dict[int, str] = {}  # raw finding -> "personalisation for location": consent the team requires
    for raw in raws:
        engine_made = raw.guarded.startswith(CALLERS_GUARD)  # names a function: its callers' checks decide
        checks = raw.caller_checks if engine_made else (raw.guarded,) if raw.guarded else ()
        mismatch = next((m for m in (purposes.mismatch(c, raw.hit.service) for c in checks) if m), "")
        mismatches[id(raw)] = mismatch
        guarded = bool(raw.guarded) and not mismatch
        rules = rules_for(raw.hit.service, raw.hit.http, guarded, catalog.consent_services)
        required = _required_purpose(raw, purposes, catalog, checks)
        if required and PROFILING_RULE not in rules:
            rules += (PROFILING_RULE,)
            required_for[id(raw)] = required
        for rule in rules:
            key = (rule, id(raw.report_node))
            if key not in grouped:
                grouped[key] = (raw, list(raw.flows))
                continue
            first, flows = grouped[key]
            flows.extend(raw.flows)
            if first.guarded and not raw.guarded:  # guarded only when every flow to the call is
                grouped[key] = (raw, flows)
    if not grouped:
        return []
    ranges = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)

    def code_for(node: Node) -> str:
        return node.code if isinstance(node, Place) else module.code_for_node(node)

    def path_of(node: Node) -> str:
        return node.path if isinstance(node, Place) and node.path != path else ""

    findings = []
    for (rule, _), (raw, flows) in grouped.items():
        sink_span = _span(ranges, raw.report_node, Span(1, 0, 1, 0))
        ordered = _distinct_sources(flows, ranges)
        sources = []
        for flow in ordered:
            origin = flow.origin
            category = catalog.categories[origin.category]
            sources.append(
                Source(
                    origin.category,
                    category.label,
                    _short(origin.text),
                    _span(ranges, origin.node, sink_span),
                    origin.confidence,
                    origin.why,
                    path_of(origin.node),
                )
            )
        primary = ordered[0]
        steps = [Step(sources[0].span, sources[0].text, "source", sources[0].path)]
        for note, node in primary.steps:
            steps.append(Step(_span(ranges, node, sink_span), _short(code_for(node)), note, path_of(node)))
        if raw.via:  # the sink inside the called helper, in this file or another one
            hit = raw.hit.node
            steps.append(Step(_span(ranges, hit, sink_span), _short(code_for(hit)), raw.hit.sink_text, path_of(hit)))
        steps.append(Step(sink_span, _short(code_for(raw.report_node)), f"sink: {raw.hit.destination}"))
        sensitivity = max(
            (catalog.categories[s.category].sensitivity for s in sources),
            key=("pseudonymous", "personal", "high", "special").index,
        )
        severity = max(_SEVERITY[sensitivity], RULES[rule].severity_floor, key=SEVERITIES.index)
        confidence = min(sources[0].confidence, raw.hit.confidence_cap, key=_CONFIDENCES.index)
        findings.append(
            Finding(
                rule=rule,
                path=path,
                span=sink_span,
                message=_message(
                    rule,
                    sources,
                    raw,
                    mismatches.get(id(raw), ""),
                    purposes.of_service(raw.hit.service),
                    required_for.get(id(raw), "") if rule == PROFILING_RULE else "",
                ),
                severity=severity,
                confidence=confidence,
                sink=raw.hit.sink_text,
                destination=raw.hit.destination,
                service=raw.hit.service,
                scope=raw.scope,
                sources=tuple(sources),
                steps=tuple(steps),
                consent="" if RULES[rule].family == "logs" else raw.guarded,
            )
        )
    findings.sort(key=lambda f: (f.span.line, f.span.col, f.rule))
    return findings
