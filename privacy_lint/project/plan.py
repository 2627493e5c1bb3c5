"""The project as a whole: which modules to analyse, and in which order, so each sees those it imports.

A scan is planned in three steps. The project index (index.py, Python's `ast`, cheap) records every module's
imports and classes. Modules the scanned files import from the same source roots join the plan as *context*
(analysed for their summaries, never reported), so checking one file still knows its project. Modules are then
grouped into strongly connected components of the import graph and ordered dependencies first: every module is
analysed once, after the modules it imports, with their summaries (exports.py). Inside an import cycle the
members do not see each other's summaries, which keeps results independent of scheduling.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from privacy_lint.cache import ResultCache, digest
from privacy_lint.engine.exports import Externals, ModuleSummary
from privacy_lint.findings import Diagnostic, FileResult
from privacy_lint.packs.catalog import Catalog
from privacy_lint.packs.classify import Classifier
from privacy_lint.project.discovery import Target
from privacy_lint.project.index import (
    FileIndex,
    ProjectIndex,
    find_module_file,
    index_file,
    module_name,
    source_root,
    source_roots,
)

MAX_CONTEXT_FILES = 2_000  # imported modules outside the scanned paths that are analysed for their summaries
MAX_CONTEXT_DEPTH = 3  # imports of imports of imports: wrappers and models sit close; a whole framework does not


@dataclass(frozen=True, slots=True)
class Unit:
    target: Target
    module: str
    context: bool  # imported by a scanned file: analysed for its summaries, not reported
    digest: str = ""  # SHA-256 of the file's bytes; "" when it could not be read
    syntax_ok: bool | None = None  # what Python's own parser said in the first pass (None: not parsed)
    problem: str = ""  # why the first pass could not read a file the analysis can (index.NewerSyntax)


@dataclass
class Plan:
    index: ProjectIndex
    units: list[Unit]
    groups: list[list[int]]  # unit numbers per import cycle (or single module), dependencies first
    reach: list[int]  # per group, a bit per group: those it depends on, transitively (see `needs`)
    after: list[frozenset[int]]  # per group: the groups it waits for
    owner: dict[str, int] = field(default_factory=dict)  # module -> the unit that exports it
    group_of: dict[int, int] = field(default_factory=dict)
    needed: frozenset[str] = frozenset()  # modules some other module uses the summary of
    diagnostics: list[Diagnostic] = field(default_factory=list)  # what the plan could not cover, for every format
    _input_digests: dict[int, str] = field(default_factory=dict)

    def externals(self, group: int, summaries: Mapping[str, ModuleSummary]) -> Externals:
        return Externals(self.seen(group, summaries), self.index.aliases)

    def seen(self, group: int, summaries: Mapping[str, ModuleSummary]) -> dict[str, ModuleSummary]:
        """The summaries a group's analysis uses: those of the modules it depends on."""
        return {m: summaries[m] for m in self.needs(group) if m in summaries}

    def needs(self, group: int) -> list[str]:
        """The modules whose summaries a group uses (its dependencies, transitively), sorted. Kept as bits per
        group, not as names: on Home Assistant the names would add up to six million."""
        return sorted(self.units[u].module for g in _bits(self.reach[group]) for u in self.groups[g])

    def cycle(self, group: int) -> bool:
        return len(self.groups[group]) > 1

    def exports(self, unit: int) -> bool:
        """Does another module use this unit's summary? (Then it is computed, cached and handed on.)"""
        module = self.units[unit].module
        return module in self.needed and self.owner.get(module) == unit

    def key(self, unit: int) -> str:
        """The result cache key: the file, and every file whose summary or classes its analysis may read."""
        own = self.units[unit]
        return digest(own.target.display, own.module, own.digest, self._inputs(self.group_of[unit]))

    def _inputs(self, group: int) -> str:
        """A digest of the files a group's analysis may read: its members and, through their own digests, the
        groups it waits for, transitively. Groups come dependencies first: one pass computes them all."""
        if not self._input_digests:
            for number, members in enumerate(self.groups):
                files = sorted(f"{self.units[u].module}={self.units[u].digest}" for u in members)
                deps = (self._input_digests[g] for g in sorted(self.after[number]))
                self._input_digests[number] = digest(*files, *deps)
        return self._input_digests[group]


