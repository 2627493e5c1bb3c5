"""Scan a pinned list of popular packages (benchmarks/corpus.py, set "robustness") with the installed CLI.

    python scripts/corpus_check.py                       # writes scripts/corpus_results.md
    python scripts/corpus_check.py --findings FILE.json  # also every finding, for triage

Reports files scanned, files not analysed with their reasons, findings per rule, wall time, peak memory of the
whole process tree, and every internal error (the target is zero). scripts/corpus_findings.json holds the
findings that scripts/corpus_triage.md judged (the first run, 2026-11-29). The packages are unpacked wheels: read,
never installed or imported.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "benchmarks"))

from corpus import SETS, folders, python_files  # noqa: E402
from run import timed  # noqa: E402

from privacy_lint.findings import NOTE_KINDS  # noqa: E402

RESULTS = HERE / "corpus_results.md"


def main() -> int:
    findings_file = Path(sys.argv[sys.argv.index("--findings") + 1]) if "--findings" in sys.argv else None
    roots = folders("robustness")
    files = python_files(roots)
    cli = str(Path(sys.executable).parent / "privacy-lint")
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        command = [cli, "check", "--no-cache", "--allow-incomplete", "--format", "json", "-o", str(report)]
        seconds, peak = timed([*command, *map(str, roots)])
        data = json.loads(report.read_text())
    notes = [d for d in data["diagnostics"] if d["kind"] in NOTE_KINDS]
    diagnostics = [d for d in data["diagnostics"] if d["kind"] not in NOTE_KINDS]
    findings = data["findings"]
    internal = [d for d in diagnostics if d["kind"] == "internal-error"]
    by_package = Counter(_package(f["path"], roots) for f in findings)
    files_by_package = Counter(_package(str(f), roots) for f in files)
    lines = [
        f"# Corpus check ({date.today().isoformat()}, {os.cpu_count()} cores)",
        "",
        f"`python scripts/corpus_check.py`: {len(SETS['robustness'])} pinned packages, unpacked wheels.",
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| files scanned | {data['files_scanned']} |",
        f"| files not analysed | {len(diagnostics)} |",
        f"| internal errors | {len(internal)} |",
        f"| findings | {len(findings)} |",
        f"| wall time (default jobs) | {seconds:.1f} s |",
        f"| peak memory, all processes | {peak:.0f} MB |",
        "",
        "| rule | findings |",
        "| --- | ---: |",
        *(f"| {rule} | {n} |" for rule, n in sorted(Counter(f["rule"] for f in findings).items())),
        "",
        "| package | files | findings |",
        "| --- | ---: | ---: |",
        *(f"| {name} | {files_by_package[name]} | {by_package[name]} |" for name in sorted(files_by_package)),
        "",
        "## Files not analysed",
        "",
        *(f"- `{_short(d['path'], roots)}`: {d['kind']}: {d['message']}" for d in diagnostics),
        "",
        "## Notes (every file analysed; what the whole-project plan did not reach)",
        "",
        *(f"- `{_short(d['path'], roots)}`: {d['kind']}: {_unrooted(d['message'], roots)}" for d in notes),
        "",
    ]
    RESULTS.write_text("\n".join(lines))
    if findings_file is not None:
        for finding in findings:
            finding["path"] = _short(finding["path"], roots)
        findings_file.write_text(json.dumps(findings, indent=1, ensure_ascii=False) + "\n")
    print("\n".join(lines))
    return 1 if internal else 0


def _package(path: str, roots: list[Path]) -> str:
    for root in roots:
        if Path(path).resolve().is_relative_to(root.resolve()):
            return root.name
    return "?"


def _unrooted(message: str, roots: list[Path]) -> str:
    """A message without the corpus cache's folder in the paths it names."""
    for root in roots:
        message = message.replace(f"{root.resolve().parent}/", "")
    return message


def _short(path: str, roots: list[Path]) -> str:
    """The path inside the corpus cache: `django-5.2/django/...`."""
    resolved = Path(path).resolve()
    for root in roots:
        if resolved.is_relative_to(root.resolve()):
            return f"{root.name}/{resolved.relative_to(root.resolve()).as_posix()}"
    return path


if __name__ == "__main__":
    sys.exit(main())
