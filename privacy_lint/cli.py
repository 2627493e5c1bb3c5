"""The `privacy-lint` command line."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from privacy_lint import __version__
from privacy_lint.cache import CACHE_DIR_NAME
from privacy_lint.engine.options import DEFAULT_FILE_TIMEOUT
from privacy_lint.findings import CONFIDENCES, NOTE_KINDS, SEVERITIES, Finding
from privacy_lint.project.discovery import TEST_PATTERNS
from privacy_lint.rules import RULES

if TYPE_CHECKING:
    from privacy_lint.cache import ResultCache
    from privacy_lint.config import Config
    from privacy_lint.findings import ScanResult
    from privacy_lint.packs.catalog import Catalog

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


def _codes(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    for code in codes:
        if not any(rule.startswith(code) for rule in RULES):
            raise click.BadParameter(f"{code!r} matches no rule (rules: {', '.join(RULES)})")
    return codes


def selected(
    finding: Finding, select: tuple[str, ...], ignore: tuple[str, ...], min_severity: str, min_confidence: str
) -> bool:
    if select and not finding.rule.startswith(select):
        return False
    if ignore and finding.rule.startswith(ignore):
        return False
    if SEVERITIES.index(finding.severity) < SEVERITIES.index(min_severity):
        return False
    return CONFIDENCES.index(finding.confidence) >= CONFIDENCES.index(min_confidence)


# Options `check` and `report` share: what to scan, with which rules, and how.
_SCAN_OPTIONS = [
    click.option("--select", help="Only these rules (ids or prefixes, comma-separated), e.g. PRV0,PRV201."),
    click.option("--ignore", "ignore_codes", help="Skip these rules (ids or prefixes, comma-separated)."),
    click.option("--min-severity", type=click.Choice(SEVERITIES), help="Lowest severity reported (default: note)."),
    click.option("--min-confidence", type=click.Choice(CONFIDENCES), help="Lowest confidence reported (default: low)."),
    click.option(
        "--include-pseudonymous/--no-include-pseudonymous",
        default=None,
        help="Also report pseudonymous ids and usernames (user_id, distinct_id, username).",
    ),
    click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False),
        help="Settings file (default: the nearest pyproject.toml with [tool.privacy-lint]).",
    ),
    click.option(
        "--rule-pack",
        "rule_packs",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False),
        help="An extra rule pack (TOML); repeatable.",
    ),
    click.option("--exclude", multiple=True, help="Skip paths matching this gitignore-style pattern; repeatable."),
    click.option("--include-tests", is_flag=True, help="Also scan test code (tests/, test_*.py, conftest.py...)."),
    click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, help="Worker processes (0: one per CPU)."),
    click.option(
        "--cache-dir",
        type=click.Path(file_okay=False),
        help=f"Where to keep results between runs (default: {CACHE_DIR_NAME}/ in the project root).",
    ),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache."),
    click.option(
        "--file-timeout",
        type=click.FloatRange(min=0),
        default=DEFAULT_FILE_TIMEOUT,
        show_default=True,
        help="Seconds allowed per file; a slower file is skipped with a diagnostic (0: no limit).",
    ),
    click.option(
        "--debug", is_flag=True, help="Show tracebacks: of configuration errors, and in internal-error diagnostics."
    ),
]


def scan_options(command: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(_SCAN_OPTIONS):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="privacy-lint")
def main() -> None:
    """Find personal data flowing into logs, to third parties, and into tracking without consent."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif", "github", "gitlab"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the report to FILE.")
@click.option("--diff", "diff_ref", metavar="REF", help="Only findings on lines added or changed since REF.")
@click.option(
    "--write-baseline", type=click.Path(dir_okay=False), help="Record the current findings in FILE and exit 0."
)
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), help="Report only findings not in FILE.")
@click.option("--require-reason", is_flag=True, help="Only suppressions that give a reason suppress.")
@click.option("--report-unused-suppressions", is_flag=True, help="Report suppression comments that silence nothing.")
@click.option(
    "--allow-incomplete",
    is_flag=True,
    help="Exit 0/1 by findings even when some files could not be analysed (default: exit 3).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary and no progress bar.")
