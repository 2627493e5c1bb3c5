"""Plain-data results of a scan: what the engine returns and every formatter reads.

Nothing here holds a LibCST node, so results pickle cheaply across worker processes and
serialise straight to JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from privacy_lint.engine.exports import ModuleSummary
    from privacy_lint.project.index import ProjectIndex

SEVERITIES = ("note", "warning", "error")  # ascending, SARIF levels
CONFIDENCES = ("low", "medium", "high")  # ascending
# Diagnostics about comments and about the reach of the project plan (every file was analysed); the others mean
# that a file, a path or a module's summary could not be analysed, and the scan is incomplete (exit code 3).
NOTE_KINDS = frozenset({"suppression-without-reason", "duplicate-module", "context-limit", "cycle-unsettled"})


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file: 1-based lines, 0-based columns (LibCST's convention)."""

    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True, slots=True)
class Step:
    """One hop of a flow from source to sink, e.g. an assignment or a call boundary."""

    span: Span
    text: str  # the code at that hop, shortened to one line
    note: str  # what happens there: "source", "assigned to ip", "passed to audit(value)", "sink"
    path: str = ""  # file of the hop when it is not the finding's file (cross-module flows)


@dataclass(frozen=True, slots=True)
class Source:
    """Where the personal data came from and why it was classified as such."""

    category: str  # fideslang id, e.g. "user.device.ip_address"
    label: str  # human label, e.g. "IP address"
    text: str  # the expression, e.g. "request.remote_addr"
    span: Span
    confidence: str  # low | medium | high
    why: str  # explanation: which token, which pattern, which object context
    path: str = ""  # file of the source when it is not the finding's file (data returned by another module)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str  # PRV001 ...
    path: str  # as given on the command line / discovered, POSIX separators
    span: Span  # the sink call
    message: str
    severity: str  # note | warning | error
    confidence: str  # low | medium | high: the best source's confidence
    sink: str  # the callee as written, e.g. "logger.info"
    destination: str  # e.g. "application log", "Mixpanel", "api.example.com"
    service: str  # log | exception | http | analytics | ...
    scope: str  # qualified name of the enclosing function/class ("" at module level)
    sources: tuple[Source, ...]  # at least one; the first is the primary source
    steps: tuple[Step, ...] = ()  # flow from the primary source to the sink, both included
    consent: str = ""  # the consent check that guards the call, as written ("" when none does)

    @property
    def guarded(self) -> bool:
        return bool(self.consent)

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.category for s in self.sources))


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem with the input rather than with the code: a file that did not parse, could not be read..."""

    path: str
    message: str
    line: int = 0
    col: int = 0
    kind: str = "error"  # parse-error | read-error | internal-error ...


@dataclass(frozen=True, slots=True)
class SuppressionNote:
    """A suppression comment as reports need it: where, which rules, why."""

    path: str
    line: int
    codes: tuple[str, ...]
    reason: str
    kind: str  # "noqa" or "ignore" comment


@dataclass(slots=True)
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    suppressed: list[tuple[Finding, SuppressionNote]] = field(default_factory=list)  # accepted risks
    unused_suppressions: list[SuppressionNote] = field(default_factory=list)
    summary: ModuleSummary | None = field(default=None, repr=False)  # for the modules that import this one


@dataclass
class ScanResult:
    """What a scan found: each file's result, and what it could not scan or cover."""

    files: list[FileResult] = field(default_factory=list)
    missing: list[Diagnostic] = field(default_factory=list)  # paths that could not be scanned
    project: list[Diagnostic] = field(default_factory=list)  # what the whole-project plan could not cover
    analysed: int = 0  # files parsed and analysed in this run (context modules included)
    again: int = 0  # further analyses of import-cycle members, until their summaries settled (cycles.py)
    cached: int = 0  # files whose results came from the cache
    gated: int = 0  # files not parsed: nothing in them can lead to a finding
    index: ProjectIndex | None = None  # the project's modules and classes (the report's data inventory)

    @property
    def findings(self) -> Iterator[Finding]:
        for result in self.files:
            yield from result.findings

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [*self.missing, *self.project, *(d for r in self.files for d in r.diagnostics)]


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 file`, `2 files`; `many` for a plural that is not the word and an s (`third parties`)."""
    return f"{count} {word if count == 1 else many or word + 's'}"
