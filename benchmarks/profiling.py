"""Precision and recall of the consent rules (PRV201, PRV202) on the blind-labelled profiling corpus.

    python benchmarks/profiling.py                 # score the installed privacy-lint
    python benchmarks/profiling.py --record NAME   # and add the run to profiling/runs.json under NAME

The corpus (`fixtures/profiling_corpus`, its `labels.toml` and README) was written and labelled by a helper who had not
read the engine, from the issue's rule definitions only. Every sink call of the corpus is labelled with the rules
that must fire there (none for a look-alike), so a finding of either rule on any other line is a false positive.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "fixtures" / "profiling_corpus"
RUNS = HERE / "profiling" / "runs.json"
RULES = ("PRV201", "PRV202")


def findings() -> set[tuple[str, int, str]]:
    done = subprocess.run(
        [sys.executable, "-m", "privacy_lint", "check", "--no-cache", "--format", "json", "."],
        cwd=CORPUS,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"privacy-lint failed ({done.returncode}): {done.stderr}")
    data = json.loads(done.stdout)
    return {(f["path"], f["span"]["line"], f["rule"]) for f in data["findings"] if f["rule"] in RULES}


def score() -> dict[str, object]:
    labels = tomllib.loads((CORPUS / "labels.toml").read_text())["sink"]
    expected = {(s["file"], s["line"], rule) for s in labels for rule in s["expect"]}
    mismatches = {(s["file"], s["line"], rule) for s in labels if s.get("mismatch") for rule in s["expect"]}
    found = findings()
    result: dict[str, object] = {}
    for rule in (*RULES, "all"):
        wanted = {e for e in expected if rule in ("all", e[2])}
        got = {f for f in found if rule in ("all", f[2])}
        hits = wanted & got
        result[rule] = {
            "precision": round(len(hits) / len(got), 3) if got else None,
            "recall": round(len(hits) / len(wanted), 3) if wanted else None,
            "true_positives": len(hits),
            "findings": len(got),
            "expected": len(wanted),
        }
    result["mismatch_recall"] = f"{len(mismatches & found)}/{len(mismatches)}"
    result["false_positives"] = sorted(f"{p}:{line} {rule}" for p, line, rule in found - expected)
    result["missed"] = sorted(f"{p}:{line} {rule}" for p, line, rule in expected - found)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--record", metavar="NAME", help="add this run to profiling/runs.json")
    args = parser.parse_args()
    result = score()
    print(json.dumps(result, indent=2))
    if args.record:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True)
        runs = json.loads(RUNS.read_text()) if RUNS.exists() else {}
        runs[args.record] = {"date": date.today().isoformat(), "engine": commit.stdout.strip(), **result}
        RUNS.write_text(json.dumps(runs, indent=2) + "\n")


if __name__ == "__main__":
    main()