@scan_options
def check(
    paths: tuple[str, ...],
    output_format: str,
    output: str | None,
    select: str | None,
    ignore_codes: str | None,
    min_severity: str | None,
    min_confidence: str | None,
    include_pseudonymous: bool | None,
    config_file: str | None,
    rule_packs: tuple[str, ...],
    exclude: tuple[str, ...],
    include_tests: bool,
    diff_ref: str | None,
    write_baseline: str | None,
    baseline_file: str | None,
    require_reason: bool,
    report_unused_suppressions: bool,
    jobs: int,
    cache_dir: str | None,
    no_cache: bool,
    file_timeout: float,
    allow_incomplete: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Scan PATHS (default: the current directory) and report personal-data findings."""
    from privacy_lint.config import adjust_findings
    from privacy_lint.formats import renderer
    from privacy_lint.formats.text_format import render_diagnostics

    overrides = _overrides(select, ignore_codes, min_severity, min_confidence, include_pseudonymous)
    config, catalog = _settings(paths, config_file, overrides, rule_packs, debug, not no_cache, cache_dir)
    changed = _changed_lines(paths, diff_ref) if diff_ref else None
    if changed is not None:
        from privacy_lint.gitdiff import touches_change
    result = _run_scan(
        paths, config, catalog, exclude, include_tests, jobs, cache_dir, no_cache, file_timeout, debug, quiet,
        require_reason,
    )  # fmt: skip
    for file_result in result.files:
        file_result.findings = [
            f
            for f in adjust_findings(file_result.findings, config)
            if selected(f, config.select, config.ignore, config.min_severity, config.min_confidence)
        ]
        if changed is not None:
            file_result.findings = [f for f in file_result.findings if touches_change(f, changed)]
        if not report_unused_suppressions:
            file_result.unused_suppressions = []
    if not result.files and not result.missing:
        click.echo("privacy-lint: no Python files found", err=True)
    if write_baseline:
        from privacy_lint.baseline import write_baseline as record

        count = record(list(result.findings), Path(write_baseline))
        click.echo(f"privacy-lint: wrote {count} finding{'s' if count != 1 else ''} to {write_baseline}", err=True)
        sys.exit(EXIT_CLEAN)
    if baseline_file:
        _apply_baseline(result, Path(baseline_file))

    diagnostics = render_diagnostics(result)
    if diagnostics:
        click.echo(diagnostics, err=True, nl=False)
    text = renderer(output_format)(result, Path.cwd().as_uri())
    if output_format == "text" and quiet:
        text = "".join(line + "\n" for line in text.splitlines()[:-1])
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    has_findings = any(True for _ in result.findings) or any(r.unused_suppressions for r in result.files)
    if result.missing and not result.files:
        sys.exit(EXIT_USAGE)
    incomplete = [d for d in result.diagnostics if d.kind not in NOTE_KINDS]
    if incomplete and not allow_incomplete:
        sys.exit(EXIT_INCOMPLETE)  # some files were not analysed: a clean result would be a lie
    sys.exit(EXIT_FINDINGS if has_findings else EXIT_CLEAN)


def _changed_lines(paths: tuple[str, ...], ref: str) -> dict[Path, set[int] | None]:
    from privacy_lint.gitdiff import DiffError, changed_lines

    try:
        return changed_lines(Path(paths[0] if paths else "."), ref)
    except DiffError as exc:
        _fail(str(exc))


def _apply_baseline(result: ScanResult, path: Path) -> None:
    """Keep only findings that are not in the baseline; report its stale entries on stderr."""
    from privacy_lint.baseline import BaselineError, filter_new

    try:
        new, stale = filter_new(list(result.findings), path)
    except BaselineError as exc:
        _fail(str(exc))
    keep = {id(f) for f in new}
    for file_result in result.files:
        file_result.findings = [f for f in file_result.findings if id(f) in keep]
    for entry in stale:
        click.echo(
            f"privacy-lint: {path}: stale baseline entry (no longer found): {entry.rule} {entry.path}"
            f"{' in ' + entry.scope if entry.scope else ''}: {entry.message}",
            err=True,
        )


def _overrides(
    select: str | None,
    ignore_codes: str | None,
    min_severity: str | None,
    min_confidence: str | None,
    include_pseudonymous: bool | None,
) -> dict[str, Any]:
    try:
        return {
            "select": _codes(select),
            "ignore": _codes(ignore_codes),
            "min-severity": min_severity,
            "min-confidence": min_confidence,
            "include-pseudonymous": include_pseudonymous,
        }
    except click.BadParameter as exc:
        _fail(exc.message)


def _run_scan(
    paths: tuple[str, ...],
    config: Config,
    catalog: Catalog,
    exclude: tuple[str, ...],
    include_tests: bool,
    jobs: int,
    cache_dir: str | None,
    no_cache: bool,
    file_timeout: float,
    debug: bool,
    quiet: bool,
    require_reason: bool = False,
) -> ScanResult:
    """The scan `check` and `report` share: configuration, test code, cache, options."""
    from privacy_lint.engine.options import EngineOptions
    from privacy_lint.project.discovery import SKIPPED_DIRS
    from privacy_lint.project.scan import scan

    skipped = frozenset(config.exclude) if config.exclude is not None else SKIPPED_DIRS
    options = EngineOptions(
        include_pseudonymous=config.include_pseudonymous,
        require_reason=require_reason,
        file_timeout=file_timeout,
        debug=debug,
    )
    return scan(
        paths or (".",),
        catalog,
        options,
        jobs,
        (*config.extend_exclude, *exclude, *(() if include_tests else TEST_PATTERNS)),
        skipped,
        cache=None if no_cache else _result_cache(cache_dir, config, catalog, options),
        progress=not quiet,
    )


def _fail(message: str) -> NoReturn:
    click.echo(f"privacy-lint: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _result_cache(cache_dir: str | None, config: Config, catalog: Catalog, options: object) -> ResultCache:
    """The cache for this code, rule packs and options: in --cache-dir, else in the project's root."""
    from privacy_lint.cache import ResultCache, code_fingerprint, digest

    salt = digest(__version__, code_fingerprint(), catalog.fingerprint, repr(options))
    return ResultCache(_cache_root(cache_dir, config), salt)


def _cache_root(cache_dir: str | None, config: Config) -> Path:
    return Path(cache_dir) if cache_dir is not None else _project_root(config) / CACHE_DIR_NAME


def _project_root(config: Config) -> Path:
    """The configuration file's folder, else the nearest folder above with .git or pyproject.toml, else here."""
    if config.path is not None:
        return config.path.parent
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / ".git").exists() or (folder / "pyproject.toml").exists():
            return folder
    return here


