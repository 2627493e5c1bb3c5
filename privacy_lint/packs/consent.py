"""Which tests are consent checks, and what their truth says about consent.

A test is summarised by two facts: `when_true` (the test being true implies consent was given) and `when_false`
(the test being false implies it). `if has_consent(u):` guards its body; `if not has_consent(u): return` guards
what follows; `if user.do_not_track:` guards its `else`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from privacy_lint.packs.catalog import Catalog
from privacy_lint.packs.classify import split_name


@dataclass(frozen=True, slots=True)
class Polarity:
    when_true: bool = False
    when_false: bool = False

    def negate(self) -> Polarity:
        return Polarity(self.when_false, self.when_true)

    @property
    def sign(self) -> int:
        """+1: the test means consent given; -1: consent refused; 0: not about consent."""
        return 1 if self.when_true else -1 if self.when_false else 0


NEUTRAL = Polarity()
GIVEN = Polarity(True, False)
REFUSED = Polarity(False, True)

_AFFIRMATIVE = {
    "true",
    "granted",
    "grant",
    "yes",
    "accepted",
    "accept",
    "allowed",
    "allow",
    "given",
    "opted_in",
    "1",
    "on",
}
_NEGATIVE = {"false", "denied", "deny", "no", "declined", "refused", "rejected", "none", "0", "off", "revoked"}


def _phrase_regex(phrases: list[tuple[str, ...]]) -> re.Pattern[str] | None:
    """One regex for a list of token phrases, matched on ` `-joined tokens with token boundaries."""
    if not phrases:
        return None
    alternatives = sorted({" ".join(p) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?:^| )(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?= |$)")


def _literal_word(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value.lower()
    if isinstance(node, cst.Attribute):
        return node.attr.value.lower()
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value.lower() if isinstance(node.evaluated_value, str) else None
    if isinstance(node, cst.Integer):
        return node.value
    return None


class ConsentVocabulary:
    def __init__(self, catalog: Catalog) -> None:
        self._checks = _phrase_regex(catalog.consent_checks)
        self._negative = _phrase_regex(catalog.consent_negative_checks)
        self._decorators = _phrase_regex(catalog.consent_decorators)
        self._assertion_verbs = frozenset(catalog.consent_assertion_verbs)
        self._records = frozenset(catalog.consent_records)
        self._purposes = frozenset(catalog.consent_purposes)
        self._cache: dict[str, Polarity] = {}

    def of_name(self, name: str) -> Polarity:
        found = self._cache.get(name)
        if found is None:
            words = " ".join(split_name(name))
            if self._negative is not None and self._negative.search(words):
                found = REFUSED
            elif (self._checks is not None and self._checks.search(words)) or self._stored_choice(name):
                found = GIVEN
            else:
                found = NEUTRAL
            self._cache[name] = found
        return found

    def is_assertion(self, name: str) -> bool:
        """`ensure_consent`, `require_marketing_consent`: a call that raises unless consent is given."""
        tokens = split_name(name.rsplit(".", 1)[-1])
        return bool(tokens) and tokens[0] in self._assertion_verbs and self.of_name(name) == GIVEN

    def _stored_choice(self, name: str) -> bool:
        """`prefs.analytics`, `consent_record.marketing`: a person's stored choice for a purpose, read from a
        record of their preferences or consents."""
        head, _, attr = name.rpartition(".")
        return bool(
            head
            and self._purposes.intersection(split_name(attr))
            and self._records.intersection(split_name(head.rsplit(".", 1)[-1]))
        )

    def is_decorator(self, name: str) -> bool:
        return self._decorators is not None and self._decorators.search(" ".join(split_name(name))) is not None

    def polarity(self, test: cst.BaseExpression, known: Callable[[cst.BaseExpression], int]) -> Polarity:
        """`known(expr)` gives the consent mark of a variable (+1/-1/0) recorded when it was assigned."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return self.polarity(test.expression, known).negate()
        if isinstance(test, cst.BooleanOperation):
            left, right = self.polarity(test.left, known), self.polarity(test.right, known)
            if isinstance(test.operator, cst.And):
                return Polarity(left.when_true or right.when_true, left.when_false and right.when_false)
            return Polarity(left.when_true and right.when_true, left.when_false or right.when_false)
        if isinstance(test, cst.Await):
            return self.polarity(test.expression, known)
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            return self._comparison(test, known)
        mark = known(test)
        if mark:
            return GIVEN if mark > 0 else REFUSED
        name = _expression_name(test)
        return self.of_name(name) if name else NEUTRAL

    def _comparison(self, test: cst.Comparison, known: Callable[[cst.BaseExpression], int]) -> Polarity:
        target = test.comparisons[0]
        op, right = target.operator, target.comparator
        if isinstance(op, (cst.In, cst.NotIn)):
            # "analytics" in accepted_cookies / consents
            base = self.polarity(right, known)
            return base if isinstance(op, cst.In) else base.negate()
        base = self.polarity(test.left, known)
        if base == NEUTRAL:
            base = self.polarity(right, known)
            right = test.left
            if base == NEUTRAL:
                return NEUTRAL
        word = _literal_word(right)
        positive_op = isinstance(op, (cst.Equal, cst.Is))
        negative_op = isinstance(op, (cst.NotEqual, cst.IsNot))
        if not (positive_op or negative_op):
            return NEUTRAL
        if word in _AFFIRMATIVE:
            return base if positive_op else base.negate()
        if word in _NEGATIVE:
            return base.negate() if positive_op else base
        # `consent.status == Consent.GRANTED` names the outcome in the right operand's consent vocabulary.
        return base if positive_op else NEUTRAL


