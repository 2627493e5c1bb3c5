"""Run the engine over many files: in-process for a few, in a process pool for many. Results come back as plain
data in the order the files were discovered, whatever the number of jobs."""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from privacy_lint.analyzer import Engine, EngineOptions
from privacy_lint.discovery import SKIPPED_DIRS, Missing, Target, discover
from privacy_lint.exports import Externals, ModuleSummary
from privacy_lint.findings import Diagnostic, FileResult
from privacy_lint.index import ProjectIndex
from privacy_lint.project import Plan, plan_scan
from privacy_lint.rulepacks import Catalog

POOL_THRESHOLD = 16  # below this many files a pool costs more than it saves

_worker: tuple[Engine, ProjectIndex] | None = None
_loaded: dict[str, ModuleSummary | None] = {}  # summaries a worker has read from the scan's store


def _init_worker(catalog: Catalog, options: EngineOptions, index: ProjectIndex) -> None:
    global _worker
    _worker = (Engine(catalog, options), index)
    _loaded.clear()


def _analyse(target: Target, needs: tuple[str, ...], store: str, export_as: str | None) -> FileResult:
    """Analyse one file in a worker with the summaries of the modules it needs, read from the store once per
    worker; write its own summary there for the modules that import it."""
    assert _worker is not None
    engine, index = _worker
    for module in needs:
        if module not in _loaded:
            _loaded[module] = _read_summary(Path(store, module))
    externals = Externals([s for m in needs if (s := _loaded[m]) is not None], index.aliases)
    result = _safe(engine, index, target, externals, export_as is not None)
    if export_as is not None and result.summary is not None:
        temporary = Path(store, f"{export_as}.{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps(result.summary, pickle.HIGHEST_PROTOCOL))
        temporary.replace(Path(store, export_as))  # atomic: a reader never sees half a summary
    result.summary = None
    return result


def _read_summary(path: Path) -> ModuleSummary | None:
    try:
        summary = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None  # the module failed to analyse: it has no summary, in every mode alike
    return summary if isinstance(summary, ModuleSummary) else None


def _safe(engine: Engine, index: ProjectIndex, target: Target, externals: Externals, export: bool) -> FileResult:
    try:
        return engine.analyse_path(target.path, target.display, index, externals, export)
    except Exception as exc:  # one broken file must never stop the scan
        return FileResult(
            target.display,
            diagnostics=[
                Diagnostic(target.display, f"internal error: {type(exc).__name__}: {exc}", kind="internal-error")
            ],
        )


@dataclass
class ScanResult:
    files: list[FileResult] = field(default_factory=list)
    missing: list[Diagnostic] = field(default_factory=list)

    @property
    def findings(self) -> Iterator:  # type: ignore[type-arg]
        for result in self.files:
            yield from result.findings

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [*self.missing, *(d for r in self.files for d in r.diagnostics)]


def scan(
    paths: Iterable[str],
    catalog: Catalog,
    options: EngineOptions | None = None,
    jobs: int = 0,
    exclude: Iterable[str] = (),
    skipped_dirs: frozenset[str] = SKIPPED_DIRS,
) -> ScanResult:
    targets: list[Target] = []
    result = ScanResult()
    for item in discover(paths, exclude, skipped_dirs):
        if isinstance(item, Missing):
            result.missing.append(Diagnostic(item.display, item.reason, kind="path-error"))
        else:
            targets.append(item)
    options = options or EngineOptions()
    engine = Engine(catalog, options)
    plan = plan_scan(targets, catalog, engine.classifier)
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(plan.units) < POOL_THRESHOLD:
        results = _run_in_process(plan, engine)
    else:
        results = _run_in_pool(plan, catalog, options, workers)
    result.files = [results[n] for n, unit in enumerate(plan.units) if not unit.context]
    return result


def _run_in_process(plan: Plan, engine: Engine) -> dict[int, FileResult]:
    summaries: dict[str, ModuleSummary] = {}
    results: dict[int, FileResult] = {}
    for group, members in enumerate(plan.groups):
        externals = plan.externals(group, summaries)
        for unit in members:
            results[unit] = _keep(
                plan, unit, _safe(engine, plan.index, plan.units[unit].target, externals, True), summaries
            )
    return results


def _run_in_pool(plan: Plan, catalog: Catalog, options: EngineOptions, workers: int) -> dict[int, FileResult]:
    """Submit each import cycle (or module) once the modules it imports are done. Summaries travel through a
    temporary folder: each is written once by the worker that made it and read once per worker that needs it."""
    results: dict[int, FileResult] = {}
    waiting = [set(after) for after in plan.after]
    dependents: dict[int, list[int]] = {}
    for group, after in enumerate(plan.after):
        for dependency in after:
            dependents.setdefault(dependency, []).append(group)
    left = [len(members) for members in plan.groups]
    with (
        tempfile.TemporaryDirectory(prefix="privacy-lint-") as store,
        ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(catalog, options, plan.index)) as pool,
    ):
        running: dict[Future[FileResult], tuple[int, int]] = {}

        def submit(group: int) -> None:
            needs = tuple(sorted(plan.needs[group]))
            for unit in plan.groups[group]:
                export_as = plan.units[unit].module if plan.exports(unit) else None
                running[pool.submit(_analyse, plan.units[unit].target, needs, store, export_as)] = (group, unit)

        for group, pending in enumerate(waiting):
            if not pending:
                submit(group)
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: running[f]):
                group, unit = running.pop(future)
                results[unit] = future.result()
                left[group] -= 1
                if left[group]:
                    continue
                for dependent in dependents.get(group, ()):
                    waiting[dependent].discard(group)
                    if not waiting[dependent]:
                        submit(dependent)
    return results


def _keep(plan: Plan, unit: int, result: FileResult, summaries: dict[str, ModuleSummary]) -> FileResult:
    """Record a module's summary for the modules that import it; keep the result lean."""
    if result.summary is not None and plan.exports(unit):
        summaries[plan.units[unit].module] = result.summary
    result.summary = None
    return result