def _settings(
    paths: tuple[str, ...],
    config_file: str | None,
    overrides: dict[str, Any],
    rule_packs: tuple[str, ...] = (),
    debug: bool = False,
    keep_catalog: bool = False,
    cache_dir: str | None = None,
) -> tuple[Config, Catalog]:
    """Configuration and the rule catalogue it selects; any error is one message and exit code 2. With
    `keep_catalog`, the built catalogue is kept in the result cache's folder."""
    from privacy_lint.cache import ResultCache
    from privacy_lint.config import ConfigError, catalog_for, resolve_config
    from privacy_lint.packs.catalog import RulePackError

    try:
        config = resolve_config(paths, config_file, overrides)
        cache = ResultCache(_cache_root(cache_dir, config), "") if keep_catalog else None
        catalog = catalog_for(config, tuple(Path(p) for p in rule_packs), cache)
    except (ConfigError, RulePackError) as exc:
        if debug:
            raise
        _fail(str(exc))
    return config, catalog


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["html", "markdown", "json", "csv"]),
    default="html",
    show_default=True,
    help="html: one self-contained file; markdown: a pull-request comment; json: the full inventory; csv: pairs.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the report to FILE.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), help="Findings in FILE are not new.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@scan_options
def report(
    paths: tuple[str, ...],
    output_format: str,
    output: str | None,
    select: str | None,
    ignore_codes: str | None,
    min_severity: str | None,
    min_confidence: str | None,
    include_pseudonymous: bool | None,
    config_file: str | None,
    rule_packs: tuple[str, ...],
    exclude: tuple[str, ...],
    include_tests: bool,
    baseline_file: str | None,
    jobs: int,
    cache_dir: str | None,
    no_cache: bool,
    file_timeout: float,
    quiet: bool,
    debug: bool,
) -> None:
    """A privacy risk report for reviewers: the personal data PATHS handle, where it goes, what lacks consent."""
    from privacy_lint.config import adjust_findings, describe
    from privacy_lint.formats.text_format import render_diagnostics
    from privacy_lint.report.inventory import build_report
    from privacy_lint.report.render import RENDERERS

    overrides = _overrides(select, ignore_codes, min_severity, min_confidence, include_pseudonymous)
    config, catalog = _settings(paths, config_file, overrides, rule_packs, debug, not no_cache, cache_dir)
    result = _run_scan(
        paths, config, catalog, exclude, include_tests, jobs, cache_dir, no_cache, file_timeout, debug, quiet
    )
    for file_result in result.files:
        file_result.findings = [
            f
            for f in adjust_findings(file_result.findings, config)
            if selected(f, config.select, config.ignore, config.min_severity, config.min_confidence)
        ]
    new: set[int] | None = None
    if baseline_file:
        from privacy_lint.baseline import BaselineError, filter_new

        try:
            fresh, _ = filter_new(list(result.findings), Path(baseline_file))
        except BaselineError as exc:
            _fail(str(exc))
        new = {id(f) for f in fresh}
    diagnostics = render_diagnostics(result)
    if diagnostics:
        click.echo(diagnostics, err=True, nl=False)
    built = build_report(result, catalog, Path(paths[0] if paths else "."), describe(config), new)
    text = RENDERERS[output_format](built, catalog)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"privacy-lint: wrote the {output_format} report to {output}", err=True)
    else:
        click.echo(text, nl=False)