def _expression_name(node: cst.BaseExpression) -> str:
    """The dotted name a test is about: `user.profile.marketing_opt_in`, `has_consent(...)` -> `has_consent`."""
    if isinstance(node, cst.Call):
        # `request.headers.get("Sec-GPC")`, `request.COOKIES.get("cookie_consent")`: the key names the check.
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "get" and node.args:
            key = node.args[0].value
            if isinstance(key, cst.SimpleString) and isinstance(key.evaluated_value, str):
                return f"{_expression_name(func.value)}.{key.evaluated_value}"
        return _expression_name(func)
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = _expression_name(node.value)
        return f"{inner}.{node.attr.value}" if inner else node.attr.value
    if isinstance(node, cst.Subscript):
        inner = _expression_name(node.value)
        index = node.slice[0].slice if len(node.slice) == 1 else None
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            value = index.value.evaluated_value
            if isinstance(value, str):
                return f"{inner}.{value}"
        return inner
    return ""


class Purposes:
    """The purpose a consent check names (`has_consent(user, "analytics")`, `user.marketing_opt_in`,
    `@requires_consent("personalisation")`, `Purpose.PERSONALISATION`) against the purpose of a sink: a check for
    another purpose does not count. A check that names no purpose counts for every purpose."""

    def __init__(self, catalog: Catalog) -> None:
        self._of_service = catalog.service_purposes
        self._words = catalog.purpose_words
        self._covers = catalog.purpose_covers

    def named(self, check: str) -> set[str]:
        words = (token for word in re.findall(r"[A-Za-z][A-Za-z0-9_]*", check) for token in split_name(word))
        return {self._words[token] for token in words if token in self._words}

    def mismatch(self, check: str, service: str) -> str:
        """ "" when the check counts for the sink's purpose; else the purposes it names instead, e.g. "analytics"."""
        wanted = self._of_service.get(service)
        if not wanted or self.counts_for(check, wanted):
            return ""
        return " and ".join(sorted(self.named(check)))

    def counts_for(self, check: str, purpose: str) -> bool:
        """Whether a consent check counts for `purpose`: it names it (or one that covers it), or names none."""
        named = self.named(check)
        return not named or purpose in named or any(self._covers.get(p) == purpose for p in named)

    def of_service(self, service: str) -> str:
        return self._of_service.get(service, service)
