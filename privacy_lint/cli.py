"""The `privacy-lint` command line."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from privacy_lint import __version__
from privacy_lint.cache import CACHE_DIR_NAME
from privacy_lint.engine.options import DEFAULT_FILE_TIMEOUT
from privacy_lint.findings import CONFIDENCES, SEVERITIES, plural
from privacy_lint.rules import RULES

if TYPE_CHECKING:
    from privacy_lint.api import Settings
    from privacy_lint.config import Overrides

T = TypeVar("T")
EXIT_CLEAN, EXIT_USAGE = 0, 2  # the statuses `api.Checked.exit_status` gives, for the commands that end here


def _codes(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    for code in codes:
        if not any(rule.startswith(code) for rule in RULES):
            raise click.BadParameter(f"{code!r} matches no rule (rules: {', '.join(RULES)})")
    return codes


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
@click.option("--show-source", is_flag=True, help="Text: show each finding's code, its flow and a fix hint.")
@click.option("--statistics", is_flag=True, help="Count the findings per rule and per data category.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (3 still means incomplete).")
@click.option("--prune-baseline", is_flag=True, help="With --baseline: remove its stale entries from the file.")
@click.option("--stdin-filename", metavar="PATH", help="With `-` as the path: the file the buffer on stdin stands for.")
@click.option("--report-declared", is_flag=True, help="Also report transfers a recipient's declaration covers.")
@scan_options
def check(paths: tuple[str, ...], **options: Any) -> None:
    """Scan PATHS (default: the current directory) and report personal-data findings; `-` reads one file's
    buffer from stdin (name it with --stdin-filename)."""
    from privacy_lint import api
    from privacy_lint.formats import renderer
    from privacy_lint.formats.text_format import render, render_diagnostics, statistics

    o = options
    settings = _scan_settings(
        paths, o, diff_ref=o["diff_ref"], baseline=None if o["write_baseline"] else o["baseline_file"]
    )
    settings = replace(settings, require_reason=o["require_reason"])
    settings = replace(settings, report_unused_suppressions=o["report_unused_suppressions"])
    settings = replace(settings, report_declared=o["report_declared"])
    if paths == ("-",):
        checked = _run(lambda s: api.check_stdin(sys.stdin.read(), o["stdin_filename"] or "stdin", s), settings)
    else:
        checked = _run(api.check_paths, settings)
    result = checked.scan
    if not result.files and not result.missing:
        click.echo("privacy-lint: no Python files found", err=True)
    if o["write_baseline"]:
        from privacy_lint.baseline import write_baseline as record

        count = record(checked.findings, Path(o["write_baseline"]))
        click.echo(f"privacy-lint: wrote {plural(count, 'finding')} to {o['write_baseline']}", err=True)
        sys.exit(EXIT_CLEAN)
    for entry in checked.stale:
        click.echo(
            f"privacy-lint: {o['baseline_file']}: stale baseline entry (no longer found): {entry.rule} {entry.path}"
            f"{' in ' + entry.scope if entry.scope else ''}: {entry.message}",
            err=True,
        )
    if o["prune_baseline"] and o["baseline_file"] and checked.stale:
        from privacy_lint.baseline import prune

        removed = prune(Path(o["baseline_file"]), checked.stale)
        click.echo(
            f"privacy-lint: removed {plural(removed, 'stale entry', 'stale entries')} from {o['baseline_file']}",
            err=True,
        )
    diagnostics = render_diagnostics(result)
    if diagnostics:
        click.echo(diagnostics, err=True, nl=False)
    colour = _colour(o["output"])
    if o["output_format"] == "text":
        hidden = []
        if checked.hidden_by_baseline:
            hidden.append(f"{plural(checked.hidden_by_baseline, 'finding')} hidden by the baseline")
        if checked.hidden_by_diff:
            hidden.append(f"{plural(checked.hidden_by_diff, 'finding')} outside --diff")
        text = render(result, Path.cwd().as_uri(), o["show_source"], colour, hidden)
        if o["quiet"]:
            text = "".join(line + "\n" for line in text.splitlines()[:-1])
    else:
        text = renderer(o["output_format"])(result, Path.cwd().as_uri())
    if o["output"]:
        Path(o["output"]).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False, color=colour)
    if o["statistics"]:
        click.echo(statistics(checked.findings), nl=False, err=o["output_format"] != "text" and not o["output"])
    status = checked.exit_status(o["allow_incomplete"])
    sys.exit(EXIT_CLEAN if o["exit_zero"] and status == 1 else status)


def _scan_settings(paths: tuple[str, ...], o: dict[str, Any], **extra: Any) -> Settings:
    """The settings `check` and `report` share, from their options."""
    from privacy_lint import api

    return api.Settings(
        paths=paths,
        config_file=o["config_file"],
        overrides=_overrides(
            o["select"], o["ignore_codes"], o["min_severity"], o["min_confidence"], o["include_pseudonymous"]
        ),
        rule_packs=o["rule_packs"],
        exclude=o["exclude"],
        include_tests=o["include_tests"],
        jobs=o["jobs"],
        cache_dir=o["cache_dir"],
        use_cache=not o["no_cache"],
        file_timeout=o["file_timeout"],
        progress=not o["quiet"],
        debug=o["debug"],
        **extra,
    )


def _colour(output: str | None) -> bool:
    """ANSI colours on a terminal; NO_COLOR (no-color.org) turns them off, FORCE_COLOR on; never in a file."""
    if output or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def _run(step: Callable[[Settings], T], settings: Settings) -> T:
    """One step of the pipeline; a usage error is one message and exit status 2."""
    from privacy_lint.api import UsageError

    try:
        return step(settings)
    except UsageError as exc:
        _fail(str(exc))


def _overrides(
    select: str | None,
    ignore_codes: str | None,
    min_severity: str | None,
    min_confidence: str | None,
    include_pseudonymous: bool | None,
) -> Overrides:
    from privacy_lint.config import Overrides

    try:
        return Overrides(_codes(select), _codes(ignore_codes), min_severity, min_confidence, include_pseudonymous)
    except click.BadParameter as exc:
        _fail(exc.message)


def _fail(message: str) -> NoReturn:
    click.echo(f"privacy-lint: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


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
def report(paths: tuple[str, ...], **options: Any) -> None:
    """A privacy risk report for reviewers: the personal data PATHS handle, where it goes, what lacks consent."""
    from privacy_lint import api
    from privacy_lint.config import describe
    from privacy_lint.formats.text_format import render_diagnostics
    from privacy_lint.report.inventory import build_report
    from privacy_lint.report.render import RENDERERS

    checked, new = _run(api.report_paths, _scan_settings(paths, options, baseline=options["baseline_file"]))
    diagnostics = render_diagnostics(checked.scan)
    if diagnostics:
        click.echo(diagnostics, err=True, nl=False)
    root = Path(paths[0] if paths else ".")
    config = checked.config
    built = build_report(checked.scan, checked.catalog, root, describe(config), new, config.recipients)
    text = RENDERERS[options["output_format"]](built, checked.catalog)
    if options["output"]:
        Path(options["output"]).write_text(text, encoding="utf-8")
        click.echo(f"privacy-lint: wrote the {options['output_format']} report to {options['output']}", err=True)
    else:
        click.echo(text, nl=False)


@main.command(name="diff")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--base", "base_ref", metavar="REF", help="Compare with the merge base of REF (default: origin/HEAD, main)."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="markdown: a pull-request comment; json: for tools (schema_version 1).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the comparison to FILE.")
@click.option(
    "--fail-on",
    type=click.Choice(["new-recipient", "new-flow", "new-undeclared"]),
    multiple=True,
    help="Exit 1 when the change adds a recipient, a flow, or a flow no declaration covers; repeatable.",
)
@click.option("--allow-incomplete", is_flag=True, help="Exit as if every file could be analysed (3 otherwise).")
@scan_options
def diff(paths: tuple[str, ...], **options: Any) -> None:
    """What a change does with personal data: the (data, recipient) pairs it adds and removes against the merge
    base with --base, with call sites, flows and consent; recipients that appear or disappear."""
    from privacy_lint.api import EXIT_FINDINGS, EXIT_INCOMPLETE
    from privacy_lint.report.diff_render import RENDERERS
    from privacy_lint.review import diff_paths

    settings = _scan_settings(paths, {**options, "quiet": True})
    compared = _run(lambda s: diff_paths(s, options["base_ref"]), settings)
    text = RENDERERS[options["output_format"]](compared)
    if options["output"]:
        Path(options["output"]).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if compared.incomplete and not options["allow_incomplete"]:
        click.echo(f"privacy-lint: diff: {plural(len(compared.incomplete), 'file')} could not be analysed", err=True)
        sys.exit(EXIT_INCOMPLETE)
    tripped = compared.tripped(options["fail_on"])
    if tripped:
        click.echo(f"privacy-lint: diff: the change trips --fail-on {', '.join(tripped)}", err=True)
    sys.exit(EXIT_FINDINGS if tripped else EXIT_CLEAN)


@main.command(name="config")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Settings file to read.")
def show_config(paths: tuple[str, ...], config_file: str | None) -> None:
    """Print the resolved configuration for PATHS and where each value came from."""
    from privacy_lint import api
    from privacy_lint.config import describe

    config, _ = _run(api.configure, api.Settings(paths=paths, config_file=config_file, use_cache=False))
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
@click.argument("rule_id", metavar="RULE")
def explain(rule_id: str) -> None:
    """Explain RULE (an id, PRV001, or a name, personal-data-in-log): what it detects, why it matters, an
    example, and how to fix or suppress it."""
    by_name = {rule.name: rule for rule in RULES.values()}
    rule = RULES.get(rule_id.upper()) or by_name.get(rule_id.lower())
    if rule is None:
        from privacy_lint.packs.loader import close_matches

        close = close_matches(rule_id, [*RULES, *by_name], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f" (rules: {', '.join(RULES)})"
        click.echo(f"privacy-lint: error: unknown rule {rule_id!r}{hint}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(
        f"{rule.id} {rule.name}: {rule.summary}\n\n{rule.description}\n\nWhy it matters\n  {rule.why}\n\n"
        f"Example that fires\n  {rule.example}\n\nHow to fix\n  {rule.fix}\n\nHow to suppress\n  {rule.suppress}"
    )
