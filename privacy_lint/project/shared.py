"""A project as a tool shown one file at a time sees it (the flake8 plugin, an editor): the plan a scan makes,
the scan's result cache (same keys: a hit costs no parse), the scan's pre-parse gate, and summaries computed on
demand (project.plan.OnDemand) for what the cache does not hold, import cycles taken whole or settled here."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from privacy_lint.cache import ResultCache
from privacy_lint.engine.exports import Externals, ModuleSummary
from privacy_lint.findings import FileResult

if TYPE_CHECKING:
    from privacy_lint.project.analyser import Analyser
    from privacy_lint.project.gate import Gate
    from privacy_lint.project.plan import Plan


class SharedProject:
    """A project as a tool shown one file at a time sees it: the plan a scan makes, the scan's result cache,
    and summaries computed on demand (project.plan.OnDemand) for what the cache does not hold."""

    def __init__(self, plan: Plan, analyser: Analyser, cache: ResultCache | None) -> None:
        from privacy_lint.project.plan import OnDemand

        self.plan, self.analyser, self.cache = plan, analyser, cache
        self.units = {t.target.path.resolve(): number for number, t in enumerate(plan.units)}
        self.last: dict[int, FileResult] = {}  # import-cycle members' latest results, stored once settled
        self.known: dict[tuple[str, ...], dict[str, ModuleSummary] | None] = {}  # cycles looked up in the cache
        self.loaded: dict[int, FileResult | None] = {}  # cache entries read, by unit
        self.gate: Gate | None = None
        self.on_demand = OnDemand(plan.index, self._summary, self._cycle_known, self._cycle_settled)

    def result_of(self, source: str, filename: str) -> FileResult:
        from privacy_lint.project.index import module_name

        unit = self.units.get(Path(filename).resolve())
        if unit is not None and self._unchanged(unit, source):
            group = self.plan.groups[self.plan.group_of[unit]]
            whole = len(group) > 1 and self._cycle_known([self.plan.units[u].module for u in group]) is not None
            cached = self._cached(unit, whole_cycle=whole)
            if cached is not None:
                return named_as(replace(cached, summary=None), filename)
        display = self.plan.units[unit].target.display if unit is not None else filename
        externals = self.on_demand.externals_for(module_name(filename), filename)
        export = unit is not None and self.plan.exports(unit)
        if unit is not None and self._unchanged(unit, source) and self._gated(unit, externals):
            result = FileResult(display)  # nothing in it can lead to a finding: not parsed, as in a scan
        else:
            result = self.analyser.analyse_source(source, display, self.plan.index, externals, export)
        if unit is not None and self._unchanged(unit, source):
            self._store(unit, result)
        return named_as(replace(result, summary=None), filename)

    def _summary(self, path: str, externals: Externals) -> ModuleSummary | None:
        """A module the buffer imports: its summary from the cache, else from its analysis (then cached)."""
        unit = self.units.get(Path(path).resolve())
        cycle = unit is not None and self.plan.cycle(self.plan.group_of[unit])
        cached = self._cached(unit) if unit is not None and not cycle else None
        if cached is not None:
            return cached.summary
        display = self.plan.units[unit].target.display if unit is not None else path
        result = self.analyser.analyse_path(Path(path), display, self.plan.index, externals, export=True)
        if unit is not None and cycle:
            self.last[unit] = result  # the cycle settles first: stored then, whole
        elif unit is not None:
            self._store(unit, result)
        return result.summary

    def _gated(self, unit: int, externals: Externals) -> bool:
        """The scan's pre-parse gate (project.gate): a file no other module needs whose words hold no evidence
        of both halves of a finding, given what the modules it imports hand it."""
        from privacy_lint.engine.exports import Handed
        from privacy_lint.project.gate import Gate
        from privacy_lint.project.scan import gate_verdict

        own = self.plan.units[unit]
        if own.context or own.module in self.plan.needed or own.syntax_ok is False:
            return False
        if self.gate is None:
            self.gate = Gate(self.analyser.catalog, self.plan.index)
        handed = [Handed.of(summary) for summary in externals.modules.values()]
        return gate_verdict(self.gate, own.target, own.syntax_ok, handed)

    def _cycle_units(self, group: list[str]) -> list[int]:
        return [self.plan.owner[m] for m in group if m in self.plan.owner]

    def _cycle_known(self, group: list[str]) -> dict[str, ModuleSummary] | None:
        """A whole import cycle from the cache, as a scan takes it (every member, or none); looked up once."""
        key = tuple(sorted(group))
        if key not in self.known:
            self.known[key] = self._read_cycle(group)
        return self.known[key]

    def _read_cycle(self, group: list[str]) -> dict[str, ModuleSummary] | None:
        units = self._cycle_units(group)
        if self.cache is None or len(units) != len(group):
            return None
        found = {}
        for unit in units:
            result = self._cached(unit, whole_cycle=True)
            if result is None or result.summary is None:
                return None
            found[self.plan.units[unit].module] = result.summary
        return found

    def _cycle_settled(self, group: list[str]) -> None:
        units = self._cycle_units(group)
        if all(unit in self.last for unit in units):
            for unit in units:
                self._store(unit, self.last.pop(unit), whole_cycle=True)
            self.known.pop(tuple(sorted(group)), None)

    def _unchanged(self, unit: int, source: str) -> bool:
        """The buffer is the file the plan read (an editor's unsaved buffer is not)."""
        from privacy_lint.cache import digest as content_digest

        return self.plan.units[unit].digest == content_digest(source.encode("utf-8"))

    def _cached(self, unit: int, whole_cycle: bool = False) -> FileResult | None:
        if self.cache is None or (self.plan.cycle(self.plan.group_of[unit]) and not whole_cycle):
            return None  # an import cycle's members settle together: taken whole (`_cycle_known`) or not at all
        if unit not in self.loaded:
            key = self.plan.key(unit)
            result = self.cache.load(key, "result", FileResult)
            if result is not None and self.plan.exports(unit):
                result.summary = self.cache.load(key, "summary", ModuleSummary)
                if result.summary is None:
                    result = None
            self.loaded[unit] = result
        return self.loaded[unit]

    def _store(self, unit: int, result: FileResult, whole_cycle: bool = False) -> None:
        if self.cache is None or (self.plan.cycle(self.plan.group_of[unit]) and not whole_cycle):
            return
        if any(d.kind in ("read-error", "internal-error") for d in result.diagnostics):
            return  # may not happen again: never cached (as in a scan)
        key = self.plan.key(unit)
        if result.summary is not None and self.plan.exports(unit):
            self.cache.store(key, "summary", result.summary)
        self.cache.store(key, "result", replace(result, summary=None))
        self.loaded[unit] = result


def named_as(result: FileResult, filename: str) -> FileResult:
    """A result reported under the name the caller gave its file (the plan names it as a scan does)."""
    if result.path == filename:
        return result
    findings = [replace(f, path=filename) for f in result.findings]
    suppressed = [(replace(f, path=filename), note) for f, note in result.suppressed]
    diagnostics = [replace(d, path=filename) for d in result.diagnostics]
    unused = [replace(n, path=filename) for n in result.unused_suppressions]
    return replace(result, path=filename, findings=findings, suppressed=suppressed, diagnostics=diagnostics,
                   unused_suppressions=unused)  # fmt: skip
