"""The pipeline every front end uses: settings in, results out.

`check_paths` scans the paths and applies every filter after the scan: the configuration's per-file ignores and
severities, the rule selection, `--diff`, the baseline and the unused-suppression report. It returns a new
`Checked` and never edits what the scan returned; `Checked.exit_status` says how the run ends.
`check_source` analyses one buffer as its project sees it (editors, the flake8 plugin) and filters it the same
way. `report_paths` gives what the reviewer's report is built from. `privacy-lint check`, `privacy-lint report`
and the flake8 plugin are thin adapters over these functions.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from privacy_lint import __version__
from privacy_lint.cache import CACHE_DIR_NAME, ResultCache, code_fingerprint, digest
from privacy_lint.config import (
    Config,
    ConfigError,
    Overrides,
    adjust_findings,
    catalog_for,
    find_config,
    load_config,
    resolve_config,
    with_overrides,
)
from privacy_lint.declarations import Policy
from privacy_lint.engine.options import DEFAULT_FILE_TIMEOUT, EngineOptions
from privacy_lint.findings import CONFIDENCES, NOTE_KINDS, SEVERITIES, FileResult, Finding, ScanResult
from privacy_lint.packs.catalog import Catalog, RulePackError

if TYPE_CHECKING:
    from privacy_lint.baseline import StaleEntry
    from privacy_lint.project.analyser import Analyser
    from privacy_lint.project.shared import SharedProject  # imports LibCST: a gated one-file check never does

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


class UsageError(Exception):
    """Settings, a file or a reference that cannot be used: one message, and exit status 2."""


@dataclass(frozen=True)
class Settings:
    """What a run is asked to do; every front end builds one. Defaults are those of `privacy-lint check`."""

    paths: tuple[str, ...] = ()
    config_file: str | None = None
    overrides: Overrides = field(default_factory=Overrides)  # the command line's, over the configuration's
    rule_packs: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    include_tests: bool = False
    jobs: int = 0  # worker processes, 0: one per CPU
    cache_dir: str | None = None  # default: CACHE_DIR_NAME in the project's root
    use_cache: bool = True
    file_timeout: float = DEFAULT_FILE_TIMEOUT
    require_reason: bool = False  # only suppressions that give a reason suppress
    report_unused_suppressions: bool = False
    diff_ref: str | None = None  # only findings on lines changed since this git reference
    baseline: str | None = None  # only findings not recorded in this baseline file
    progress: bool = False
    report_declared: bool = False  # also report transfers within a declared recipient's declaration
    debug: bool = False  # configuration errors raise; internal-error diagnostics carry their traceback


@dataclass(frozen=True)
class Checked:
    """A run's results after every filter; `scan` holds the findings that are reported."""

    scan: ScanResult
    config: Config
    catalog: Catalog
    stale: tuple[StaleEntry, ...] = ()  # baseline entries that matched no finding
    hidden_by_baseline: int = 0
    hidden_by_diff: int = 0

    @property
    def findings(self) -> list[Finding]:
        return list(self.scan.findings)

    def exit_status(self, allow_incomplete: bool = False) -> int:
        """0 clean, 1 findings (or unused suppressions reported), 2 nothing could be scanned, 3 some files
        could not be analysed (unless `allow_incomplete`: a clean result would then be a lie)."""
        if self.scan.missing and not self.scan.files:
            return EXIT_USAGE
        if not allow_incomplete and any(d.kind not in NOTE_KINDS for d in self.scan.diagnostics):
            return EXIT_INCOMPLETE
        found = any(True for _ in self.scan.findings) or any(r.unused_suppressions for r in self.scan.files)
        return EXIT_FINDINGS if found else EXIT_CLEAN


# ---------------------------------------------------------------------------------------- settings
def configure(settings: Settings) -> tuple[Config, Catalog]:
    """The configuration and the rule catalogue it selects; with the cache on, the built catalogue is kept in
    the cache's folder. Any error is a `UsageError` (with `debug`, the original exception)."""
    try:
        config = resolve_config(settings.paths, settings.config_file, settings.overrides)
        cache = ResultCache(cache_root(settings.cache_dir, config), "") if settings.use_cache else None
        return config, catalog_for(config, tuple(Path(p) for p in settings.rule_packs), cache)
    except (ConfigError, RulePackError) as exc:
        if settings.debug:
            raise
        raise UsageError(str(exc)) from None


