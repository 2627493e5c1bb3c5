"""Configuration: `[tool.privacy-lint]` in pyproject.toml (or `--config FILE`), validated, with the origin of
every value kept so that `privacy-lint config` can say where each one came from.

Discovery walks up from the first scanned path, like other linters, and stops at the first pyproject.toml that
has the table, or at the repository root.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from privacy_lint.cache import ResultCache
from privacy_lint.declarations import Declaration, DeclarationError, check_categories, parse_declarations
from privacy_lint.findings import CONFIDENCES, SEVERITIES, Finding
from privacy_lint.packs.catalog import SERVICES, Catalog, is_field_key
from privacy_lint.packs.loader import close_matches
from privacy_lint.rules import RULES

TABLE = "privacy-lint"


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file and the key."""

    def __init__(self, path: str, key: str, message: str) -> None:
        super().__init__(f"{path}: {key}: {message}" if key else f"{path}: {message}")


_STR, _STRS, _BOOL, _CODES_TABLE, _LEVELS, _NAMES_TABLE, _SINKS, _TABLES, _PURPOSES = (
    "a string", "a list of strings", "true or false", "a table of rule-code lists", "a table of severities",
    "a table of name lists", "an array of tables", "a table of tables", "a table of purposes",
)  # fmt: skip

KEYS: dict[str, str] = {
    "select": _STRS,
    "ignore": _STRS,
    "exclude": _STRS,
    "extend-exclude": _STRS,
    "per-file-ignores": _CODES_TABLE,
    "severity": _LEVELS,
    "min-severity": _STR,
    "min-confidence": _STR,
    "include-pseudonymous": _BOOL,
    "rule-packs": _STRS,
    "personal-data": _NAMES_TABLE,
    "person-objects": _STRS,
    "sinks": _SINKS,
    "sanitizers": _STRS,
    "consent-checks": _STRS,
    "consent-decorators": _STRS,
    "internal-hosts": _STRS,
    "recipients": _TABLES,
    "profiling-sinks": _STRS,
    "consent-required": _PURPOSES,
}
SINK_KEYS = ("calls", "destination", "service")


