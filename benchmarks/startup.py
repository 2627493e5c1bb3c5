"""Start-up cost: one small file, end to end from the shell, as a pre-commit hook runs it.

    python benchmarks/startup.py [--runs 10]

Prints the median wall time of each command over a small sample file, next to its floors (Python itself,
importing LibCST, bare flake8).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLE = """import logging

logger = logging.getLogger(__name__)


def login(request, user):
    logger.info("login from %s", request.remote_addr)
    logger.info("user %s", user.id)
"""


def median_seconds(command: list[str], runs: int, cwd: Path) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    script = shutil.which("privacy-lint") or str(Path(sys.executable).parent / "privacy-lint")
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        (cwd / "views.py").write_text(SAMPLE)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "python -c 'import libcst'": [sys.executable, "-c", "import libcst"],
            "flake8 views.py (no PRV)": [sys.executable, "-m", "flake8", "--select", "E", "views.py"],
            "flake8 --select PRV views.py": [sys.executable, "-m", "flake8", "--select", "PRV", "views.py"],
            "privacy-lint check views.py": [script, "check", "views.py"],
        }
        for label, command in commands.items():
            print(f"{label:32} {median_seconds(command, args.runs, cwd):6.3f} s")


if __name__ == "__main__":
    main()