def project_root(config: Config, start: Path | None = None) -> Path:
    """The configuration file's folder, else the nearest folder from `start` (default: here) up that holds
    `.git` or `pyproject.toml`, else `start`. The CLI, the cache and the flake8 plugin all use this one."""
    if config.path is not None:
        return config.path.parent
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists() or (folder / "pyproject.toml").exists():
            return folder
    return here


def cache_root(cache_dir: str | None, config: Config) -> Path:
    return Path(cache_dir) if cache_dir is not None else project_root(config) / CACHE_DIR_NAME


def result_cache(folder: Path, catalog: Catalog, options: EngineOptions) -> ResultCache:
    """The result cache in `folder` for this code, these rule packs and these options (its salt)."""
    return ResultCache(folder, digest(__version__, code_fingerprint(), catalog.fingerprint, repr(options)))


def engine_options(settings: Settings, config: Config, honour_noqa: bool = True) -> EngineOptions:
    return EngineOptions(
        include_pseudonymous=config.include_pseudonymous,
        require_reason=settings.require_reason,
        honour_noqa=honour_noqa,
        file_timeout=settings.file_timeout,
        debug=settings.debug,
    )


# ---------------------------------------------------------------------------------------- filters
def reported(finding: Finding, config: Config, min_confidence: str | None = None) -> bool:
    """Whether the rule selection and the severity and confidence floors keep a finding."""
    if config.select and not finding.rule.startswith(config.select):
        return False
    if config.ignore and finding.rule.startswith(config.ignore):
        return False
    if SEVERITIES.index(finding.severity) < SEVERITIES.index(config.min_severity):
        return False
    floor = max(config.min_confidence, min_confidence or "low", key=CONFIDENCES.index)
    return CONFIDENCES.index(finding.confidence) >= CONFIDENCES.index(floor)


def filter_findings(
    findings: Iterable[Finding],
    config: Config,
    catalog: Catalog,
    min_confidence: str | None = None,
    report_declared: bool = False,
) -> list[Finding]:
    """The declared recipients' policy (declarations.py), the configuration's per-file ignores and severities,
    then the selection: what every front end reports of a file's findings."""
    declared = Policy(config.recipients, catalog).apply(list(findings), report_declared)
    return [f for f in adjust_findings(declared, config) if reported(f, config, min_confidence)]


# ---------------------------------------------------------------------------------------- runs
def scan_paths(settings: Settings, config: Config, catalog: Catalog) -> ScanResult:
    """The scan `check` and `report` share: test code, excludes, the cache and the engine's options."""
    from privacy_lint.project.discovery import SKIPPED_DIRS, TEST_PATTERNS
    from privacy_lint.project.scan import scan

    options = engine_options(settings, config)
    cache = result_cache(cache_root(settings.cache_dir, config), catalog, options) if settings.use_cache else None
    skipped = frozenset(config.exclude) if config.exclude is not None else SKIPPED_DIRS
    excluded = (*config.extend_exclude, *settings.exclude, *(() if settings.include_tests else TEST_PATTERNS))
    return scan(
        settings.paths or (".",),
        catalog,
        options,
        settings.jobs,
        excluded,
        skipped,
        cache=cache,
        progress=settings.progress,
    )


def check_paths(settings: Settings) -> Checked:
    """Scan, then every filter after the scan; raises `UsageError` for bad settings, a bad --diff reference or
    an unreadable baseline."""
    config, catalog = configure(settings)
    changed = _changed_lines(settings) if settings.diff_ref else None
    scanned = scan_paths(settings, config, catalog)
    files = []
    hidden_by_diff = 0
    for result in scanned.files:
        findings = filter_findings(result.findings, config, catalog, report_declared=settings.report_declared)
        if changed is not None:
            from privacy_lint.gitdiff import touches_change

            kept = [f for f in findings if touches_change(f, changed)]
            hidden_by_diff += len(findings) - len(kept)
            findings = kept
        unused = result.unused_suppressions if settings.report_unused_suppressions else []
        files.append(replace(result, findings=findings, unused_suppressions=unused))
    checked = Checked(replace(scanned, files=files), config, catalog, hidden_by_diff=hidden_by_diff)
    return _against_baseline(checked, Path(settings.baseline)) if settings.baseline else checked


