"""The project index: a cheap first pass over every file, so each file's analysis knows the rest of the project.

For now it records classes and their personal-data fields (Django, SQLAlchemy, pydantic, dataclass and attrs
models): `order.customer.email` is personal after `from shop.models import Order` wherever `Order` is defined, and
printing a dataclass from another module shows its fields. The pass uses Python's `ast` (about a tenth of a
LibCST parse) and only on files that define classes; the index is plain data, picklable for worker processes.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from privacy_lint.engine.nesting import too_deep_for_libcst
from privacy_lint.engine.plain_syntax import python_ast
from privacy_lint.engine.repair import repaired
from privacy_lint.packs.catalog import Catalog
from privacy_lint.packs.classify import Classifier
from privacy_lint.project.class_index import ClassSummary, summarise_classes
from privacy_lint.project.discovery import decode_source
from privacy_lint.project.python_ast import Imports, assignment


@dataclass(frozen=True, slots=True)
class ModuleEntry:
    name: str
    path: str  # the file as the scan names it
    imports: tuple[str, ...]  # qualified names it imports, at any depth (function-level imports included)
    urls: tuple[tuple[str, str], ...] = ()  # module-level `PARTNER_URL = "https://..."` (or an env default)


@dataclass(slots=True)
class ProjectIndex:
    classes: dict[str, ClassSummary] = field(default_factory=dict)
    modules: dict[str, ModuleEntry] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # `shop.record` -> `shop.audit.record` (re-exports)
    _named: dict[str, str] | None = field(default=None, init=False, compare=False, repr=False)

    def class_named(self, name: str) -> str | None:
        """The qualified name of the project's only class called `name`; None when there is none, or several."""
        if self._named is None:
            counts: dict[str, list[str]] = {}
            for summary in self.classes.values():
                counts.setdefault(summary.name, []).append(summary.qualname)
            self._named = {simple: quals[0] for simple, quals in counts.items() if len(quals) == 1}
        return self._named.get(name)

    def add(self, found: FileIndex) -> None:
        """Merge one file's index; with two files of one module name, the first one scanned wins."""
        self._named = None
        if found.entry is not None:
            self.modules.setdefault(found.entry.name, found.entry)
            for alias in namespace_names(found.entry.path, found.entry.name):
                self.aliases.setdefault(alias, found.entry.name)
        for alias, target in found.aliases.items():
            self.aliases.setdefault(alias, target)
        for summary in found.classes:
            self.classes.setdefault(summary.qualname, summary)

    def merged(self, other: ProjectIndex) -> ProjectIndex:
        """Both indexes in one, this one's entries first (the report's data inventory of several projects)."""
        both = ProjectIndex(dict(self.classes), dict(self.modules), dict(self.aliases))
        for name, summary in other.classes.items():
            both.classes.setdefault(name, summary)
        for name, entry in other.modules.items():
            both.modules.setdefault(name, entry)
        return both

    def module_of(self, qualname: str) -> str | None:
        """The project module a qualified name lives in: the longest prefix that is a module (or names one
        through a namespace package: `growthkit.tracking.track` for a `tracking.py` in `growthkit/`)."""
        parts = qualname.split(".")
        for cut in range(len(parts), 0, -1):  # the longest prefix wins: `assistant.llm` over a package `assistant`
            name = ".".join(parts[:cut])
            if name in self.modules:
                return name
            target = self.aliases.get(name) if cut > 1 else None
            if target is not None and target in self.modules:
                return target
        return None

    def dependencies(self, module: str) -> set[str]:
        """The project modules a module imports (directly)."""
        entry = self.modules.get(module)
        if entry is None:
            return set()
        found = {self.module_of(name) for name in entry.imports}
        found.discard(None)
        found.discard(module)
        return found  # type: ignore[return-value]


def module_name(path: str) -> str:
    """The dotted module name of a file, from the packages (`__init__.py`) that contain it.

    `src/shop/models.py` in package `shop` is `shop.models`; a file outside any package is its stem.
    """
    return _module_name(Path(path).resolve())


@lru_cache(maxsize=8192)  # by absolute path: a relative one names another file from another directory
def _module_name(file: Path) -> str:
    parts = [] if file.name == "__init__.py" else [file.stem]
    directory = file.parent
    while (directory / "__init__.py").is_file() and directory.name.isidentifier():
        parts.insert(0, directory.name)
        if directory.parent == directory:
            break
        directory = directory.parent
    in_package = directory != file.parent
    if (
        in_package
        and directory.name.isidentifier()
        and not _is_source_root(directory)
        and _is_source_root(directory.parent)
    ):
        parts.insert(0, directory.name)  # a namespace package (no __init__.py) right under the project's root
    return ".".join(parts) or file.stem


PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git", "manage.py")


def namespace_names(path: str, module: str) -> list[str]:
    """Other names a module can be imported by when the folders above it are namespace packages (PEP 420, no
    `__init__.py`): `tracking.py` in `growthkit/` is also `growthkit.tracking`. Up to two folders, never across a
    project's root."""
    directory = Path(path).resolve().parent
    if (directory / "__init__.py").is_file():
        return []
    names: list[str] = []
    prefix = module
    for _ in range(2):
        if not directory.name.isidentifier() or _is_source_root(directory):
            break
        prefix = f"{directory.name}.{prefix}"
        names.append(prefix)
        directory = directory.parent
    return names


def _is_source_root(directory: Path) -> bool:
    return directory.name == "src" or any((directory / marker).exists() for marker in PROJECT_MARKERS)


