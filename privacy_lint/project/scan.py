"""Run the engine over a project: plan it (project.py), take what the cache already knows, skip files the gate
rules out, analyse the rest in-process (a few files) or in a process pool, in import order. Results come back
as plain data, in the order the files were discovered, whatever the number of jobs.

LibCST is imported only when a file actually needs analysing: a warm run, or a run over files the gate rules
out, never pays for it.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from privacy_lint.cache import ResultCache, write_atomic
from privacy_lint.engine.exports import Externals, Handed, ModuleSummary
from privacy_lint.engine.options import MAX_FILE_BYTES, EngineOptions
from privacy_lint.findings import NOTE_KINDS, Diagnostic, FileResult, ScanResult
from privacy_lint.packs.catalog import Catalog
from privacy_lint.packs.classify import Classifier
from privacy_lint.project.cycles import CycleRounds
from privacy_lint.project.discovery import SKIPPED_DIRS, Missing, Target, decode_source, discover
from privacy_lint.project.gate import Gate
from privacy_lint.project.index import NewerSyntax, parse_python
from privacy_lint.project.plan import Plan, as_context, cached_result, partitions, plan_scan, store_result
from privacy_lint.project.progress import Progress
from privacy_lint.project.workers import Analysed, Pool, analyse_in_worker, analyse_safely

if TYPE_CHECKING:
    from concurrent.futures import Future

    from privacy_lint.project.analyser import Analyser

POOL_THRESHOLD = 16  # below this many files to analyse a pool costs more than it saves


def scan(
    paths: Iterable[str],
    catalog: Catalog,
    options: EngineOptions | None = None,
    jobs: int = 0,
    exclude: Iterable[str] = (),
    skipped_dirs: frozenset[str] = SKIPPED_DIRS,
    cache: ResultCache | None = None,
    gate: bool = True,
    progress: bool = False,
) -> ScanResult:
    targets: list[Target] = []
    result = ScanResult()
    for item in discover(paths, exclude, skipped_dirs):
        if isinstance(item, Missing):
            result.missing.append(Diagnostic(item.display, item.reason, kind="path-error"))
        else:
            targets.append(item)
    options = options or EngineOptions()
    workers = jobs or os.cpu_count() or 1
    files: dict[str, FileResult] = {}
    bar = Progress(len(targets), enabled=progress)
    with Pool(workers, catalog, options) as pool:
        index_many = pool.index_many if workers > 1 else None
        try:
            for part in partitions(targets):  # several projects scanned at once are planned apart
                run = _Run(plan_scan(part, catalog, Classifier(catalog), cache, index_many), catalog, options, cache)
                run.gate = Gate(catalog, run.plan.index) if gate else None
                run.progress = bar
                run.take_cached()
                if workers <= 1 or len(run.plan.units) - len(run.results) < POOL_THRESHOLD:
                    run.in_process()
                else:
                    run.in_pool(pool)
                files.update((u.target.display, run.results[n]) for n, u in enumerate(run.plan.units) if not u.context)
                result.project.extend([*run.plan.diagnostics, *run.diagnostics, *_context_problems(run)])
                result.analysed += run.analysed
                result.cached += run.cached
                result.gated += run.gated
                result.again += run.again
                result.index = run.plan.index if result.index is None else result.index.merged(run.plan.index)
        finally:
            bar.close()
    result.files = [files[t.display] for t in targets]
    return result


class _Run:
    def __init__(self, plan: Plan, catalog: Catalog, options: EngineOptions, cache: ResultCache | None) -> None:
        self.plan = plan
        self.catalog = catalog
        self.options = options
        self.cache = cache
        self.keys = [plan.key(u) for u in range(len(plan.units))] if cache is not None else []
        self.results: dict[int, FileResult] = {}
        self.summaries: dict[str, ModuleSummary] = {}  # kept for in-process analysis only
        self.pooled = False
        self.handed: dict[str, Handed] = {}  # per module: what its summary hands importers (for the gate)
        self.gate: Gate | None = None
        self.progress = Progress(0, enabled=False)
        self.analysed = self.cached = self.gated = self.again = 0
        self.diagnostics: list[Diagnostic] = []
        self._engine: Analyser | None = None

    # --------------------------------------------------------------------- cache
    def take_cached(self) -> None:
        """Results (and summaries) the cache holds for these exact inputs. An import cycle is taken whole or not
        at all: its members settle together (cycles.py)."""
        if self.cache is None:
            return
        for members in self.plan.groups:
            found = [(unit, self._cached(unit)) for unit in members]
            if all(result is not None for _, result in found):
                for unit, result in found:
                    assert result is not None
                    self._done(unit, result, cached=True)

    def _cached(self, unit: int) -> FileResult | None:
        assert self.cache is not None
        return cached_result(self.cache, self.plan, unit, self.keys[unit])

    def _done(self, unit: int, result: FileResult, cached: bool = False, handed: Handed | None = None) -> None:
        """Record a file's result; its summary (in-process) or what the summary hands on (from a worker)."""
        summary, result.summary = result.summary, None
        module = self.plan.units[unit].module
        if summary is not None and self.plan.exports(unit):
            if not self.pooled:  # workers read summaries from their files
                self.summaries[module] = summary
            handed = Handed.of(summary)
        if handed is not None:
            self.handed[module] = handed
        if cached:
            self.cached += 1
        elif self.cache is not None:
            store_result(self.cache, self.plan, unit, self.keys[unit], result, summary)
        self.results[unit] = result
        if not self.plan.units[unit].context:
            self.progress.advance()

    # --------------------------------------------------------------------- in process
    def in_process(self) -> None:
        for group, members in enumerate(self.plan.groups):
            todo = [u for u in members if u not in self.results]
            if not todo:
                continue
            if self.plan.cycle(group):
                self._settle_here(group)
                continue
            externals = self.plan.externals(group, self.summaries)
            for unit in todo:
                self._done(unit, self._analyse_here(unit, externals))

    def _settle_here(self, group: int) -> None:
        """An import cycle analysed in rounds until its members' summaries settle."""
        plan = self.plan
        outside = plan.seen(group, self.summaries)
        unit_of = {plan.units[u].module: u for u in plan.groups[group]}
        rounds = CycleRounds(unit_of, plan.index.aliases, plan.index.dependencies)
        results: dict[int, FileResult] = {}
        ready = rounds.ready()
        while ready:
            module = ready.pop(0)
            externals = Externals({**outside, **rounds.seen_by(module)}, plan.index.aliases, record=True)
            result = results[unit_of[module]] = self._analyse_here(unit_of[module], externals)
            ready.extend(rounds.record(module, result.summary, externals.asked or ()))
        self._settled(group, rounds)
        for unit in plan.groups[group]:
            self._done(unit, results[unit])

    def _settled(self, group: int, rounds: CycleRounds) -> None:
        members = self.plan.groups[group]
        self.analysed -= rounds.analyses - len(members)
        self.again += rounds.analyses - len(members)
        if rounds.unsettled:
            first = self.plan.units[members[0]].target.display
            message = (
                f"import cycle of {len(members)} modules, {first} among them: its summaries still changed after "
                f"{rounds.rounds} round{'s' if rounds.rounds != 1 else ''} and {rounds.analyses} analyses; flows "
                "that cross more of its members than those rounds followed may be missing"
            )
            self.diagnostics.append(Diagnostic(first, message, kind="cycle-unsettled"))

    def _analyse_here(self, unit: int, externals: Externals) -> FileResult:
        target = self.plan.units[unit].target
        if self._gated(unit):
            self.gated += 1
            return FileResult(target.display)
        if self._engine is None:
            from privacy_lint.project.analyser import Analyser

            self._engine = Analyser(self.catalog, self.options)
        self.analysed += 1
        return analyse_safely(self._engine, self.plan.index, target, externals, self.plan.exports(unit))

    def _gated(self, unit: int) -> bool:
        own = self.plan.units[unit]
        return (
            self.gate is not None
            and self._gate_candidate(unit)
            and gate_verdict(self.gate, own.target, own.syntax_ok, self._handed(self.plan.group_of[unit]))
        )

    def _handed(self, group: int) -> list[Handed]:
        return [self.handed[m] for m in self.plan.needs(group) if m in self.handed]

    def _gate_candidate(self, unit: int) -> bool:
        """Only files whose summaries no other module uses, and that Python's parser accepted."""
        own = self.plan.units[unit]
        return not own.context and own.module not in self.plan.needed and own.syntax_ok is not False

    # --------------------------------------------------------------------- pool
    def in_pool(self, pool: Pool) -> None:
        """Submit each import cycle (or module) once the modules it imports are done. Summaries travel as files:
        each is written once, by the worker that made it (into the cache, or a temporary folder), and read at
        most once per worker that needs it."""
        from concurrent.futures import FIRST_COMPLETED, wait

        plan = self.plan
        self.pooled = True
        self.summaries.clear()  # what the cache gave: workers read it from the cache's files
        waiting = [set(after) for after in plan.after]
        dependents: dict[int, list[int]] = {}
        for group, after in enumerate(plan.after):
            for dependency in after:
                dependents.setdefault(dependency, []).append(group)
        left = [sum(u not in self.results for u in members) for members in plan.groups]
        if self.cache is not None:
            self.cache.prepare()
        with tempfile.TemporaryDirectory(prefix="privacy-lint-") as store:
            index = os.path.join(store, "index")  # the project index travels as a file too, read once per worker
            write_atomic(Path(index), pickle.dumps(plan.index, pickle.HIGHEST_PROTOCOL))
            if self.cache is not None:
                paths = [str(self.cache.path(key, "summary")) for key in self.keys]
            else:
                paths = [os.path.join(store, unit.module) for unit in plan.units]

            running: dict[Future[Analysed], tuple[int, int]] = {}
            cycles: dict[int, _Cycle] = {}

            def submit(group: int, unit: int, needs: tuple[tuple[str, str], ...], own: str | None, ask: bool) -> None:
                future = pool.executor.submit(analyse_in_worker, index, plan.units[unit].target, needs, own, ask)
                running[future] = (group, unit)

            def submit_ready(group: int, modules: list[str]) -> None:
                """Members of a cycle whose round can start: each writes its summary to a file of its round."""
                cycle = cycles[group]
                for module in modules:
                    unit = cycle.unit_of[module]
                    own = cycle.writing[unit] = os.path.join(store, f"cycle-{unit}-{cycle.rounds.rounds}")
                    submit(group, unit, (*cycle.needs, *cycle.seen_by(module)), own, True)
                    left[group] += 1

            def needs_of(group: int) -> tuple[tuple[str, str], ...]:
                """The summary files a group's analysis may read (built when submitted: all of them at once would
                hold millions of pairs on a large project)."""
                return tuple((m, paths[plan.owner[m]]) for m in plan.needs(group))

            ready: list[int] = [g for g, pending in enumerate(waiting) if not pending]
            while ready or running:
                for group in ready:
                    if plan.cycle(group) and left[group]:
                        unit_of = {plan.units[u].module: u for u in plan.groups[group]}
                        rounds = CycleRounds(unit_of, plan.index.aliases, plan.index.dependencies)
                        cycles[group] = _Cycle(rounds, unit_of, needs_of(group))
                        left[group] = 0
                        submit_ready(group, rounds.ready())
                        continue
                    needs = needs_of(group)
                    for unit in plan.groups[group]:
                        if unit in self.results:
                            continue
                        if self._gated(unit):  # decided here: what imports hand a file stays in this process
                            self.gated += 1
                            self._done(unit, FileResult(plan.units[unit].target.display))
                            left[group] -= 1
                            continue
                        submit(group, unit, needs, paths[unit] if plan.exports(unit) else None, False)
                finished, ready = [g for g in ready if not left[g]], []
                if running:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in sorted(done, key=lambda f: running[f]):
                        group, unit = running.pop(future)
                        analysed = future.result()
                        self.analysed += 1
                        left[group] -= 1
                        if group not in cycles:
                            self._done(unit, analysed.result, handed=analysed.handed)
                        else:
                            cycle = cycles[group]
                            cycle.results[unit] = analysed.result
                            if analysed.summary is not None:
                                cycle.file[id(analysed.summary)] = cycle.writing[unit]
                            module = plan.units[unit].module
                            submit_ready(group, cycle.rounds.record(module, analysed.summary, analysed.asked))
                            if cycle.rounds.settled:
                                self._settle_in_pool(group, cycles.pop(group), paths)
                        if not left[group]:
                            finished.append(group)
                for group in finished:  # done: analysed now, or every member came from the cache
                    for dependent in dependents.get(group, ()):
                        waiting[dependent].discard(group)
                        if not waiting[dependent]:
                            ready.append(dependent)

    def _settle_in_pool(self, group: int, cycle: _Cycle, paths: list[str]) -> None:
        """A settled cycle: each member's last result, and its last summary where importers read it."""
        self._settled(group, cycle.rounds)
        for module, unit in cycle.unit_of.items():
            result = cycle.results[unit]
            result.summary = cycle.rounds.members[module].summary
            if self.cache is None and result.summary is not None:  # with a cache, _done stores it there
                write_atomic(Path(paths[unit]), pickle.dumps(result.summary, pickle.HIGHEST_PROTOCOL))
            self._done(unit, result)