_UNCACHED_KINDS = frozenset({"read-error", "internal-error"})  # may not happen again: never cached


def cached_result(cache: ResultCache, plan: Plan, unit: int, key: str) -> FileResult | None:
    """A file's result the cache holds under `key`, with its summary when other modules use it."""
    result = cache.load(key, "result", FileResult)
    if result is not None and plan.exports(unit):
        result.summary = cache.load(key, "summary", ModuleSummary)
        if result.summary is None:
            return None  # lost or damaged: analyse again rather than run without it
    return result


def store_result(
    cache: ResultCache, plan: Plan, unit: int, key: str, result: FileResult, summary: ModuleSummary | None
) -> None:
    """A file's result (its summary apart) into the cache, unless what went wrong may not happen again."""
    if any(d.kind in _UNCACHED_KINDS for d in result.diagnostics):
        return
    if summary is not None and plan.exports(unit):
        cache.store(key, "summary", summary)
    cache.store(key, "result", result)


Indexed = tuple[str, FileIndex]  # a file's digest and its index entry
IndexMany = Callable[[list[Target]], list["Indexed | None"]]  # index files elsewhere (a process pool), in order
PARALLEL_INDEX_MIN = 64  # fewer files to index than this: a pool would cost more than it saves


def plan_scan(
    targets: list[Target],
    catalog: Catalog,
    classifier: Classifier,
    cache: ResultCache | None = None,
    index_many: IndexMany | None = None,
) -> Plan:
    index = ProjectIndex()
    first_pass = FirstPass(index, catalog, classifier, cache)
    units = first_pass.units(targets, index_many)
    context, diagnostics = _context(first_pass, targets)
    units.extend(context)
    plan = order(index, units)
    plan.diagnostics[:0] = diagnostics
    return plan


def partitions(targets: list[Target]) -> list[list[Target]]:
    """The files in groups that are planned apart: files of different source roots that have the same module
    name (several projects scanned at once, each importing its own `app` or `models`) never share a group, as
    Python imports each from its own root. Roots whose names do not clash share one (`src/` and `tests/`)."""
    by_root: dict[Path | None, list[Target]] = {}
    for target in targets:
        by_root.setdefault(source_root(target.display), []).append(target)
    if len(by_root) <= 1:
        return [targets] if targets else []
    groups: list[tuple[set[str], list[Target]]] = []
    for members in by_root.values():
        names = {module_name(t.display) for t in members}
        for taken, group in groups:
            if not taken & names:
                taken.update(names)
                group.extend(members)
                break
        else:
            groups.append((names, list(members)))
    return [group for _, group in groups]


def index_target(target: Target, catalog: Catalog, classifier: Classifier, data: bytes | None = None) -> Indexed | None:
    """Read and index one file; None when it cannot be read (the analysis reports it)."""
    if data is None:
        try:
            data = target.path.read_bytes()
        except OSError:
            return None
    return digest(data), index_file(data, target.display, catalog, classifier)


class FirstPass:
    """Reads each file once for its digest and its index entry; entries are cached by content."""

    def __init__(self, index: ProjectIndex, catalog: Catalog, classifier: Classifier, cache: ResultCache | None):
        self.index = index
        self.catalog = catalog
        self.classifier = classifier
        self.cache = cache

    def units(self, targets: list[Target], index_many: IndexMany | None = None, context: bool = False) -> list[Unit]:
        """Entries the cache holds are read here; the others are indexed by `index_many` when there are enough
        of them (workers read the files themselves), else here."""
        found: list[Indexed | None] = [None] * len(targets)
        todo: list[tuple[int, bytes | None]] = []
        for number, target in enumerate(targets):
            if self.cache is None:
                todo.append((number, None))
                continue
            try:
                data = target.path.read_bytes()
            except OSError:
                continue
            content = digest(data)
            entry = self.cache.load(_index_key(target, content), "index", FileIndex)
            if entry is None:
                todo.append((number, data))
            else:
                found[number] = (content, entry)
        if index_many is not None and len(todo) >= PARALLEL_INDEX_MIN:
            indexed = index_many([targets[n] for n, _ in todo])
        else:
            indexed = [index_target(targets[n], self.catalog, self.classifier, data) for n, data in todo]
        for (number, _), result in zip(todo, indexed, strict=True):
            found[number] = result
            if result is not None and self.cache is not None:
                self.cache.store(_index_key(targets[number], result[0]), "index", result[1])
        return [self._unit(target, context, result) for target, result in zip(targets, found, strict=True)]

    def unit(self, target: Target, context: bool) -> Unit:
        return self.units([target], context=context)[0]

    def _unit(self, target: Target, context: bool, indexed: Indexed | None) -> Unit:
        module = module_name(target.display)
        if indexed is None:
            return Unit(target, module, context)  # unreadable: the analysis reports it
        content, entry = indexed
        self.index.add(entry)
        return Unit(target, module, context, content, entry.syntax_ok, entry.problem)