@dataclass
class Config:
    """Resolved settings; `origins` maps each key to where its value came from."""

    path: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] | None = None  # None: the built-in list
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    min_severity: str = "note"
    min_confidence: str = "low"
    include_pseudonymous: bool = False
    rule_packs: tuple[Path, ...] = ()
    inline_pack: dict[str, Any] = field(default_factory=dict)  # extensions, in rule-pack form
    extra_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)  # person-objects, sinks...: as written, for `config`
    recipients: dict[str, Declaration] = field(default_factory=dict)  # declared recipients (declarations.py)

    def set(self, key: str, value: Any, origin: str) -> None:
        setattr(self, key.replace("-", "_"), value)
        self.origins[key] = origin


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.privacy-lint] table, from `start` up to the repository root."""
    directory = start.resolve()
    if not directory.is_dir():
        directory = directory.parent
    for candidate in (directory, *directory.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            try:
                with pyproject.open("rb") as handle:
                    tools = tomllib.load(handle).get("tool", {})
                if TABLE in tools or _misspelt_table(tools):  # a misspelt table is an error to show
                    return pyproject
            except (OSError, tomllib.TOMLDecodeError):
                return pyproject  # a broken file near the code is an error to show, not to skip
        if (candidate / ".git").exists():
            return None
    return None


def _suggest(key: str, choices: list[str]) -> str:
    hint = close_matches(key, choices, n=1)
    return f" (did you mean {hint[0]!r}?)" if hint else ""


def _codes(path: str, key: str, values: list[str]) -> tuple[str, ...]:
    codes = tuple(v.strip().upper() for v in values)
    for code in codes:
        if not any(rule.startswith(code) for rule in RULES):
            raise ConfigError(path, key, f"{code!r} matches no rule{_suggest(code, list(RULES))}")
    return codes


def _check_type(path: str, key: str, value: Any, expected: str) -> None:
    ok = {
        _STR: isinstance(value, str),
        _STRS: isinstance(value, list) and all(isinstance(v, str) for v in value),
        _BOOL: isinstance(value, bool),
        _CODES_TABLE: isinstance(value, dict)
        and all(isinstance(v, list) and all(isinstance(c, str) for c in v) for v in value.values()),
        _LEVELS: isinstance(value, dict) and all(isinstance(v, str) for v in value.values()),
        _PURPOSES: isinstance(value, dict) and all(isinstance(v, str) for v in value.values()),
        _NAMES_TABLE: isinstance(value, dict)
        and all(isinstance(v, list) and all(isinstance(n, str) for n in v) for v in value.values()),
        _SINKS: isinstance(value, list) and all(isinstance(v, dict) for v in value),
        _TABLES: isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()),
    }[expected]
    if not ok:
        raise ConfigError(path, key, f"expected {expected}")


def _misspelt_table(tools: Any) -> str | None:
    """A `[tool.*]` table that is ours misspelt: `privacy_lint`, `privacylint`, `privacy-linter`."""
    if not isinstance(tools, dict):
        return None
    squashed = TABLE.replace("-", "")
    for name in tools:
        if (
            isinstance(name, str)
            and name != TABLE
            and name.replace("_", "").replace("-", "").lower()
            in (
                squashed,
                squashed + "er",
            )
        ):
            return name
    return None


def read_config(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "", f"invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        tools = data.get("tool", {})
        misspelt = _misspelt_table(tools) if TABLE not in tools else None
        if misspelt is not None:
            raise ConfigError(str(path), f"[tool.{misspelt}]", f"unknown table (did you mean [tool.{TABLE}]?)")
        table = tools.get(TABLE, {})
        return table if isinstance(table, dict) else {}
    return data  # a dedicated file given with --config holds the keys at the top level


TABLE_EXTENSIONS = ("consent-required",)  # extensions written as a table, not a list
EXTENSION_KEYS = (
    "person-objects", "sinks", "sanitizers", "consent-checks", "consent-decorators", "internal-hosts",
    "profiling-sinks", "consent-required",
)  # fmt: skip


def load_config(path: Path | None) -> Config:
    """Validate the file's settings; every error names the file and the key, with a suggestion where one fits."""
    config = Config(path=path)
    if path is None:
        return config
    raw = read_config(path)
    where = str(path)
    origin = path.name
    for key, value in raw.items():
        expected = KEYS.get(key)
        if expected is None:
            raise ConfigError(where, key, f"unknown key{_suggest(key, list(KEYS))}")
        _check_type(where, key, value, expected)
    base = path.parent
    if "select" in raw:
        config.set("select", _codes(where, "select", raw["select"]), origin)
    if "ignore" in raw:
        config.set("ignore", _codes(where, "ignore", raw["ignore"]), origin)
    if "exclude" in raw:
        config.set("exclude", tuple(raw["exclude"]), origin)
    if "extend-exclude" in raw:
        config.set("extend-exclude", tuple(raw["extend-exclude"]), origin)
    if "per-file-ignores" in raw:
        table = {
            glob: _codes(where, f"per-file-ignores.{glob}", codes) for glob, codes in raw["per-file-ignores"].items()
        }
        config.set("per-file-ignores", table, origin)
    if "severity" in raw:
        for rule, level in raw["severity"].items():
            if rule not in RULES:
                raise ConfigError(where, f"severity.{rule}", f"unknown rule{_suggest(rule, list(RULES))}")
            if level not in SEVERITIES:
                raise ConfigError(where, f"severity.{rule}", f"{level!r} is not one of {', '.join(SEVERITIES)}")
        config.set("severity", dict(raw["severity"]), origin)
    for key, choices in (("min-severity", SEVERITIES), ("min-confidence", CONFIDENCES)):
        if key in raw:
            if raw[key] not in choices:
                raise ConfigError(where, key, f"{raw[key]!r} is not one of {', '.join(choices)}")
            config.set(key, raw[key], origin)
    if "include-pseudonymous" in raw:
        config.set("include-pseudonymous", raw["include-pseudonymous"], origin)
    if "rule-packs" in raw:
        packs = tuple((base / p).resolve() for p in raw["rule-packs"])
        for pack in packs:
            if not pack.is_file():
                raise ConfigError(where, "rule-packs", f"no such rule pack: {pack}")
        config.set("rule-packs", packs, origin)
    if "personal-data" in raw:
        config.set("extra-names", {cat: tuple(names) for cat, names in raw["personal-data"].items()}, origin)
        config.origins["personal-data"] = origin
    if "recipients" in raw:
        try:
            config.set("recipients", parse_declarations(raw["recipients"]), origin)
        except DeclarationError as exc:
            raise ConfigError(where, exc.key, str(exc)) from None
    config.inline_pack = _inline_pack(where, raw)
    for key in EXTENSION_KEYS:
        if key in raw:
            config.origins[key] = origin
            config.extensions[key] = raw[key]
    return config


