"""One file in, findings out: read, decode, parse once, analyse, report. Errors become diagnostics."""

from __future__ import annotations

import sys
from pathlib import Path

import libcst as cst

from privacy_lint.engine.budget import BudgetExceeded, time_budget
from privacy_lint.engine.emit import build_findings
from privacy_lint.engine.export import export_module
from privacy_lint.engine.exports import Externals
from privacy_lint.engine.interpreter import Interpreter
from privacy_lint.engine.nesting import too_deep_for_libcst
from privacy_lint.engine.options import MAX_FILE_BYTES, EngineOptions
from privacy_lint.engine.plain_syntax import python_ast
from privacy_lint.engine.suppressions import Suppression, apply_suppressions, parse_suppressions, unused_suppressions
from privacy_lint.engine.syntax import parse_module
from privacy_lint.findings import Diagnostic, FileResult, Finding, SuppressionNote
from privacy_lint.packs.catalog import Catalog
from privacy_lint.packs.classify import Classifier
from privacy_lint.packs.consent import ConsentVocabulary
from privacy_lint.packs.hosts import HostDirectory
from privacy_lint.project.discovery import decode_source
from privacy_lint.project.index import ProjectIndex, index_module, module_name

ANALYSIS_RECURSION_LIMIT = 20_000  # generated code nests expressions thousands deep (sympy: `1 + 1 + ... + 1`)


class Analyser:
    """The catalogue compiled once (classifier, consent vocabulary), shared by every file of a scan."""

    def __init__(self, catalog: Catalog, options: EngineOptions | None = None) -> None:
        self.catalog = catalog
        self.options = options or EngineOptions()
        self.classifier = Classifier(catalog)
        self.consent = ConsentVocabulary(catalog)
        self.hosts = HostDirectory(catalog)

    def analyse_source(
        self,
        source: bytes | str,
        path: str,
        index: ProjectIndex | None = None,
        externals: Externals | None = None,
        export: bool = False,
    ) -> FileResult:
        """Analyse one module; with `export`, its summaries for the modules that import it go in `result.summary`."""
        budget = self.options.file_timeout
        try:
            with time_budget(budget):
                return self._analyse_source(source, path, index, externals, export)
        except BudgetExceeded:
            message = f"skipped: analysing it took longer than the {budget:g} s allowed per file (--file-timeout)"
            return FileResult(path, diagnostics=[Diagnostic(path, message, kind="timeout")])

    def _analyse_source(
        self,
        source: bytes | str,
        path: str,
        index: ProjectIndex | None,
        externals: Externals | None,
        export: bool,
    ) -> FileResult:
        result = FileResult(path)
        too_deep = too_deep_for_libcst(source, path)
        if too_deep is not None:
            result.diagnostics.append(too_deep)
            return result
        try:
            module = parse_module(source)
        except cst.ParserSyntaxError as exc:
            result.diagnostics.append(_syntax_diagnostic(source, path, exc))
            return result
        except (SyntaxError, ValueError, LookupError) as exc:  # LookupError: a coding cookie naming no text codec
            result.diagnostics.append(Diagnostic(path, f"cannot parse: {exc}", 0, 0, "parse-error"))
            return result
        except RecursionError:
            result.diagnostics.append(Diagnostic(path, "skipped: nested too deeply to parse", 0, 0, "too-deep"))
            return result
        text = source if isinstance(source, str) else decode_source(source)
        name = module_name(path)
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, ANALYSIS_RECURSION_LIMIT))
        try:
            analysis = Interpreter(
                module,
                name,
                self.catalog,
                self.classifier,
                self.consent,
                self.hosts,
                self.options.include_pseudonymous,
                index,
                Path(path).name == "__init__.py",
                externals,
                self._own_index(text, path, name, index),
            )
            raws = analysis.run()
            findings = build_findings(raws, module, path, self.catalog)
            self._suppress(result, findings, text)
            if export:
                result.summary = export_module(analysis, text, path, index.dependencies(name) if index else ())
        except RecursionError:
            result.diagnostics.append(
                Diagnostic(path, "skipped: expressions nested too deeply to analyse", 0, 0, "too-deep")
            )
        finally:
            sys.setrecursionlimit(limit)
        return result

    def _own_index(self, text: str, path: str, name: str, index: ProjectIndex | None) -> ProjectIndex | None:
        """This file's classes when the project index does not hold this very file (one file given alone, a
        second file with the same module name, text that differs from the disk under flake8)."""
        entry = index.modules.get(name) if index is not None else None
        if entry is not None and (entry.path == path or Path(entry.path).resolve() == Path(path).resolve()):
            return None
        if "class " not in text:
            return None
        own = ProjectIndex()
        index_module(text, path, self.catalog, self.classifier, own)
        return own

    def _suppress(self, result: FileResult, findings: list[Finding], code: str) -> None:
        comments = parse_suppressions(code.splitlines(), noqa=self.options.honour_noqa)
        if not comments:
            result.findings = findings
            return
        applied = apply_suppressions(findings, comments, self.options.require_reason)
        result.findings = applied.kept
        result.suppressed = [(s.finding, _note(result.path, s.suppression)) for s in applied.suppressed]
        result.unused_suppressions = [_note(result.path, s) for s in unused_suppressions(comments)]
        for suppression in applied.without_reason:
            result.diagnostics.append(
                Diagnostic(
                    result.path,
                    "suppression without a reason (--require-reason)",
                    suppression.line,
                    0,
                    "suppression-without-reason",
                )
            )

    def analyse_path(
        self,
        path: Path,
        display: str,
        index: ProjectIndex | None = None,
        externals: Externals | None = None,
        export: bool = False,
    ) -> FileResult:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return FileResult(
                display, diagnostics=[Diagnostic(display, f"cannot read: {exc.strerror or exc}", kind="read-error")]
            )
        if len(data) > MAX_FILE_BYTES:
            return FileResult(
                display,
                diagnostics=[
                    Diagnostic(
                        display,
                        f"skipped: {len(data) // 1024} KiB is larger than the {MAX_FILE_BYTES // 1024} KiB limit",
                        kind="too-large",
                    )
                ],
            )
        if b"\0" in data:
            return FileResult(
                display, diagnostics=[Diagnostic(display, "skipped: binary content (NUL bytes)", kind="binary")]
            )
        try:
            text = decode_source(data)
        except (SyntaxError, ValueError, LookupError) as exc:  # ValueError covers every UnicodeError
            return FileResult(display, diagnostics=[Diagnostic(display, f"cannot decode: {exc}", kind="decode-error")])
        return self.analyse_source(text, display, index, externals, export)


def _note(path: str, suppression: Suppression) -> SuppressionNote:
    return SuppressionNote(path, suppression.line, suppression.codes, suppression.reason, suppression.kind)


def _syntax_diagnostic(source: bytes | str, path: str, exc: cst.ParserSyntaxError) -> Diagnostic:
    """Python's own compiler locates syntax errors better than LibCST's parser: ask it, on this rare path only."""
    try:
        python_ast(source)
    except SyntaxError as error:
        return Diagnostic(
            path, f"syntax error: {error.msg}", error.lineno or 0, max((error.offset or 1) - 1, 0), "parse-error"
        )
    except (ValueError, RecursionError, MemoryError):
        pass
    first = exc.message.splitlines()[0] if exc.message else "parser error"
    return Diagnostic(path, f"cannot parse ({first})", exc.raw_line, exc.raw_column, "parse-error")