def _index_key(target: Target, content: str) -> str:
    return digest("index", target.display, content)


def _context(first_pass: FirstPass, targets: list[Target]) -> tuple[list[Unit], list[Diagnostic]]:
    """Modules imported (transitively) by the scanned files that live under their source roots: those at most
    MAX_CONTEXT_DEPTH imports away, and further ones that share an import cycle with a scanned file (without
    them the cycle's summaries would not be those of a whole-project scan). Further modules are indexed (cheap)
    to find the cycles, and analysed only when they close one."""
    index = first_pass.index
    roots = source_roots(t.display for t in targets)
    tops = {root: _top_names(root) for root in roots}
    seen: set[Path] = set()  # the scanned files' real paths, resolved only once an import leads to a file
    looked_up: set[str] = set()
    pending = deque((entry, 1) for entry in index.modules.values())  # breadth first: each module at its depth
    found: list[tuple[Unit, int]] = []
    while pending and len(found) < MAX_CONTEXT_FILES:
        entry, depth = pending.popleft()
        for name in entry.imports:
            if name in looked_up or name in index.modules:
                continue
            looked_up.add(name)
            known = index.module_of(name)
            if known is not None and not index.modules[known].path.endswith("__init__.py"):
                continue  # a name defined in a module already indexed: only packages have submodules
            file, module = _first_file(name, roots, tops)
            if file is None or module in index.modules:
                continue
            if not seen:
                seen.update(t.path.resolve() for t in targets)
            if file.resolve() in seen:
                continue
            seen.add(file.resolve())
            unit = first_pass.unit(Target(file, _display(file)), True)
            if unit.module in index.modules:
                pending.append((index.modules[unit.module], depth + 1))
            found.append((unit, depth))
    diagnostics = []
    if pending:
        diagnostics.append(
            Diagnostic(
                ".",
                f"context limit: {MAX_CONTEXT_FILES} imported modules analysed for their summaries; flows through "
                "modules imported beyond them are not followed (scan the whole project to follow them)",
                kind="context-limit",
            )
        )
    near = [unit for unit, depth in found if depth <= MAX_CONTEXT_DEPTH]
    far = [unit for unit, depth in found if depth > MAX_CONTEXT_DEPTH]
    if far:
        near.extend(_closing_cycles(index, [t.display for t in targets], near, far))
    return near, diagnostics


def _closing_cycles(index: ProjectIndex, scanned: list[str], near: list[Unit], far: list[Unit]) -> list[Unit]:
    """The modules of `far` that share an import cycle with a scanned file."""
    modules = [module_name(path) for path in scanned] + [u.module for u in near] + [u.module for u in far]
    cycles = modules_in_order(index, modules)
    own = set(modules[: len(scanned)])
    closing = {m for group in cycles if len(group) > 1 and own.intersection(group) for m in group}
    return [unit for unit in far if unit.module in closing]


def _first_file(name: str, roots: list[Path], tops: dict[Path, frozenset[str]]) -> tuple[Path | None, str]:
    """`shop.models.Customer` -> (shop/models.py, `shop.models`): the longest prefix of an imported name that is
    a file, and that prefix."""
    parts = name.split(".")
    head = parts[0]
    candidates = [root for root in roots if head in tops[root]]  # `os`, `django`...: not under any root
    if not candidates:
        return None, ""
    for cut in range(len(parts), 0, -1):
        module = ".".join(parts[:cut])
        found = find_module_file(module, candidates)
        if found is not None:
            return found, module
    return None, ""


def _top_names(root: Path) -> frozenset[str]:
    """The importable names at the top of a source root: its packages and modules."""
    try:
        entries = list(root.iterdir())
    except OSError:
        return frozenset()
    return frozenset(e.stem if e.suffix == ".py" else e.name for e in entries)


