"""What the whole-project pass costs: the plan (project index, context, import order) against a full scan.

    python benchmarks/index_cost.py [django|large]   # writes benchmarks/index_cost.json

The plan is timed in-process (median of 3) with its peak traced memory; the full scan is the installed CLI,
`--jobs 1` and default jobs, wall time of one run each. The target (issue 4): the plan costs at most 30% of a
full scan.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

from corpus import folders

from privacy_lint.packs.classify import Classifier
from privacy_lint.packs.loader import default_catalog
from privacy_lint.project.discovery import Target, discover
from privacy_lint.project.plan import plan_scan

RESULTS = Path(__file__).with_name("index_cost.json")
RUNS = 3  # for the plan; the full scans run once each (minutes on the large set)


def plan_cost(paths: list[str]) -> tuple[float, float, int, int]:
    catalog = default_catalog()
    classifier = Classifier(catalog)
    targets = [t for t in discover(paths) if isinstance(t, Target)]
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        plan = plan_scan(targets, catalog, classifier)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    plan = plan_scan(targets, catalog, classifier)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20, len(targets), max(len(g) for g in plan.groups)


def scan_time(paths: list[str], jobs: str) -> float:
    start = time.perf_counter()
    subprocess.run(["privacy-lint", "check", "-q", "--jobs", jobs, *paths], capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "large"
    paths = [str(p) for p in folders(name)]
    plan_seconds, peak_mb, files, largest_cycle = plan_cost(paths)
    serial = scan_time(paths, "1")
    parallel = scan_time(paths, "0")
    row = {
        "corpus": name,
        "files": files,
        "plan_seconds": round(plan_seconds, 2),
        "plan_peak_mb": round(peak_mb, 1),
        "largest_import_cycle": largest_cycle,
        "scan_jobs_1_seconds": round(serial, 2),
        "scan_default_jobs_seconds": round(parallel, 2),
        "plan_share_of_jobs_1_scan": round(plan_seconds / serial, 3),
        "plan_share_of_default_scan": round(plan_seconds / parallel, 3),
        "date": date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}",
    }
    print(json.dumps(row, indent=2))
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[name] = row
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
