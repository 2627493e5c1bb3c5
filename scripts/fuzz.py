"""Fuzz privacy-lint for longer than the test suite can afford: `python scripts/fuzz.py --examples 5000 --seed 1`.

Runs the properties of tests/test_fuzz.py, randomised rather than derandomised. An input that raises is kept and
the run goes on, so one long run reports every distinct crash rather than only the first; the shortest input
for each crash is saved under `--out` with its traceback.
"""

from __future__ import annotations

import argparse
import random
import sys
import traceback
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the strategies live in the test suite

from tests.test_fuzz import PROPERTIES, Check, as_bytes, write_tree


@dataclass
class Crash:
    name: str  # the property that raised
    value: Any  # the shortest input seen that raises this way
    traceback: str
    count: int = 1


class Campaign:
    """What the properties saw: inputs tried, diagnostics by kind, and crashes told apart by where they raise."""

    def __init__(self) -> None:
        self.tried: Counter[str] = Counter()
        self.kinds: dict[str, Counter[str]] = {name: Counter() for name in PROPERTIES}
        self.crashes: dict[tuple[str, ...], Crash] = {}

    def property(self, name: str, check: Check) -> Any:
        def run(value: Any) -> None:
            self.tried[name] += 1
            try:
                results = check(value)
            except Exception as exc:
                self._crash(name, value, exc)
            else:
                self.kinds[name].update(d.kind for result in results for d in result.diagnostics)

        return run

    def _crash(self, name: str, value: Any, exc: Exception) -> None:
        last = traceback.extract_tb(exc.__traceback__)[-1]
        signature = (name, type(exc).__name__, last.filename, str(last.lineno))
        crash = self.crashes.get(signature)
        if crash is None:
            self.crashes[signature] = Crash(name, value, "".join(traceback.format_exception(exc)))
            return
        crash.count += 1
        if _size(value) < _size(crash.value):
            crash.value, crash.traceback = value, "".join(traceback.format_exception(exc))


def _size(value: Any) -> int:
    return sum(map(len, value.values())) if isinstance(value, dict) else len(value)


def save(crash: Crash, where: Path) -> Path:
    """A module, or a folder for a project, as bytes so undecodable input is kept as it was; the traceback beside."""
    where.parent.mkdir(parents=True, exist_ok=True)
    where.with_suffix(".txt").write_text(crash.traceback)
    if isinstance(crash.value, dict):
        write_tree(where, crash.value)
        return where
    where.with_suffix(".py").write_bytes(as_bytes(crash.value))
    return where.with_suffix(".py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fuzz privacy-lint with the strategies of tests/test_fuzz.py.")
    parser.add_argument("--examples", type=int, default=1000, help="inputs per property (default: 1000)")
    parser.add_argument("--seed", type=int, help="repeat a run (default: a fresh seed, printed)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="where crashing inputs are saved")
    args = parser.parse_args(argv)
    chosen = args.seed if args.seed is not None else random.randrange(2**32)
    warnings.simplefilter("ignore", SyntaxWarning)  # generated programs such as `1()` compile with a warning
    campaign = Campaign()
    budget = settings(max_examples=args.examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    try:
        for name, (strategy, check) in PROPERTIES.items():
            seed(chosen)(budget(given(strategy)(campaign.property(name, check))))()
            parse_errors = campaign.kinds[name]["parse-error"]
            print(f"{name}: {campaign.tried[name]} tried, {parse_errors} parse-error diagnostics", flush=True)
    finally:  # an interrupted run still reports what it found
        kinds = sum(campaign.kinds.values(), Counter[str]())
        print(f"total: {campaign.tried.total()} tried, {kinds['parse-error']} parse-error diagnostics (seed {chosen})")
        print(f"diagnostics by kind: {dict(kinds.most_common())}")
        for number, crash in enumerate(campaign.crashes.values(), start=1):
            saved = save(crash, args.out / f"crash-{number}-{crash.name.replace(' ', '-')}")
            print(f"\ncrash {number} in {crash.name}, {crash.count} time(s), shortest input saved to {saved}")
            print(crash.traceback, end="")
        print(f"{len(campaign.crashes)} distinct crash(es)")
    return 1 if campaign.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
