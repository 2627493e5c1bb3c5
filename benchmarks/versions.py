"""What a change costs: two privacy-lint installations side by side, in one run, on the same corpora.

    python benchmarks/versions.py --previous /path/to/venv-of-main/bin/privacy-lint
    python benchmarks/versions.py --previous OLD --sets django --runs 3

Each installation scans each set cold (`--no-cache`, default jobs), `--runs` times, one installation after the
other; the table gives the median wall time, the peak memory of the whole process tree, the findings and the
diagnostics. Install the previous version into a venv of its own first:

    git worktree add /tmp/prev main && python -m venv /tmp/prev-venv && /tmp/prev-venv/bin/pip install /tmp/prev

Results go to benchmarks/versions.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

from corpus import folders
from run import timed

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "versions.json"


def measure(cli: str, roots: list[Path], runs: int) -> dict[str, object]:
    times, peaks = [], []
    report: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "report.json"
        for _ in range(runs):
            command = [cli, "check", "--no-cache", "--allow-incomplete", "--format", "json", "-o", str(out)]
            seconds, peak = timed([*command, *map(str, roots)])
            times.append(seconds)
            peaks.append(peak)
        report = json.loads(out.read_text())
    findings = report["findings"]
    diagnostics = report["diagnostics"]
    assert isinstance(findings, list) and isinstance(diagnostics, list)
    return {
        "seconds": round(statistics.median(times), 1),
        "peak_mb": round(max(peaks)),
        "findings": len(findings),
        "by_rule": dict(sorted(Counter(f["rule"] for f in findings).items())),
        "diagnostics": dict(sorted(Counter(d["kind"] for d in diagnostics).items())),
        "files": report["files_scanned"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--previous", required=True, help="the other installation's privacy-lint executable")
    parser.add_argument("--current", default=str(Path(sys.executable).parent / "privacy-lint"))
    parser.add_argument("--sets", default="django,large", help="comma-separated corpus sets (corpus.py)")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    print("| set | version | wall s | peak MB | files | findings | diagnostics |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for name in args.sets.split(","):
        roots = folders(name)
        rows = {}
        for label, cli in (("previous", args.previous), ("current", args.current)):
            rows[label] = row = measure(cli, roots, args.runs)
            print(
                f"| {name} | {label} | {row['seconds']} | {row['peak_mb']} | {row['files']} | {row['findings']} "
                f"| {row['diagnostics'] or '-'} |",
                flush=True,
            )
        results[name] = rows
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