def report_paths(settings: Settings) -> tuple[Checked, frozenset[Finding] | None]:
    """What the reviewer's report is built from: the filtered findings, and those not in the baseline (None
    without a baseline: every finding is new). The baseline does not hide findings from the report."""
    config, catalog = configure(settings)
    scanned = scan_paths(settings, config, catalog)
    # declared transfers stay: the report shows them with their declaration
    files = [
        replace(r, findings=filter_findings(r.findings, config, catalog, report_declared=True)) for r in scanned.files
    ]
    checked = Checked(replace(scanned, files=files), config, catalog)
    if not settings.baseline:
        return checked, None
    return checked, frozenset(_against_baseline(checked, Path(settings.baseline)).findings)


def _against_baseline(checked: Checked, path: Path) -> Checked:
    from privacy_lint.baseline import BaselineError, filter_new

    try:
        new, stale = filter_new(checked.findings, path)
    except BaselineError as exc:
        raise UsageError(str(exc)) from None
    keep = {id(f) for f in new}  # the very findings filter_new kept (two alike may be one new, one known)
    files = [replace(r, findings=[f for f in r.findings if id(f) in keep]) for r in checked.scan.files]
    hidden = len(checked.findings) - len(new)
    # checking some files (as pre-commit does) says nothing of the entries of the others
    base = path.resolve().parent
    scanned = {Path(os.path.relpath(Path(r.path).resolve(), base)).as_posix() for r in checked.scan.files}
    stale = [entry for entry in stale if entry.path in scanned]
    return replace(checked, scan=replace(checked.scan, files=files), stale=tuple(stale), hidden_by_baseline=hidden)


def _changed_lines(settings: Settings) -> dict[Path, set[int] | None]:
    from privacy_lint.gitdiff import DiffError, changed_lines

    assert settings.diff_ref is not None
    try:
        return changed_lines(Path(settings.paths[0] if settings.paths else "."), settings.diff_ref)
    except DiffError as exc:
        raise UsageError(str(exc)) from None


# ---------------------------------------------------------------------------------------- one buffer
def check_source(
    source: str,
    filename: str,
    include_pseudonymous: bool = False,
    min_confidence: str | None = None,
    honour_noqa: bool = False,
    overrides: Overrides | None = None,
    use_cache: bool = True,
    planned: tuple[str, ...] = (),
) -> list[Finding]:
    """The findings of one buffer, as `privacy-lint check` would report them in its project: configured by the
    nearest `[tool.privacy-lint]` table, seeing the summaries of the project modules it imports, filtered like
    a scan's. Raises `ConfigError` or `RulePackError` for a configuration that cannot be used. `# noqa` is
    left to the caller unless `honour_noqa` (flake8 applies it itself); `# privacy-lint: ignore[...]` applies.
    `planned`: the paths a `prefill` scanned, planned alike so that its cache entries answer (default: the
    whole project)."""
    found = _source_result(
        source, filename, include_pseudonymous, min_confidence, honour_noqa, overrides, use_cache, planned=planned
    )
    return found.findings


def prefill(paths: tuple[str, ...], include_tests: bool, include_pseudonymous: bool, jobs: int = 0) -> bool:
    """Fill the result cache for `paths` with one scan, spread over cores, before a tool that checks one file per
    call (flake8's workers) asks for them: each call is then a cache hit, instead of every worker analysing the
    import closure of its files, big import cycles included, on its own. False when nothing could be filled (a
    configuration error, which each file's check reports, or a cache that cannot be written)."""
    overrides = Overrides(include_pseudonymous=include_pseudonymous or None)  # None: as the configuration says
    settings = Settings(paths=paths, include_tests=include_tests, jobs=jobs, overrides=overrides)
    try:
        check_paths(settings)
    except (UsageError, OSError):
        return False
    return True


def check_stdin(source: str, filename: str, settings: Settings) -> Checked:
    """`privacy-lint check - --stdin-filename PATH`: one buffer, reported like a scan of that one file."""
    try:
        analyser, config = _configured(_config_for(_directory_of(filename)), False)
        result = _source_result(
            source, filename, False, None, True, settings.overrides, settings.use_cache, settings.report_declared
        )
    except (ConfigError, RulePackError) as exc:
        if settings.debug:
            raise
        raise UsageError(str(exc)) from None
    unused = result.unused_suppressions if settings.report_unused_suppressions else []
    checked = ScanResult(files=[replace(result, unused_suppressions=unused)])
    return Checked(checked, with_overrides(config, settings.overrides), analyser.catalog)


def _directory_of(filename: str) -> Path:
    return Path(filename).resolve().parent if filename not in ("-", "stdin") else Path.cwd()


