"""Run the engine over many files: in-process for a few, in a process pool for many. Results come back as plain
data in the order the files were discovered, whatever the number of jobs."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from privacy_lint.analyzer import Engine, EngineOptions
from privacy_lint.discovery import SKIPPED_DIRS, Missing, Target, discover
from privacy_lint.findings import Diagnostic, FileResult
from privacy_lint.index import ProjectIndex, build_index
from privacy_lint.rulepacks import Catalog

POOL_THRESHOLD = 16  # below this many files a pool costs more than it saves

_worker: tuple[Engine, ProjectIndex] | None = None


def _init_worker(catalog: Catalog, options: EngineOptions, index: ProjectIndex) -> None:
    global _worker
    _worker = (Engine(catalog, options), index)


def _analyse(target: Target) -> FileResult:
    assert _worker is not None
    return _safe(*_worker, target)


def _safe(engine: Engine, index: ProjectIndex, target: Target) -> FileResult:
    try:
        return engine.analyse_path(target.path, target.display, index)
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
    index = build_index(((t.path, t.display) for t in targets), catalog, engine.classifier)
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(targets) < POOL_THRESHOLD:
        result.files = [_safe(engine, index, t) for t in targets]
    else:
        chunk = max(1, min(32, len(targets) // (workers * 4)))
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(catalog, options, index)) as pool:
            result.files = list(pool.map(_analyse, targets, chunksize=chunk))
    return result
