"""Precision and recall per rule family on the labelled fixtures.

    python benchmarks/precision_recall.py            # print the table, update benchmarks/precision_recall.json
    python benchmarks/precision_recall.py --verbose  # also list every false positive and false negative

Corpora: `fixtures/rules` (one topic per file, written as the engine's specification), `fixtures/realistic` and
`fixtures/holdout` and `fixtures/holdout_b` (realistic services written and labelled by people who had not seen
the engine; see their READMEs). The numbers of each holdout's first run, before any change made after looking
at it, are kept in benchmarks/holdout_first_run.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from privacy_lint.fixture_labels import Tally, corpus_results, score
from privacy_lint.packs.catalog import Catalog
from privacy_lint.packs.loader import default_catalog

ROOT = Path(__file__).resolve().parents[1]
CORPORA = {
    "rules fixtures": [ROOT / "fixtures" / "rules"],
    "realistic holdout": [ROOT / "fixtures" / "realistic"],
    "unseen holdout": [ROOT / "fixtures" / "holdout"],
    "unseen holdout b": [ROOT / "fixtures" / "holdout_b"],
    "sample service": [ROOT / "fixtures" / "sample_service"],
    "multi-module projects": [ROOT / "fixtures" / "projects"],
    "multi-module projects b": [ROOT / "fixtures" / "projects_b"],
    "unseen holdout c (issue 13)": [ROOT / "fixtures" / "holdout_c"],
    "unseen holdout d (issue 13)": [ROOT / "fixtures" / "holdout_d"],
    "unseen holdout e (issue 13)": [ROOT / "fixtures" / "holdout_e"],
    "unseen holdout f (issue 13)": [ROOT / "fixtures" / "holdout_f"],
    "unseen holdout g (issue 13)": [ROOT / "fixtures" / "holdout_g"],
    "unseen holdout h (issue 13)": [ROOT / "fixtures" / "holdout_h"],
    "unseen holdout i (issue 13)": [ROOT / "fixtures" / "holdout_i"],
    "unseen holdout j (issue 13)": [ROOT / "fixtures" / "holdout_j"],
}
RESULTS = ROOT / "benchmarks" / "precision_recall.json"


def measure(catalog: Catalog, folders: list[Path]) -> dict[str, Tally]:
    """Scan each project of a corpus as the CLI does (project index included) and score it."""
    return score(corpus_results(catalog, folders))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verbose", action="store_true", help="list false positives and negatives")
    parser.add_argument("--no-write", action="store_true", help="do not update the JSON results file")
    args = parser.parse_args()
    catalog = default_catalog()
    results = {}
    print(f"{'corpus':20} {'family':12} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7}")
    for corpus, folders in CORPORA.items():
        tallies = measure(catalog, folders)
        results[corpus] = {}
        for family, tally in tallies.items():
            fp, fn = len(tally.false_positives), len(tally.false_negatives)
            print(
                f"{corpus:20} {family:12} {tally.true_positives:4} {fp:4} {fn:4} "
                f"{tally.precision:9.3f} {tally.recall:7.3f}"
            )
            results[corpus][family] = {
                "tp": tally.true_positives,
                "fp": fp,
                "fn": fn,
                "precision": round(tally.precision, 3),
                "recall": round(tally.recall, 3),
            }
            if args.verbose:
                for item in tally.false_positives:
                    print(f"    false positive: {item}")
                for item in tally.false_negatives:
                    print(f"    false negative: {item}")
    if not args.no_write:
        RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