def _source_result(
    source: str,
    filename: str,
    include_pseudonymous: bool,
    min_confidence: str | None,
    honour_noqa: bool,
    overrides: Overrides | None,
    use_cache: bool,
    report_declared: bool = False,
    planned: tuple[str, ...] = (),
) -> FileResult:
    """One buffer's result, from the result cache `privacy-lint check` fills when its file and the files it
    depends on are unchanged (a hit costs no parse), else analysed with the summaries of the modules it imports
    (themselves read from the cache where it holds them) and stored there for the next run of either tool."""
    directory = _directory_of(filename)
    config_path = _config_for(directory)
    pseudonymous = include_pseudonymous or bool(overrides and overrides.include_pseudonymous)
    analyser, config = _configured(config_path, pseudonymous)
    config = with_overrides(config, overrides)
    project = _project(_root_for(config, directory), config_path, pseudonymous, filename, use_cache, planned)
    result = project.result_of(source, filename)
    findings = result.findings
    if not honour_noqa:  # the caller applies noqa comments itself (flake8): give it what they silenced
        noqa = [finding for finding, note in result.suppressed if note.kind == "noqa"]
        findings = sorted([*findings, *noqa], key=lambda f: (f.span.line, f.span.col, f.rule))
    return replace(
        result, findings=filter_findings(findings, config, analyser.catalog, min_confidence, report_declared)
    )


@lru_cache(maxsize=256)
def _config_for(directory: Path) -> Path | None:
    return find_config(directory)


@lru_cache(maxsize=16)
def _configured(config_path: Path | None, include_pseudonymous: bool) -> tuple[Analyser, Config]:
    """The analyser and configuration for one configuration file, built once per process, with the options of
    `privacy-lint check`: results are shared with it through the result cache."""
    from privacy_lint.project.analyser import Analyser

    config = load_config(config_path)
    if include_pseudonymous:
        config = replace(config, include_pseudonymous=True)
    return Analyser(catalog_for(config), engine_options(Settings(), config)), config


@lru_cache(maxsize=4)
def _projects(
    root: Path, config_path: Path | None, include_pseudonymous: bool, use_cache: bool, planned: tuple[str, ...] = ()
) -> dict[Path | None, SharedProject]:
    """The project planned as `privacy-lint check` plans it (the first pass read from the result cache where
    it holds the files' entries), once per process on first use; one plan per group of source roots that a
    scan plans apart (project.plan.partitions), by source root."""
    from privacy_lint.project.discovery import Target, discover
    from privacy_lint.project.index import source_root
    from privacy_lint.project.plan import partitions, plan_scan
    from privacy_lint.project.shared import SharedProject

    analyser, _ = _configured(config_path, include_pseudonymous)
    cache = _shared_cache(root, analyser) if use_cache else None
    where = os.path.relpath(root)  # displayed as a scan from here displays them: the cache's keys name them so
    targets = [t for t in discover(list(planned) or [where]) if isinstance(t, Target)]
    found: dict[Path | None, SharedProject] = {}
    for part in partitions(targets):
        shared = SharedProject(plan_scan(part, analyser.catalog, analyser.classifier, cache), analyser, cache)
        for target in part:
            found.setdefault(source_root(target.display), shared)
    return found


def _shared_cache(root: Path, analyser: Analyser) -> ResultCache | None:
    """The result cache `privacy-lint check` uses in this project, under the same salt; None when the folder
    cannot be created (a read-only checkout): everything is computed then."""
    cache = result_cache(root / CACHE_DIR_NAME, analyser.catalog, analyser.options)
    try:
        cache.folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return cache


def _root_for(config: Config, directory: Path) -> Path:
    """The project a buffer belongs to: found from the working directory when the file is under it, as a scan
    from there finds it (a tool runs from the project's root), else from the file's own folder."""
    here = Path.cwd().resolve()
    return project_root(config, here if directory.is_relative_to(here) else directory)


def _project(
    root: Path,
    config_path: Path | None,
    include_pseudonymous: bool,
    filename: str,
    use_cache: bool = True,
    planned: tuple[str, ...] = (),
) -> SharedProject:
    from privacy_lint.project.index import ProjectIndex, source_root
    from privacy_lint.project.plan import Plan
    from privacy_lint.project.shared import SharedProject

    projects = _projects(root, config_path, include_pseudonymous, use_cache, planned)
    analyser, _ = _configured(config_path, include_pseudonymous)
    first = next(iter(projects.values()), None) or SharedProject(Plan(ProjectIndex(), [], [], [], []), analyser, None)
    return projects.get(source_root(filename), first)
