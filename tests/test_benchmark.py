"""The acceptance bar on realistic code: every family at precision >= 0.85 and recall >= 0.80.

The corpora were written and labelled by people who had not read the engine (fixtures/*/README.md); the numbers
are also printed by benchmarks/precision_recall.py and kept in benchmarks/precision_recall.json.
"""

from __future__ import annotations

import pytest

from privacy_lint.fixture_labels import corpus_results, score
from privacy_lint.packs.loader import default_catalog

from .conftest import FIXTURES

REALISTIC = [
    "realistic", "holdout", "holdout_b", "sample_service", "projects", "projects_b",
    "holdout_c", "holdout_d", "holdout_e", "holdout_f", "holdout_g", "holdout_h", "holdout_i", "holdout_j",
]  # fmt: skip


@pytest.mark.parametrize("corpus", REALISTIC)
def test_precision_and_recall_per_family(corpus: str) -> None:
    results = corpus_results(default_catalog(), [FIXTURES / corpus])
    assert results
    tallies = score(results)
    for family, tally in tallies.items():
        assert tally.precision >= 0.85, (family, tally.false_positives)
        assert tally.recall >= 0.80, (family, tally.false_negatives)
