"""privacy-lint against its peers on real code, side by side, in one run.

    python benchmarks/run.py                 # Django and the large set, 3 runs each (median); about 30 minutes
    python benchmarks/run.py --sets large --runs 1   # re-measure one set; the others keep their last rows

Corpora are pinned packages from PyPI (benchmarks/corpus.py). Tools: privacy-lint cold (`--no-cache`) with
`--jobs 1` and default jobs, warm (cache filled), through flake8 (`--select PRV`); bandit; semgrep with one
local taint rule for personal data reaching logs (offline, `--metrics=off`); `ruff check --select ALL
--no-cache` and `ast.parse` of every file as the floors. Peak memory is the largest sum of the resident memory
of a tool's whole process tree, sampled every 250 ms. bandit and semgrep are looked up beside this Python, else
installed once into a venv in the corpus cache. The script also checks that the pre-parse gate does not change
privacy-lint's findings on each corpus. It prints one Markdown table and writes it, with the date and the
machine, to benchmarks/README.md (between the RESULTS markers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from corpus import cache_dir, folders, python_files

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
RESULTS = HERE / "results.json"
BIN = Path(sys.executable).parent

SEMGREP_RULE = """rules:
  - id: personal-data-to-log
    mode: taint
    languages: [python]
    severity: WARNING
    message: personal data reaches a log
    pattern-sources:
      - pattern: $X.email
      - pattern: $X.phone
      - pattern: $REQ.remote_addr
      - pattern: $REQ.META["REMOTE_ADDR"]
      - pattern: $REQ.client.host
    pattern-sinks:
      - pattern: logging.$F(...)
      - pattern: $LOG.debug(...)
      - pattern: $LOG.info(...)
      - pattern: $LOG.warning(...)
      - pattern: $LOG.error(...)
      - pattern: print(...)
"""

SEMGREP_FLAGS = ("--metrics=off", "--disable-version-check", "--quiet", "--json", "--output", os.devnull)
RUFF_FLAGS = ("--select", "ALL", "--no-cache", "--exit-zero", "--quiet")

AST_FLOOR = (
    "import ast, sys\n"
    "for p in sys.argv[1:]:\n"
    "    try: ast.parse(open(p, 'rb').read())\n"
    "    except (SyntaxError, ValueError): pass\n"
)


@dataclass
class Measure:
    tool: str
    seconds: float
    peak_mb: float


def _tree_rss(root: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    family = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in family and pid not in family:
                family.add(pid)
                grew = True
    return sum(rss.get(pid, 0) for pid in family)


def timed(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of one run of a command."""
    peak = 0
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.25)  # reading /proc costs CPU: sample 4 times a second

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    process.wait()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return seconds, peak / 2**20


def median_of(runs: int, command: list[str], cold: Path | None = None, **kwargs: object) -> tuple[float, float]:
    """The median wall time and the peak memory of `runs` runs; `cold`: a cache folder removed before each."""
    results = []
    for _ in range(runs):
        if cold is not None:
            shutil.rmtree(cold, ignore_errors=True)
        results.append(timed(command, **kwargs))  # type: ignore[arg-type]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def flake8_measures(paths: list[str], runs: int) -> list[Measure]:
    """flake8 as a developer runs it, from the corpora's folder (where the plugin keeps its cache): without the
    plugin, with it cold and warm, and `--select PRV` cold (against `privacy-lint check`)."""
    where = Path(os.path.commonpath(paths))
    cache = where / ".privacy_lint_cache"
    flake8 = [sys.executable, "-m", "flake8", "-j", "auto", "--exit-zero", "--output-file", os.devnull]
    measures = [
        Measure("flake8 without the plugin (--extend-ignore PRV)",
                *median_of(runs, [*flake8, "--extend-ignore", "PRV", *paths], cwd=where)),
        Measure("flake8 with the plugin, cold", *median_of(runs, [*flake8, *paths], cold=cache, cwd=where)),
        Measure("flake8 with the plugin, warm", *median_of(runs, [*flake8, *paths], cwd=where)),
        Measure("flake8 --select PRV, cold",
                *median_of(runs, [*flake8, "--select", "PRV", *paths], cold=cache, cwd=where)),
    ]  # fmt: skip
    shutil.rmtree(cache, ignore_errors=True)
    for measure in measures:
        print(f"  {measure.tool}: {measure.seconds:.2f} s")
    return measures


def tool(name: str) -> str:
    """A peer tool: beside this Python, else in a venv of its own in the corpus cache (installed once)."""
    found = BIN / name
    if found.exists():
        return str(found)
    venv = cache_dir() / "tools-venv"
    if not (venv / "bin" / name).exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "bandit", "semgrep"], check=True)
    return str(venv / "bin" / name)


def count_lines(files: list[Path]) -> int:
    total = 0
    for file in files:
        with file.open("rb") as handle:
            total += sum(1 for _ in handle)
    return total