@main.command(name="config")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Settings file to read.")
def show_config(paths: tuple[str, ...], config_file: str | None) -> None:
    """Print the resolved configuration for PATHS and where each value came from."""
    from privacy_lint.config import describe

    config, _ = _settings(paths, config_file, {})
    click.echo(describe(config), nl=False)


@main.command(name="rules")
@click.option("--format", "output_format", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
def list_rules(output_format: str) -> None:
    """List every rule (markdown: the full documentation, as in docs/rules.md)."""
    if output_format == "markdown":
        from privacy_lint.rules import rules_markdown

        click.echo(rules_markdown(), nl=False)
        return
    for rule in RULES.values():
        click.echo(f"{rule.id}  {rule.name:32} {rule.summary}")


@main.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Explain RULE_ID: what it detects, why it matters, an example, and how to fix or suppress it."""
    rule = RULES.get(rule_id.upper())
    if rule is None:
        click.echo(f"privacy-lint: error: unknown rule {rule_id!r} (rules: {', '.join(RULES)})", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(
        f"{rule.id} {rule.name}: {rule.summary}\n\n{rule.description}\n\nWhy it matters\n  {rule.why}\n\n"
        f"Example that fires\n  {rule.example}\n\nHow to fix or suppress\n  {rule.fix}"
    )