def _display(file: Path) -> str:
    try:
        return file.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return file.resolve().as_posix()


def order(index: ProjectIndex, units: list[Unit]) -> Plan:
    owner: dict[str, int] = {}
    diagnostics: list[Diagnostic] = []
    shadowed: dict[str, list[str]] = {}
    for number, unit in enumerate(units):
        first = owner.setdefault(unit.module, number)
        if first != number:
            shadowed.setdefault(unit.module, [units[first].target.display]).append(unit.target.display)
        if unit.problem:
            message = as_context(unit.problem) if unit.context else unit.problem
            diagnostics.append(Diagnostic(unit.target.display, message, kind="index-error"))
    edges = {
        number: sorted({owner[m] for m in index.dependencies(unit.module) if m in owner} - {number})
        if owner[unit.module] == number
        else []
        for number, unit in enumerate(units)
    }
    groups = components(edges)
    group_of = {unit: g for g, members in enumerate(groups) for unit in members}
    reach: list[int] = []
    after: list[frozenset[int]] = []
    for g, members in enumerate(groups):
        direct = {group_of[d] for m in members for d in edges[m]} - {g}
        bits = 0
        for d in direct:  # dependencies come first: their reach is known
            bits |= (1 << d) | reach[d]
        reach.append(bits)
        after.append(frozenset(direct))
    used = 0
    for bits in reach:
        used |= bits
    needed = frozenset(units[u].module for g in _bits(used) for u in groups[g]) | frozenset(
        units[u].module for members in groups if len(members) > 1 for u in members
    )
    # Only re-exports of project names matter (`from .audit import record`); imports of `os` or `django` in
    # every module would otherwise make the index, shipped to each worker, several times larger.
    index.aliases = {alias: target for alias, target in index.aliases.items() if index.module_of(target)}
    if shadowed:
        diagnostics.append(_shadowed(shadowed))
    return Plan(index, units, groups, reach, after, owner, group_of, needed, diagnostics)


def _bits(value: int) -> Iterator[int]:
    """The positions of the bits set in `value`, lowest first."""
    while value:
        low = value & -value
        yield low.bit_length() - 1
        value ^= low


def _shadowed(shadowed: dict[str, list[str]]) -> Diagnostic:
    """One note for every module name that several files have (scripts of separate folders, several projects
    scanned at once): imports of such a name are resolved to the first of its files."""
    names = sorted(shadowed)
    shown = "; ".join(f"`{name}`: {', '.join(shadowed[name])}" for name in names[:5])
    more = f"; and {len(names) - 5} more" if len(names) > 5 else ""
    message = (
        f"{len(names)} module names are each the name of several files ({shown}{more}): imports of such a name "
        "are resolved to its first file, so flows into the other files from other modules are not followed"
    )
    return Diagnostic(shadowed[names[0]][1], message, kind="duplicate-module")


def as_context(message: str) -> str:
    """A problem of a module outside the scanned paths says why it was read at all."""
    return f"imported module, analysed for its summaries only: {message}"


def components(edges: Mapping[int, list[int]]) -> list[list[int]]:
    """Tarjan's strongly connected components, iterative; each comes after every component it reaches."""
    number: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    found: list[list[int]] = []
    for root in sorted(edges):
        if root in number:
            continue
        number[root] = low[root] = len(number)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(edges[root]))]
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in number:
                    number[successor] = low[successor] = len(number)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(edges[successor])))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], number[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == number[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    found.append(sorted(component))
    return found


def closure(index: ProjectIndex, module: str) -> set[str]:
    """`module` and every project module it imports, transitively."""
    seen = {module}
    pending = [module]
    while pending:
        for dependency in index.dependencies(pending.pop()):
            if dependency not in seen:
                seen.add(dependency)
                pending.append(dependency)
    return seen


def modules_in_order(index: ProjectIndex, modules: Iterable[str]) -> list[list[str]]:
    """Import cycles among `modules`, dependencies first (for analysing on demand, as the flake8 plugin does)."""
    names = sorted(modules)
    position = {name: i for i, name in enumerate(names)}
    edges = {
        i: sorted({position[d] for d in index.dependencies(name) if d in position} - {i})
        for i, name in enumerate(names)
    }
    return [[names[i] for i in group] for group in components(edges)]