def gate_agrees(paths: list[str]) -> bool:
    """The pre-parse gate is an over-approximation: same findings with and without it."""
    from privacy_lint.packs.loader import default_catalog
    from privacy_lint.project.scan import scan

    catalog = default_catalog()
    gated = scan(paths, catalog, gate=True)
    full = scan(paths, catalog, gate=False)
    same = [r.findings for r in gated.files] == [r.findings for r in full.files]
    print(f"  gate: {gated.gated} of {len(gated.files)} files not parsed; findings identical: {same}")
    return same


def bench_set(name: str, runs: int) -> list[dict[str, object]]:
    roots = folders(name)
    paths = [str(p) for p in roots]
    files = python_files(roots)
    lines = count_lines(files)
    privacy_lint = str(BIN / "privacy-lint")
    measures: list[Measure] = []
    print(f"{name}: {len(files)} files, {lines} lines")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        rule = work / "rule.yml"
        rule.write_text(SEMGREP_RULE)
        floor = work / "floor.py"
        floor.write_text(AST_FLOOR)
        cache = work / "cache"
        commands = {
            "privacy-lint cold, --jobs 1": [privacy_lint, "check", "-q", "--no-cache", "--jobs", "1", *paths],
            "privacy-lint cold, default jobs": [privacy_lint, "check", "-q", "--no-cache", *paths],
            # the peers read test code too; privacy-lint skips it by default
            "privacy-lint cold, default jobs, --include-tests": [
                privacy_lint, "check", "-q", "--no-cache", "--include-tests", *paths,
            ],
        }  # fmt: skip
        for label, command in commands.items():
            measures.append(Measure(label, *median_of(runs, command)))
            print(f"  {label}: {measures[-1].seconds:.2f} s")
        warm = [privacy_lint, "check", "-q", "--cache-dir", str(cache), *paths]
        timed(warm)  # fill the cache
        measures.append(Measure("privacy-lint warm (cache filled)", *median_of(runs, warm)))
        peers = {
            "bandit -r -q -f json": [tool("bandit"), "-r", "-q", "-f", "json", "-o", os.devnull, *paths],
            "semgrep, one taint rule": [tool("semgrep"), "scan", "--config", str(rule), *SEMGREP_FLAGS, *paths],
            "ruff check --select ALL --no-cache": [str(BIN / "ruff"), "check", *RUFF_FLAGS, *paths],
        }
        env = {**os.environ, "SEMGREP_SEND_METRICS": "off"}
        for label, command in peers.items():
            measures.append(Measure(label, *median_of(runs, command, env=env)))
            print(f"  {label}: {measures[-1].seconds:.2f} s")
        measures += flake8_measures(paths, runs)
        file_list = work / "files.txt"
        file_list.write_text("\n".join(map(str, files)))
        ast_command = [
            sys.executable,
            "-c",
            AST_FLOOR.replace("sys.argv[1:]", f"open({str(file_list)!r}).read().split()"),
        ]
        measures.append(Measure("ast.parse of every file (floor)", *median_of(runs, ast_command)))
    reference = next(m for m in measures if m.tool == "privacy-lint cold, default jobs").seconds
    gate_ok = gate_agrees(paths)
    return [
        {
            "set": name,
            "tool": m.tool,
            "files": len(files),
            "lines": lines,
            "seconds": round(m.seconds, 2),
            "files_per_second": round(len(files) / m.seconds) if m.seconds else 0,
            "peak_mb": round(m.peak_mb),
            "ratio": round(m.seconds / reference, 2),
            "gate_agrees": gate_ok,
        }
        for m in measures
    ]


