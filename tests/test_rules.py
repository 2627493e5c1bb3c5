"""Every rule is one object: its examples fire, its look-alikes stay quiet, and everything that names rules
agrees with it."""

from __future__ import annotations

import pytest

from privacy_lint.project.analyser import Analyser
from privacy_lint.rules import FAMILIES, FAMILY_OF, RULES, rules_for

CASES = [(rule.id, code, True) for rule in RULES.values() for code in rule.fires] + [
    (rule.id, code, False) for rule in RULES.values() for code in rule.quiet
]


@pytest.mark.parametrize(
    ("rule", "code", "fires"), CASES, ids=[f"{r}-{'fires' if f else 'quiet'}" for r, _, f in CASES]
)
def test_rule_examples(engine: Analyser, rule: str, code: str, fires: bool) -> None:
    found = {f.rule for f in engine.analyse_source(code, "example.py").findings}
    assert (rule in found) is fires, (rule, sorted(found))


def test_every_rule_is_described_once() -> None:
    assert {r for family in FAMILIES.values() for r in family} == set(RULES) == set(FAMILY_OF)
    assert sorted(r.risk for r in RULES.values()) == list(range(1, len(RULES) + 1))
    for rule in RULES.values():
        assert rule.fires and rule.quiet and rule.example and rule.fix and rule.id in rule.suppress


def test_each_kind_of_sink_gets_its_rules() -> None:
    consent = {"analytics"}
    assert rules_for("log", False, False, consent) == ("PRV001",)
    assert rules_for("exception", False, False, consent) == ("PRV002",)
    assert rules_for("error_monitoring", False, False, consent) == ("PRV101",)
    assert rules_for("analytics", False, False, consent) == ("PRV101", "PRV201")
    assert rules_for("analytics", False, True, consent) == ("PRV101",)
    assert rules_for("analytics", True, False, consent) == ("PRV102", "PRV201")
    assert rules_for("log", True, False, consent) == ("PRV102",)  # a raw request to a log vendor's host