def _inline_pack(where: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The configuration's extensions in the rule-pack format, so one validator and one merge serve both."""
    pack: dict[str, Any] = {"pack": {"name": "configuration", "version": "1"}}
    sinks = []
    for index, sink in enumerate(raw.get("sinks", [])):
        for key in sink:
            if key not in SINK_KEYS:
                raise ConfigError(where, f"sinks[{index}].{key}", f"unknown key{_suggest(key, list(SINK_KEYS))}")
        for key in SINK_KEYS:
            if key not in sink:
                raise ConfigError(where, f"sinks[{index}].{key}", "missing required key")
        if sink["service"] not in SERVICES:
            raise ConfigError(
                where, f"sinks[{index}].service", f"unknown service{_suggest(sink['service'], list(SERVICES))}"
            )
        calls = [sink["calls"]] if isinstance(sink["calls"], str) else sink["calls"]
        sinks.append({"id": f"configuration-{index}", "destination": sink["destination"], "service": sink["service"],
                      "calls": calls})  # fmt: skip
    for index, function in enumerate(raw.get("profiling-sinks", [])):
        # "recs.engine:score_user" or "recs.engine.score_user": a function of the project that profiles people
        qualified = function.replace(":", ".")
        if not all(part.isidentifier() for part in qualified.split(".")):
            raise ConfigError(where, f"profiling-sinks[{index}]", f"{function!r} is not a module:function name")
        sinks.append({"id": f"configuration-profiling-{index}", "destination": qualified.rsplit(".", 1)[-1],
                      "service": "model", "calls": [qualified]})  # fmt: skip
    if sinks:
        pack["sinks"] = sinks
    if "person-objects" in raw:
        pack["classifier"] = {"person_objects": raw["person-objects"]}
    if "sanitizers" in raw:
        pack["sanitizers"] = {"calls": raw["sanitizers"]}
    consent = {}
    if "consent-checks" in raw:
        consent["checks"] = raw["consent-checks"]
    if "consent-decorators" in raw:
        consent["decorators"] = raw["consent-decorators"]
    if "consent-required" in raw:
        consent["required"] = raw["consent-required"]
    if consent:
        pack["consent"] = consent
    if "internal-hosts" in raw:
        pack["http"] = {"internal_hosts": raw["internal-hosts"]}
    return pack


@dataclass(frozen=True)
class Overrides:
    """Settings given on the command line, over the configuration file's (None or empty: not given)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    min_severity: str | None = None
    min_confidence: str | None = None
    include_pseudonymous: bool | None = None


def resolve_config(paths: tuple[str, ...], config_file: str | None, overrides: Overrides | None = None) -> Config:
    """The file's settings (found from the first path upwards, or given), then command-line overrides."""
    path = Path(config_file) if config_file else find_config(Path(paths[0] if paths else "."))
    if config_file and not Path(config_file).is_file():
        raise ConfigError(config_file, "", "no such configuration file")
    return with_overrides(load_config(path), overrides)


def with_overrides(config: Config, overrides: Overrides | None) -> Config:
    """The configuration with the command line's settings over it, their origin recorded."""
    given = {f.name: getattr(overrides, f.name) for f in fields(Overrides)} if overrides else {}
    changes = {name: value for name, value in given.items() if value is not None and value != ()}
    origins = {**config.origins, **{name.replace("_", "-"): "command line" for name in changes}}
    return replace(config, **changes, origins=origins)


def catalog_for(config: Config, extra_packs: tuple[Path, ...] = (), cache: ResultCache | None = None) -> Catalog:
    """The rule catalogue this configuration selects: built-in packs, its packs, its inline extensions."""
    from privacy_lint.packs.loader import default_catalog, load_catalog

    packs = [*config.rule_packs, *extra_packs]
    if not packs and len(config.inline_pack) <= 1 and not config.extra_names:
        catalog = load_catalog(cache=cache) if cache is not None else default_catalog()
        checked_against(catalog, config)
        return catalog
    where = f"{config.path} [tool.privacy-lint]" if config.path else "configuration"
    catalog = load_catalog(packs, [(where, config.inline_pack)], config.extra_names, where, cache)
    checked_against(catalog, config)
    return catalog


def checked_against(catalog: Catalog, config: Config) -> None:
    """What names categories and purposes (declared recipients, consent-required), against the catalogue the
    configuration selects."""
    try:
        check_categories(config.recipients, catalog)
    except DeclarationError as exc:
        raise ConfigError(str(config.path), exc.key, str(exc)) from None
    purposes = sorted(set(catalog.purpose_words.values()))
    for needed, purpose in catalog.consent_required.items():
        key = f"consent-required.{needed}"
        known = needed in catalog.categories or any(c.startswith(needed + ".") for c in catalog.categories)
        if not is_field_key(needed) and not known:
            raise ConfigError(str(config.path), key, f"unknown category{_suggest(needed, list(catalog.categories))}")
        if purpose not in purposes:
            raise ConfigError(str(config.path), key, f"unknown purpose {purpose!r}{_suggest(purpose, purposes)}")


def adjust_findings(findings: list[Finding], config: Config) -> list[Finding]:
    """Per-file ignores and per-rule severities from the configuration."""
    base = config.path.parent.resolve() if config.path else None
    kept = []
    for finding in findings:
        if config.per_file_ignores:
            candidates = {finding.path}
            absolute = Path(finding.path).resolve()
            if base is not None and absolute.is_relative_to(base):
                candidates.add(absolute.relative_to(base).as_posix())
            ignored = any(
                fnmatch.fnmatch(candidate, glob) and finding.rule.startswith(codes)
                for glob, codes in config.per_file_ignores.items()
                for candidate in candidates
            )
            if ignored:
                continue
        if finding.rule in config.severity:
            finding = replace(finding, severity=config.severity[finding.rule])
        kept.append(finding)
    return kept


def describe(config: Config) -> str:
    """The resolved configuration as TOML that can be pasted back into pyproject.toml, every value with where it
    came from as a comment (`privacy-lint config`)."""
    from privacy_lint.project.discovery import SKIPPED_DIRS

    base = config.path.parent if config.path else None
    shown: dict[str, Any] = {
        "select": list(config.select),
        "ignore": list(config.ignore),
        "exclude": sorted(config.exclude if config.exclude is not None else SKIPPED_DIRS),
        "extend-exclude": list(config.extend_exclude),
        "per-file-ignores": {glob: list(codes) for glob, codes in config.per_file_ignores.items()},
        "severity": dict(config.severity),
        "min-severity": config.min_severity,
        "min-confidence": config.min_confidence,
        "include-pseudonymous": config.include_pseudonymous,
        "rule-packs": [_relative_to(p, base) for p in config.rule_packs],
        "personal-data": {category: list(names) for category, names in config.extra_names.items()},
        **{
            key: config.extensions.get(key, {} if key in TABLE_EXTENSIONS else [])
            for key in EXTENSION_KEYS
            if key != "sinks"
        },
    }
    lines = [f"# configuration file: {config.path or 'none found (built-in defaults)'}", f"[tool.{TABLE}]"]
    for key, value in shown.items():
        origin = config.origins.get(key, "default")
        lines.append(f"{key} = {_toml(value)}  # {origin}")
    for sink in config.extensions.get("sinks", []):  # an array of tables comes after the keys
        lines += ["", f"[[tool.{TABLE}.sinks]]  # {config.origins.get('sinks', 'default')}"]
        lines += [f"{key} = {_toml(value)}" for key, value in sink.items()]
    for name, declaration in config.recipients.items():
        lines += ["", f"[tool.{TABLE}.recipients.{_toml(name)}]  # {config.origins.get('recipients', 'default')}"]
        lines.append(f"categories = {_toml(list(declaration.categories))}")
        for key in ("purpose", "legal-basis", "dpa", "retention"):
            value = getattr(declaration, key.replace("-", "_"))
            if value:
                lines.append(f"{key} = {_toml(value)}")
    return "\n".join(lines) + "\n"


def _relative_to(path: Path, base: Path | None) -> str:
    return path.relative_to(base).as_posix() if base is not None and path.is_relative_to(base) else str(path)


def _toml(value: Any) -> str:
    """A TOML value: strings, booleans, lists of them, and inline tables of those."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml(str(k))} = {_toml(v)}" for k, v in value.items()) + " }" if value else "{}"
    return str(value)