@dataclass(slots=True)
class FileIndex:
    """What the first pass learns from one file: plain data, cached by the file's content."""

    entry: ModuleEntry | None = None  # None: not parsed (no import/class statement), or not readable
    aliases: dict[str, str] = field(default_factory=dict)
    classes: list[ClassSummary] = field(default_factory=list)
    syntax_ok: bool | None = None  # None: not parsed
    problem: str = ""  # why the index could not read a file the analysis can: reported, the scan is incomplete


class NewerSyntax(Exception):
    """LibCST reads the code, but even rewritten (downlevel.py) it does not parse with the running Python's `ast`."""

    def __init__(self, first: SyntaxError, rewritten: SyntaxError) -> None:
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        super().__init__(
            f"the project index cannot read syntax newer than Python {version} here (line {first.lineno}: "
            f"{first.msg}; rewritten, line {rewritten.lineno}: {rewritten.msg}): its classes and helpers are "
            "unknown to the modules that import it"
        )


def parse_python(source: str) -> ast.Module:
    """Python's `ast`; for code in syntax newer than the running Python, the lines it refuses repaired (repair.py),
    else LibCST's parser and a rewrite into older syntax (downlevel.py, which imports LibCST: only files the
    repairs do not cover pay for it).

    Raises SyntaxError when neither parser accepts the code, NewerSyntax when only LibCST does.
    """
    try:
        return python_ast(source)
    except SyntaxError as error:
        quick = repaired(source)
        if quick is not None:
            return quick
        if too_deep_for_libcst(source, ""):
            raise  # LibCST would crash on it; the analysis reports it
        from privacy_lint.engine.downlevel import rewrite

        older = rewrite(source)
        if older is None:
            raise
        try:
            return python_ast(older)
        except SyntaxError as still:
            raise NewerSyntax(error, still) from still


def index_source(source: str, path: str, catalog: Catalog, classifier: Classifier) -> FileIndex:
    """One module's imports, re-exports and classes."""
    try:
        tree = parse_python(source)
    except NewerSyntax as exc:
        return FileIndex(syntax_ok=True, problem=str(exc))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return FileIndex(syntax_ok=False)  # the full analysis reports the problem
    module = module_name(path)
    imports = Imports(tree, module, Path(path).name == "__init__.py")
    entry = ModuleEntry(module, path, tuple(dict.fromkeys(imports.imported)), _urls(tree))
    found = FileIndex(entry, syntax_ok=True)
    for local, target in imports.names.items():
        if target != f"{module}.{local}":
            found.aliases[f"{module}.{local}"] = target
    found.classes = summarise_classes(tree, module, path, imports, catalog, classifier)
    return found


def _urls(tree: ast.Module) -> tuple[tuple[str, str], ...]:
    """Module-level names bound to a URL literal: `API_URL = "https://..."`, or the default of an environment
    lookup (`os.environ.get("API_URL", "https://...")`, `env("API_URL", default="https://...")`). Settings
    modules name the hosts that in-house clients call."""
    found: list[tuple[str, str]] = []
    # module level, and the bodies of top-level classes (Flask config classes: `class Config: API_URL = ...`)
    bodies = [s for c in tree.body if isinstance(c, ast.ClassDef) for s in c.body]
    for statement in [*tree.body, *bodies]:
        assigned = assignment(statement)
        if assigned is None:
            continue
        target, value = assigned
        if isinstance(value, ast.Call):  # an environment lookup's default
            candidates = [*value.args[1:2], *(k.value for k in value.keywords if k.arg == "default")]
            value = candidates[0] if candidates else value
        if (
            isinstance(target, ast.Name)
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and "://" in value.value
        ):
            found.append((target.id, value.value))
    return tuple(found)


def index_file(data: bytes, path: str, catalog: Catalog, classifier: Classifier) -> FileIndex:
    """The first pass over one file's bytes; files with no imports, classes or URLs are not parsed."""
    if (b"import" not in data and b"class " not in data and b"://" not in data) or b"\0" in data:
        return FileIndex()
    try:
        source = decode_source(data)
    except (SyntaxError, ValueError, LookupError):
        return FileIndex()
    return index_source(source, path, catalog, classifier)


def index_module(source: str, path: str, catalog: Catalog, classifier: Classifier, index: ProjectIndex) -> None:
    index.add(index_source(source, path, catalog, classifier))


def build_index(files: Iterable[tuple[Path, str]], catalog: Catalog, classifier: Classifier) -> ProjectIndex:
    """The first pass over (path, display name) pairs."""
    index = ProjectIndex()
    for path, display in files:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        index.add(index_file(data, display, catalog, classifier))
    return index


def find_module_file(name: str, roots: Iterable[Path]) -> Path | None:
    """The file of module `name` under one of the source roots."""
    parts = name.split(".")
    for root in roots:
        base = root.joinpath(*parts)
        for candidate in (base.with_name(base.name + ".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def source_root(path: str) -> Path | None:
    """The folder imports of a file start from: above its top package (`src/` in a src layout)."""
    file = Path(path).resolve()
    depth = module_name(path).count(".") + (1 if file.name == "__init__.py" else 0)
    return file.parents[depth] if depth < len(file.parents) else None


def source_roots(paths: Iterable[str]) -> list[Path]:
    """The source roots of the files, each once, in order."""
    return list(dict.fromkeys(root for path in paths if (root := source_root(path)) is not None))
