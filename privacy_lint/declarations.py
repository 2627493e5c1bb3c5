"""Recipients declared as policy: `[tool.privacy-lint.recipients.NAME]` records what a processor is approved for.

A transfer of declared categories to a declared recipient is *declared*: `check` stops reporting its PRV101 or
PRV102 (`--report-declared` shows it), the report shows it with the declaration. A transfer of other categories
keeps its finding, and its message says what is declared. The declared legal basis decides the consent rule for
the recipient: with `consent`, an unguarded transfer is PRV201 whatever the recipient's kind; with any other
basis, PRV201 does not apply (the declaration is the team's statement, shown in the report).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from privacy_lint.findings import SEVERITIES, Finding
from privacy_lint.packs.catalog import Catalog
from privacy_lint.packs.loader import close_matches
from privacy_lint.rules import RULES

LEGAL_BASES = ("consent", "contract", "legal-obligation", "vital-interests", "public-task", "legitimate-interests")
KEYS = ("categories", "purpose", "legal-basis", "dpa", "retention")
TRANSFERS = frozenset(r.id for r in RULES.values() if r.family == "third-party")
CONSENT_RULES = frozenset(r.id for r in RULES.values() if r.family == "consent")


class DeclarationError(Exception):
    """A declaration that cannot be used: (key, message), for a ConfigError that names the file."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Declaration:
    recipient: str  # as privacy-lint names it (the report's recipients): "Segment", "api.example.com"
    categories: tuple[str, ...]  # category ids; a parent ("user.contact") covers its children
    purpose: str = ""
    legal_basis: str = ""
    dpa: str = ""
    retention: str = ""

    def covers(self, category: str) -> bool:
        return any(category == c or category.startswith(c + ".") for c in self.categories)


def _suggest(word: str, choices: Iterable[str]) -> str:
    hint = close_matches(word, choices, n=1)
    return f" (did you mean {hint[0]!r}?)" if hint else ""


def parse_declarations(raw: Any) -> dict[str, Declaration]:
    """The `recipients` table, checked for shape; categories are checked against the catalogue later."""
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise DeclarationError("recipients", "expected a table of tables ([tool.privacy-lint.recipients.NAME])")
    found = {}
    for name, table in raw.items():
        where = f"recipients.{name}"
        for key, value in table.items():
            if key not in KEYS:
                raise DeclarationError(f"{where}.{key}", f"unknown key{_suggest(key, KEYS)}")
            wanted = list if key == "categories" else str
            if not isinstance(value, wanted) or (wanted is list and not all(isinstance(v, str) for v in value)):
                expected = "expected a list of strings" if wanted is list else "expected a string"
                raise DeclarationError(f"{where}.{key}", expected)
        if "categories" not in table:
            raise DeclarationError(f"{where}.categories", "missing required key")
        basis = table.get("legal-basis", "")
        if basis and basis not in LEGAL_BASES:
            choices = f"{', '.join(LEGAL_BASES)}{_suggest(basis, LEGAL_BASES)}"
            raise DeclarationError(f"{where}.legal-basis", f"{basis!r} is not one of {choices}")
        found[name] = Declaration(
            name,
            tuple(table["categories"]),
            table.get("purpose", ""),
            basis,
            table.get("dpa", ""),
            table.get("retention", ""),
        )
    return found


def check_categories(declarations: dict[str, Declaration], catalog: Catalog) -> None:
    """Every declared category is a category of the catalogue, or a parent of some."""
    known = set(catalog.categories)
    for name, declaration in declarations.items():
        for category in declaration.categories:
            if category not in known and not any(k.startswith(category + ".") for k in known):
                raise DeclarationError(
                    f"recipients.{name}.categories", f"unknown category {category!r}{_suggest(category, known)}"
                )


class Policy:
    """The declarations applied to findings: which transfers are declared, and what the consent rule says."""

    def __init__(self, declarations: dict[str, Declaration], catalog: Catalog) -> None:
        self.declarations = declarations
        self.catalog = catalog
        self._by_name = {name.casefold(): d for name, d in declarations.items()}

    def declaration_for(self, destination: str) -> Declaration | None:
        return self._by_name.get(destination.casefold())

    def needs_consent(self, destination: str, service: str) -> bool:
        """The declared legal basis decides; without one, the recipient's kind (the rule packs)."""
        declaration = self.declaration_for(destination)
        if declaration is not None and declaration.legal_basis:
            return declaration.legal_basis == "consent"
        return service in self.catalog.consent_services

    def declared(self, finding: Finding) -> bool:
        """A transfer every category of which its recipient's declaration lists."""
        declaration = self.declaration_for(finding.destination)
        return declaration is not None and all(declaration.covers(c) for c in finding.categories)

    def apply(self, findings: list[Finding], report_declared: bool = False) -> list[Finding]:
        if not self.declarations:
            return findings
        unconsented = {(f.path, f.span) for f in findings if f.rule in CONSENT_RULES}
        kept = []
        for finding in findings:
            declaration = self.declaration_for(finding.destination)
            if declaration is None or finding.rule not in TRANSFERS | CONSENT_RULES:
                kept.append(finding)
                continue
            if finding.rule in CONSENT_RULES:
                if declaration.legal_basis in ("", "consent"):
                    kept.append(finding)  # no basis declared: the recipient's kind decides, as without a declaration
                continue
            needs_consent = declaration.legal_basis == "consent" and not finding.guarded
            if needs_consent and (finding.path, finding.span) not in unconsented:
                kept.append(self._unconsented(finding))
            if not self.declared(finding):
                kept.append(replace(finding, message=f"{finding.message} ({self._declared_for(declaration)})"))
            elif report_declared:
                kept.append(replace(finding, message=f"{finding.message} (declared: {self.describe(declaration)})"))
        return sorted(kept, key=lambda f: (f.span.line, f.span.col, f.rule))  # the engine's order (emit)

    def describe(self, declaration: Declaration) -> str:
        parts = [declaration.purpose or "no purpose given", declaration.legal_basis or "no legal basis given"]
        return ", ".join(parts)

    def _declared_for(self, declaration: Declaration) -> str:
        labels = [self._label(c) for c in declaration.categories]
        listed = " and ".join(labels) if len(labels) <= 2 else ", ".join(labels[:-1]) + " and " + labels[-1]
        return f"{declaration.recipient} is declared for {listed or 'no category'} only"

    def _label(self, category: str) -> str:
        known = self.catalog.categories.get(category)
        return known.label if known is not None else category

    def _unconsented(self, finding: Finding) -> Finding:
        """The PRV201 an unguarded transfer gets when its recipient's declared legal basis is consent."""
        rule = next(iter(sorted(CONSENT_RULES)))
        severity = max(finding.severity, RULES[rule].severity_floor, key=SEVERITIES.index)
        message = f"{finding.message} with no consent check (declared with consent as its legal basis)"
        return replace(finding, rule=rule, severity=severity, message=message)