def single_file(runs: int) -> list[tuple[str, float]]:
    """One small file with a finding, from the shell: privacy-lint, flake8 without and with the plugin, the floor."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        small = work / "views.py"
        small.write_text(
            "import logging\n\nlog = logging.getLogger(__name__)\n\n\n"
            "def login(request):\n    log.info('login from %s', request.remote_addr)\n"
        )
        plain = work / "maths.py"
        plain.write_text("def add(a, b):\n    return a + b\n")
        edited = work / "edited.py"  # as in a pre-commit hook: the cache on, the file just changed
        edited.write_text(small.read_text())
        privacy_lint = BIN / "privacy-lint"
        edit_then_check = f"printf '# %s\\n' $$ >> {edited}; exec {privacy_lint} check --cache-dir cache {edited}"
        commands = {
            "privacy-lint check (one file with a finding, no cache)": [
                str(BIN / "privacy-lint"), "check", "--no-cache", str(small),
            ],
            "privacy-lint check (one file with a finding, just edited, cache on)": ["sh", "-c", edit_then_check],
            "privacy-lint check (one file without sink vocabulary)": [
                str(BIN / "privacy-lint"), "check", "--no-cache", str(plain),
            ],
            "flake8, no plugin selected": [sys.executable, "-m", "flake8", "--select", "E,W,F", str(small)],
            "flake8 --select PRV": [sys.executable, "-m", "flake8", "--select", "PRV", str(small)],
            "floor: python -c 'import libcst; libcst.parse_module(...)'": [
                sys.executable, "-c", f"import libcst; libcst.parse_module(open({str(small)!r}).read())",
            ],
        }  # fmt: skip
        return [(label, median_of(max(runs, 5), command, cwd=work)[0]) for label, command in commands.items()]


def render(rows: list[dict[str, object]], small: list[tuple[str, float]]) -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        f"Measured {date.today().isoformat()} on {os.cpu_count()} cores, {memory:.0f} GB memory, "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}.",
        "",
        "| set | tool | files | lines | wall s | files/s | peak MB | time vs privacy-lint (default jobs) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['set']} | {row['tool']} | {row['files']} | {row['lines']} | {row['seconds']} | "
            f"{row['files_per_second']} | {row['peak_mb']} | {row['ratio']} |"
        )
    gate = ", ".join(f"{s}: {'identical' if ok else 'DIFFERENT'}" for s, ok in _gate_rows(rows))
    lines += ["", f"Pre-parse gate, findings with and without it: {gate}.", "", "| one small file | wall s |"]
    lines += ["| --- | ---: |", *(f"| {label} | {seconds:.2f} |" for label, seconds in small)]
    lines += ["", *target_lines(rows, small)]
    return "\n".join(lines) + "\n"


TARGETS = (  # (what, the row measured, the row it is compared with, the largest ratio that meets the target)
    ("flake8 with the plugin vs without, warm", "flake8 with the plugin, warm",
     "flake8 without the plugin (--extend-ignore PRV)", 1.2),
    ("flake8 with the plugin vs without, cold", "flake8 with the plugin, cold",
     "flake8 without the plugin (--extend-ignore PRV)", 1.5),
    ("`flake8 --select PRV` vs `privacy-lint check`, cold", "flake8 --select PRV, cold",
     "privacy-lint cold, default jobs", 1.3),
    ("cold scan, default jobs, vs bandit", "privacy-lint cold, default jobs", "bandit -r -q -f json", 0.5),
    ("cold scan vs semgrep with one taint rule", "privacy-lint cold, default jobs", "semgrep, one taint rule", 1.0),
    ("warm re-run vs cold", "privacy-lint warm (cache filled)", "privacy-lint cold, default jobs", 0.05),
)  # fmt: skip
FLOOR = "floor: python -c 'import libcst; libcst.parse_module(...)'"


def target_lines(rows: list[dict[str, object]], small: list[tuple[str, float]]) -> list[str]:
    """Every speed and memory target of this run, met or missed: Django's rows, one file, the large set's memory."""
    seconds = {(row["set"], row["tool"]): float(row["seconds"]) for row in rows}  # type: ignore[arg-type]
    lines = ["| target (Django unless said) | measured | at most | |", "| --- | ---: | ---: | --- |"]

    def line(what: str, ratio: float, bound: float, shown: str) -> None:
        lines.append(f"| {what} | {shown} | {bound} | {'met' if ratio <= bound else 'missed'} |")

    for what, measured, against, bound in TARGETS:
        if ("django", measured) in seconds and ("django", against) in seconds:
            ratio = seconds["django", measured] / seconds["django", against]
            line(what, ratio, bound, f"{ratio:.2f}x ({seconds['django', measured]:.2f} s)")
    one = dict(small)
    if FLOOR in one:
        ratio = one["privacy-lint check (one file with a finding, no cache)"] / one[FLOOR]
        line("one small file with a finding vs the LibCST floor", ratio, 1.3, f"{ratio:.2f}x")
    tested = [row["peak_mb"] for row in rows if row["set"] == "large" and "--include-tests" in str(row["tool"])]
    peak = tested[0] if tested else None
    if peak is not None:
        line("peak memory, large set, `--include-tests` (MB)", float(peak), 400, f"{peak} MB")  # type: ignore[arg-type]
    return lines


def _gate_rows(rows: list[dict[str, object]]) -> list[tuple[object, object]]:
    return list(dict.fromkeys((row["set"], row["gate_agrees"]) for row in rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="django,large", help="comma-separated corpus sets (corpus.py)")
    parser.add_argument("--runs", type=int, default=3, help="runs per tool (the median is reported)")
    args = parser.parse_args()
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"rows": [], "single_file": []}
    sets = args.sets.split(",")
    rows = [row for row in saved["rows"] if row["set"] not in sets]  # other sets keep their last measurement
    rows += [row for name in sets for row in bench_set(name, args.runs)]
    small = single_file(args.runs)
    table = render(rows, small)
    print(table)
    RESULTS.write_text(json.dumps({"rows": rows, "single_file": small}, indent=2) + "\n")
    text = README.read_text() if README.exists() else "<!-- RESULTS -->\n<!-- /RESULTS -->\n"
    head, _, rest = text.partition("<!-- RESULTS -->")
    _, _, tail = rest.partition("<!-- /RESULTS -->")
    README.write_text(f"{head}<!-- RESULTS -->\n{table}<!-- /RESULTS -->{tail}")


if __name__ == "__main__":
    main()
