"""Inline SVG charts for the HTML report: no library, no network, every label escaped."""

from __future__ import annotations

from html import escape

from privacy_lint.report.inventory import CategoryEntry, Recipient
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


def data_map(inventory: list[CategoryEntry], recipients: list[Recipient]) -> str:
    """Data categories on the left, destinations on the right, a line for each flow between them (red when
    a consent-requiring flow has no consent check)."""
    categories = [c for c in inventory if c.flows]
    destinations = sorted({f.destination for c in categories for f in c.flows})
    if not categories:
        return '<p class="empty">No personal data reaches a log or a third party.</p>'
    row, width = 26, 760
    height = 40 + row * max(len(categories), len(destinations))
    left = {c.id: 30 + i * row for i, c in enumerate(categories)}
    right = {d: 30 + i * row for i, d in enumerate(destinations)}
    unguarded = {(r.destination, r.service) for r in recipients if r.unguarded_sites}
    lines = []
    for category in categories:
        for destination in sorted({f.destination for f in category.flows}):
            flows = [f for f in category.flows if f.destination == destination]
            risky = any(f.unconsented for f in flows) and any((destination, f.service) in unguarded for f in flows)
            colour = "#c62828" if risky else "#90a4ae"
            internal = all(
                f.service in INTERNAL_SERVICES for f in flows
            )  # logs and exceptions stay in the organisation
            dash = ' stroke-dasharray="4 3"' if internal else ""
            lines.append(
                f'<path d="M 230 {left[category.id]} C 380 {left[category.id]}, 380 {right[destination]}, '
                f'530 {right[destination]}" stroke="{colour}" fill="none" stroke-width="{1 + min(len(flows), 4)}"'
                f"{dash}>"
                f"<title>{escape(category.label)} → {escape(destination)}: {len(flows)} flow(s)</title></path>"
            )
    labels = [
        f'<text x="225" y="{y + 4}" text-anchor="end">{escape(c.label)}</text>'
        for c in categories
        for y in [left[c.id]]
    ] + [f'<text x="535" y="{right[d] + 4}">{escape(d)}</text>' for d in destinations]
    return (
        f'<svg class="chart" role="img" aria-label="data map" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(lines)}{"".join(labels)}</svg>'
    )
