"""Inline SVG charts for the HTML report: no library, no network, every label escaped."""

from __future__ import annotations

from html import escape

from privacy_lint.findings import plural
from privacy_lint.report.inventory import CategoryEntry, Outflow, Recipient
from privacy_lint.rules import INTERNAL_SERVICES

COLOURS = {"error": "#c62828", "warning": "#ef6c00", "note": "#1565c0"}
FAMILY_COLOUR = "#455a64"


def bar_chart(title: str, counts: dict[str, int], colours: dict[str, str] | None = None) -> str:
    """Horizontal bars, one per key, longest first."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if not items:
        return f'<p class="empty">{escape(title)}: nothing to show.</p>'
    width, bar_height, label_width = 420, 22, 140
    top = max(value for _, value in items)
    height = 30 + bar_height * len(items)
    rows = []
    for number, (label, value) in enumerate(items):
        y = 24 + number * bar_height
        length = max(2, int((width - label_width - 50) * value / top))
        colour = (colours or {}).get(label, FAMILY_COLOUR)
        rows.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{length}" height="{bar_height - 6}" fill="{colour}"/>'
            f'<text x="{label_width + length + 6}" y="{y + 15}">{value}</text>'
        )
    return (
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<text x="0" y="14" class="chart-title">{escape(title)}</text>{"".join(rows)}</svg>'
    )


# Kinds of recipient, in the order the data map lists them: outside the organisation first, riskiest first.
KIND_ORDER = (
    "advertising", "marketing", "analytics", "profiling", "ai", "crm", "messaging", "payments", "identity",
    "support", "feature_flags", "search", "warehouse", "storage", "push", "error_monitoring", "apm", "tracing",
    "http", "log", "exception",
)  # fmt: skip
GROUP_ABOVE = 12  # destinations: beyond this many, lines go to each kind of recipient, not to each recipient


def _kind_rank(kind: str) -> tuple[int, str]:
    return (KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER) - 3, kind)


def data_map(inventory: list[CategoryEntry], recipients: list[Recipient]) -> str:
    """Data categories on the left; on the right the recipients, grouped by kind (analytics, monitoring,
    payments, HTTP, logs...). A line joins a category to each recipient it reaches; past GROUP_ABOVE
    recipients, to each kind, the recipients listed under it, so a project with 30 or more stays readable.
    Red: a consent-requiring flow with no consent check; dashed: logs and exception messages (inside the
    organisation); green dots: transfers accepted with a reason."""
    categories = [c for c in inventory if c.flows]
    if not categories:
        return '<p class="empty">No personal data reaches a log or a third party.</p>'
    kinds: dict[str, list[str]] = {}
    for category in categories:
        for flow in category.flows:
            names = kinds.setdefault(flow.service, [])
            if flow.destination not in names:
                names.append(flow.destination)
    grouped = sum(len(names) for names in kinds.values()) > GROUP_ABOVE
    row, width, left_x, right_x = 22, 900, 260, 560
    right: dict[tuple[str, str | None], int] = {}  # (kind, destination or None for the kind) -> y
    labels, y = [], 30
    for kind in sorted(kinds, key=_kind_rank):
        right[(kind, None)] = y
        names = sorted(kinds[kind])
        shown = escape(kind.replace("_", " "))
        labels.append(f'<text x="{right_x + 6}" y="{y + 4}" class="kind">{shown} ({len(names)})</text>')
        y += row
        if grouped:  # the recipients of a kind, wrapped under it
            for chunk in _wrapped(names, width - right_x - 20):
                labels.append(f'<text x="{right_x + 18}" y="{y}" class="names">{escape(chunk)}</text>')
                y += row - 6
        else:
            for name in names:
                right[(kind, name)] = y
                labels.append(f'<text x="{right_x + 18}" y="{y + 4}">{escape(name)}</text>')
                y += row
        y += 6
    left = {c.id: 30 + i * row for i, c in enumerate(categories)}
    height = max(y, 30 + row * len(categories)) + 10
    unguarded = {(r.destination, r.service) for r in recipients if r.unguarded_sites}
    lines = []
    for category in categories:
        targets: dict[tuple[str, str | None], list[Outflow]] = {}
        for flow in category.flows:
            targets.setdefault((flow.service, None if grouped else flow.destination), []).append(flow)
        for target, flows in sorted(targets.items(), key=lambda item: right[item[0]]):
            risky = any(f.unconsented and (f.destination, f.service) in unguarded for f in flows)
            colour = "#c62828" if risky else "#2e7d32" if all(f.accepted for f in flows) else "#90a4ae"
            dash = ' stroke-dasharray="4 3"' if target[0] in INTERNAL_SERVICES else ""
            start, end = left[category.id], right[target]
            where = escape(target[1] or f"{target[0]} recipients")
            lines.append(
                f'<path d="M {left_x} {start} C {left_x + 150} {start}, {right_x - 150} {end}, {right_x} {end}" '
                f'stroke="{colour}" fill="none" stroke-width="{1 + min(len(flows), 4)}"{dash}>'
                f"<title>{escape(category.label)} → {where}: {plural(len(flows), 'flow')}"
                f"</title></path>"
            )
    labels += [
        f'<text x="{left_x - 5}" y="{left[c.id] + 4}" text-anchor="end">{escape(c.label)}</text>' for c in categories
    ]
    return (
        f'<svg class="chart data-map" role="img" aria-label="data map" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(lines)}{"".join(labels)}</svg>'
    )


def _wrapped(names: list[str], width: int, char: float = 6.6) -> list[str]:
    """Names joined with commas, in lines that fit `width` pixels of 12 px text."""
    lines, current = [], ""
    for name in names:
        candidate = f"{current}, {name}" if current else name
        if current and len(candidate) * char > width:
            lines.append(current + ",")
            current = name
        else:
            current = candidate
    return [*lines, current] if current else lines


def matrix(inventory: list[CategoryEntry], recipients: list[Recipient]) -> list[dict[str, object]]:
    """The data map as rows: one per recipient, grouped by kind, with a mark per data category it receives
    (what the template turns into a table that prints and reads at any size)."""
    categories = [c for c in inventory if c.flows]
    rows: list[dict[str, object]] = []
    for recipient in sorted(recipients, key=lambda r: (_kind_rank(r.service), r.destination)):
        cells = []
        for category in categories:
            flows = [
                f for f in category.flows if (f.destination, f.service) == (recipient.destination, recipient.service)
            ]
            if not flows:
                cells.append("")
            elif any(f.unconsented for f in flows) and recipient.unguarded_sites:
                cells.append("no consent check")
            elif all(f.accepted for f in flows):
                cells.append("accepted")
            else:
                cells.append("guarded" if all(f.guarded for f in flows) and recipient.needs_consent else "sent")
        rows.append({"recipient": recipient, "cells": cells})
    return rows
