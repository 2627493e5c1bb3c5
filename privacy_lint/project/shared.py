"""A project as a tool shown one file at a time sees it (the flake8 plugin, an editor): the plan a scan makes,
the scan's result cache (same keys: a hit costs no parse), the scan's pre-parse gate, and summaries computed on
demand (OnDemand) for what the cache does not hold, import cycles taken whole or settled here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from privacy_lint.cache import ResultCache
from privacy_lint.engine.exports import Externals, ModuleSummary
from privacy_lint.findings import FileResult
from privacy_lint.project.cycles import CycleRounds
from privacy_lint.project.index import ProjectIndex
from privacy_lint.project.plan import cached_result, closure, modules_in_order, store_result

if TYPE_CHECKING:
    from privacy_lint.project.analyser import Analyser
    from privacy_lint.project.gate import Gate
    from privacy_lint.project.plan import Plan


class OnDemand:
    """Summaries computed when first needed, for tools shown one file at a time (the flake8 plugin): checking a
    module first analyses the project modules it imports, transitively, each once per process, and settles the
    import cycles among them (and its own) in rounds as a scan does (cycles.py)."""

    def __init__(
        self,
        index: ProjectIndex,
        analyse: Callable[[str, Externals], ModuleSummary | None],
        known: Callable[[list[str]], dict[str, ModuleSummary] | None] = lambda group: None,
        settled: Callable[[list[str]], None] = lambda group: None,
    ) -> None:
        self.index = index
        self.analyse = analyse  # (module's file, externals) -> its summary
        self.known = known  # a whole import cycle's summaries, when kept from before (a result cache)
        self.settled = settled  # told when an import cycle has settled here
        self.summaries: dict[str, ModuleSummary] = {}
        self.done: set[str] = set()

    def externals_for(self, module: str, path: str) -> Externals:
        entry = self.index.modules.get(module)
        if entry is None or Path(entry.path).resolve() != Path(path).resolve():
            return Externals()  # not indexed, or another file of the same module name owns it (as in a scan)
        for group in modules_in_order(self.index, closure(self.index, module)):
            outside = self._outside(group)
            if group == [module]:
                return Externals(outside, self.index.aliases)  # every other group is a dependency, done above
            if not set(group) <= self.done:
                self.done.update(group)
                if len(group) == 1:
                    self._keep(group[0], self._summary(group[0], Externals(outside, self.index.aliases)))
                else:
                    self._settle(group, outside)
            if module in group:  # its own import cycle, settled with it
                seen = {m: self.summaries[m] for m in group if m != module and m in self.summaries}
                return Externals({**outside, **seen}, self.index.aliases)
        return Externals()

    def _settle(self, group: list[str], outside: dict[str, ModuleSummary]) -> None:
        known = self.known(group)
        if known is not None:
            for member, summary in known.items():
                self._keep(member, summary)
            return
        rounds = CycleRounds(group, self.index.aliases, self.index.dependencies)
        ready = rounds.ready()
        while ready:
            member = ready.pop(0)
            externals = Externals({**outside, **rounds.seen_by(member)}, self.index.aliases, record=True)
            ready.extend(rounds.record(member, self._summary(member, externals), externals.asked or ()))
        for member in group:
            self._keep(member, rounds.members[member].summary)
        self.settled(group)

    def _summary(self, module: str, externals: Externals) -> ModuleSummary | None:
        return self.analyse(self.index.modules[module].path, externals)

    def _keep(self, module: str, summary: ModuleSummary | None) -> None:
        if summary is not None:
            self.summaries[module] = summary

    def _outside(self, group: list[str]) -> dict[str, ModuleSummary]:
        needed = set().union(*(closure(self.index, m) for m in group)) - set(group)
        return {m: self.summaries[m] for m in sorted(needed) if m in self.summaries}


class SharedProject:
    """A project as a tool shown one file at a time sees it: the plan a scan makes, the scan's result cache,
    and summaries computed on demand (OnDemand) for what the cache does not hold."""

    def __init__(self, plan: Plan, analyser: Analyser, cache: ResultCache | None) -> None:
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
        # the buffer is the file the plan read (an editor's unsaved buffer is not): the cache may answer for it
        on_disk = unit is not None and self._unchanged(unit, source)
        if unit is not None and on_disk:
            group = self.plan.groups[self.plan.group_of[unit]]
            whole = len(group) > 1 and self._cycle_known([self.plan.units[u].module for u in group]) is not None
            cached = self._cached(unit, whole_cycle=whole)
            if cached is not None:
                return named_as(replace(cached, summary=None), filename)
        display = self.plan.units[unit].target.display if unit is not None else filename
        externals = self.on_demand.externals_for(module_name(filename), filename)
        export = unit is not None and self.plan.exports(unit)
        if unit is not None and on_disk and self._gated(unit, externals):
            result = FileResult(display)  # nothing in it can lead to a finding: not parsed, as in a scan
        else:
            result = self.analyser.analyse_source(source, display, self.plan.index, externals, export)
        if unit is not None and on_disk:
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
            self.loaded[unit] = cached_result(self.cache, self.plan, unit, self.plan.key(unit))
        return self.loaded[unit]

    def _store(self, unit: int, result: FileResult, whole_cycle: bool = False) -> None:
        if self.cache is None or (self.plan.cycle(self.plan.group_of[unit]) and not whole_cycle):
            return
        store_result(self.cache, self.plan, unit, self.plan.key(unit), replace(result, summary=None), result.summary)
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
