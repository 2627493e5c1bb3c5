"""The worker processes of a scan: the first pass over files and the analysis of each, summaries read from files."""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from privacy_lint.cache import write_atomic
from privacy_lint.engine.exports import Externals, Handed, ModuleSummary
from privacy_lint.engine.options import EngineOptions
from privacy_lint.findings import Diagnostic, FileResult
from privacy_lint.packs.catalog import Catalog
from privacy_lint.packs.classify import Classifier
from privacy_lint.project.discovery import Target
from privacy_lint.project.index import ProjectIndex
from privacy_lint.project.plan import Indexed, index_target

if TYPE_CHECKING:
    import ctypes
    from concurrent.futures import ProcessPoolExecutor

    from privacy_lint.project.analyser import Analyser

INDEX_CHUNK = 32  # files per first-pass task: enough to amortise a task's cost, small enough to balance


@dataclass
class Analysed:
    """What a worker sends back for one file."""

    result: FileResult
    handed: Handed | None = None  # what its summary hands importers, for the gate
    summary: ModuleSummary | None = None  # import-cycle members only: the main process settles the cycle
    asked: frozenset[str] = frozenset()  # ... and the names their analysis looked up in other modules' summaries


class Pool:
    """The worker processes, started when first used: by the first pass (indexing files) and by the analysis."""

    def __init__(self, workers: int, catalog: Catalog, options: EngineOptions) -> None:
        self.workers = workers
        self.catalog = catalog
        self.options = options
        self._executor: ProcessPoolExecutor | None = None

    @property
    def executor(self) -> ProcessPoolExecutor:
        if self._executor is None:
            from concurrent.futures import ProcessPoolExecutor

            self._executor = ProcessPoolExecutor(
                self.workers, initializer=_init_worker, initargs=(self.catalog, self.options)
            )
        return self._executor

    def index_many(self, targets: list[Target]) -> list[Indexed | None]:
        """The first pass over many files, in chunks, in order."""
        size = max(1, min(INDEX_CHUNK, len(targets) // (self.workers * 4)))
        chunks = [targets[i : i + size] for i in range(0, len(targets), size)]
        return [found for chunk in self.executor.map(_index_chunk, chunks) for found in chunk]

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)


# ------------------------------------------------------------------------- worker side
@dataclass
class _Worker:
    engine: Analyser
    classifier: Classifier


_worker: _Worker | None = None


def _init_worker(catalog: Catalog, options: EngineOptions) -> None:
    from privacy_lint.project.analyser import Analyser

    global _worker
    engine = Analyser(catalog, options)
    _worker = _Worker(engine, Classifier(catalog))
    _read_summary.cache_clear()
    _project.cache_clear()


def _index_chunk(targets: list[Target]) -> list[Indexed | None]:
    assert _worker is not None
    return [index_target(t, _worker.engine.catalog, _worker.classifier) for t in targets]


@lru_cache(maxsize=1)
def _project(path: str) -> ProjectIndex:
    """The project index, written once by the main process."""
    index: ProjectIndex = pickle.loads(Path(path).read_bytes())
    return index


def analyse_in_worker(
    index_path: str, target: Target, needs: tuple[tuple[str, str], ...], export_to: str | None, ask: bool
) -> Analysed:
    """Analyse one file with the summaries it needs (module, file): each is read only if the file looks up a
    name of its module. Write the file's own summary where its importers will read it, and tell the main
    process what it hands on to the gate; for a member of an import cycle (`ask`), also the summary itself and
    the names it looked up."""
    assert _worker is not None
    index = _project(index_path)
    externals = Externals(Summaries(dict(needs)), index.aliases, record=ask)
    result = analyse_safely(_worker.engine, index, target, externals, export_to is not None)
    _release_memory()
    summary, result.summary = result.summary, None
    if export_to is None or summary is None:
        return Analysed(result, None, None, frozenset(externals.asked or ()))
    write_atomic(Path(export_to), pickle.dumps(summary, pickle.HIGHEST_PROTOCOL))
    return Analysed(result, Handed.of(summary), summary if ask else None, frozenset(externals.asked or ()))


@lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to do
        return None


def _release_memory() -> None:
    """Hand the memory a file's syntax tree used back to the system. Python frees the tree, but glibc keeps the
    freed blocks in the process, so a worker would otherwise stay as large as the largest file it has seen."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


class Summaries(Mapping[str, ModuleSummary]):
    """Other modules' summaries, read from their files when first looked up (a missing one reads as absent)."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files

    def __getitem__(self, module: str) -> ModuleSummary:
        summary = _read_summary(self.files[module])
        if summary is None:
            raise KeyError(module)
        return summary

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)


@lru_cache(maxsize=256)  # each worker reads a summary once while it is in use; memory stays bounded
def _read_summary(path: str) -> ModuleSummary | None:
    try:
        summary = pickle.loads(Path(path).read_bytes())
    except Exception:  # a module that failed to analyse has none, in every mode alike
        return None
    return summary if isinstance(summary, ModuleSummary) else None


def analyse_safely(
    engine: Analyser, index: ProjectIndex, target: Target, externals: Externals, export: bool
) -> FileResult:
    try:
        return engine.analyse_path(target.path, target.display, index, externals, export)
    except Exception as exc:  # one broken file must never stop the scan
        message = f"internal error: {type(exc).__name__}: {exc}"
        if engine.options.debug:
            import traceback

            message += "\n" + traceback.format_exc()
        return FileResult(target.display, diagnostics=[Diagnostic(target.display, message, kind="internal-error")])