@dataclass
class _Cycle:
    """An import cycle being settled in the pool: its rounds, and where each member's latest summary is."""

    rounds: CycleRounds
    unit_of: dict[str, int]
    needs: tuple[tuple[str, str], ...]  # the summary files of the modules outside the cycle it depends on
    file: dict[int, str] = field(default_factory=dict)  # id of a member's summary -> the file it was written to
    writing: dict[int, str] = field(default_factory=dict)  # unit -> the file its running analysis writes
    results: dict[int, FileResult] = field(default_factory=dict)

    def seen_by(self, module: str) -> tuple[tuple[str, str], ...]:
        return tuple((m, self.file[id(summary)]) for m, summary in self.rounds.seen_by(module).items())


def _context_problems(run: _Run) -> Iterator[Diagnostic]:
    """What went wrong in modules analysed only for their summaries: their importers lost those flows."""
    for number, unit in enumerate(run.plan.units):
        if unit.context:
            for d in run.results[number].diagnostics:
                if d.kind in NOTE_KINDS:
                    continue
                yield Diagnostic(d.path, as_context(d.message), d.line, d.col, d.kind)


def gate_verdict(gate: Gate, target: Target, syntax_ok: bool | None, handed: list[Handed]) -> bool:
    """True when the file cannot produce a finding (and is readable, decodable Python: else the engine reports)."""
    try:
        data = target.path.read_bytes()
    except OSError:
        return False  # the engine reports it
    if len(data) > MAX_FILE_BYTES or b"\0" in data or gate.may_report(data, handed):
        return False
    if syntax_ok is None:  # not parsed by the first pass (no import, no class): make sure it is Python
        try:
            parse_python(decode_source(data))
        except (SyntaxError, NewerSyntax, ValueError, LookupError, RecursionError, MemoryError):
            return False
    return True
