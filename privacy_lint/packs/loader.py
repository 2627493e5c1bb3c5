"""Reading rule packs: each table checked against the schema, the packs merged into one catalogue, cached."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from privacy_lint.cache import ResultCache, digest
from privacy_lint.packs.catalog import (
    BY_METHOD_NAME,
    SENSITIVITIES,
    SERVICES,
    SETTINGS_PLACES,
    Catalog,
    Category,
    Host,
    RulePackError,
    Sink,
    tokens_of,
)

_STR = "string"
_STRS = "list of strings"
_STRMAP = "table of strings"
_INT = "integer"

# The schema: table -> key -> expected type. `[[sinks]]` and `[[hosts]]` are arrays of tables.
_SCHEMA: dict[str, dict[str, str]] = {
    "pack": {"name": _STR, "version": _STR, "description": _STR},
    "category": {"label": _STR, "sensitivity": _STR, "names": _STRS, "contextual": _STRS, "exclude": _STRS},
    "classifier": {
        "person_objects": _STRS,
        "non_person_objects": _STRS,
        "non_data_tokens": _STRS,
        "org_tokens": _STRS,
        "sanitized_tokens": _STRS,
        "boolean_prefixes": _STRS,
    },
    "sources": {
        "request_objects": _STRS,
        "request_types": _STRS,
        "attributes": _STRMAP,
        "field_types": _STRMAP,
        "object_attributes": _STRMAP,
        "parameters": _STRMAP,
        "current_person": _STRS,
    },
    "sinks": {"id": _STR, "destination": _STR, "service": _STR, "calls": _STRS, "ignore_args": _STRS},
    "types": {"returns": _STRMAP, "names": _STRMAP, "attributes": _STRMAP, "callbacks": _STRMAP, "plain_data": _STRS},
    "hosts": {"pattern": _STR, "destination": _STR, "service": _STR},
    "http": {
        "clients": _STRS,
        "requests": _STRS,
        "data_args": _STRS,
        "internal_hosts": _STRS,
        "authentication_args": _STRS,
        "authentication_categories": _STRS,
    },
    "sanitizers": {"calls": _STRS, "name_tokens": _STRS, "test_tokens": _STRS},
    "reducers": {"short_slice": _INT, "short_slice_categories": _STRS, "after_separator": _STRMAP, "parts_of": _STRMAP},
    "consent": {
        "services": _STRS,
        "checks": _STRS,
        "negative_checks": _STRS,
        "decorators": _STRS,
        "assertion_verbs": _STRS,
        "records": _STRS,
        "purposes": _STRS,
        "service_purposes": _STRMAP,
        "purpose_words": _STRMAP,
        "purpose_covers": _STRMAP,
        "required": _STRMAP,
    },
    "exceptions": {
        "ignore": _STRS,
        "logged": _STRS,
        "status_attributes": _STRS,
    },
    "flow": {"propagators": _STRS, "sql_reads": _STRS, "column_drops": _STRS, "data_views": _STRS},
    "frameworks": {
        "task_calls": _STRS,
        "model_managers": _STRS,
        "field_selections": _STRS,
        "serialisers": _STRS,
        "envelope_parts": _STRS,
        "submitted_parts": _STRS,
        "injectors": _STRS,
        "configuration_reads": _STRS,
        "field_validators": _STRS,
        "configuration_classes": _STRS,
        "configuration_names": _STRS,
        "text_forms": _STRMAP,
        "settings_objects": _STRMAP,
        "instance_senders": _STRS,
    },
}
_TOP_LEVEL = (
    "pack", "categories", "classifier", "sources", "sinks", "types", "hosts", "http", "sanitizers", "reducers",
    "consent", "exceptions", "flow", "frameworks",
)  # fmt: skip
_ARRAYS = ("sinks", "hosts")
_REQUIRED = {"sinks": ("id", "destination", "service", "calls"), "hosts": ("pattern", "destination", "service")}
_CATEGORY_ID = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\Z")


def _type_name(value: Any) -> str:
    return {str: _STR, list: "list", dict: "table", bool: "boolean", int: "integer"}.get(type(value), "value")


def _check_table(path: str, where: str, table: Any, schema: Mapping[str, str]) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise RulePackError(path, where, f"expected a table, found {_type_name(table)}")
    for key, value in table.items():
        expected = schema.get(key)
        if expected is None:
            hint = close_matches(key, schema, n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise RulePackError(path, f"{where}.{key}", f"unknown key{suggestion}")
        ok = (
            isinstance(value, int) and not isinstance(value, bool)
            if expected == _INT
            else isinstance(value, str)
            if expected == _STR
            else isinstance(value, list) and all(isinstance(v, str) for v in value)
            if expected == _STRS
            else isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        )
        if not ok:
            raise RulePackError(path, f"{where}.{key}", f"expected a {expected}, found {_type_name(value)}")
    return table


def _check_choice(path: str, where: str, value: str, choices: Iterable[str]) -> None:
    if value not in choices:
        hint = close_matches(value, list(choices), n=1)
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise RulePackError(path, where, f"unknown value {value!r}{suggestion}")


def _check_pattern(path: str, where: str, pattern: str) -> None:
    if not pattern or pattern.count("{") != pattern.count("}") or re.search(r"[^\w.*{},\s\-]", pattern):
        raise RulePackError(path, where, f"bad pattern {pattern!r}")


def merge_pack(catalog: Catalog, data: Mapping[str, Any], path: str) -> None:
    """Validate one parsed pack and add it to `catalog`; raises RulePackError naming file and key."""
    for key in data:
        if key not in _TOP_LEVEL:
            hint = close_matches(key, _TOP_LEVEL, n=1)
            raise RulePackError(path, key, "unknown table" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    pack = _check_table(path, "pack", data.get("pack", {}), _SCHEMA["pack"])
    pack_name = pack.get("name", Path(path).stem)
    catalog.packs.append((pack_name, pack.get("version", ""), path))

    categories = data.get("categories", {})
    if not isinstance(categories, dict):
        raise RulePackError(path, "categories", "expected a table of categories")
    for cat_id, raw in categories.items():
        where = f"categories.{cat_id}"
        table = _check_table(path, where, raw, _SCHEMA["category"])
        if not _CATEGORY_ID.match(cat_id):
            raise RulePackError(path, where, "category ids are dotted lower-case names such as user.contact.email")
        if cat_id in catalog.categories:
            raise RulePackError(path, where, "duplicate category id (already defined by another pack)")
        for required in ("label", "sensitivity", "names"):
            if required not in table:
                raise RulePackError(path, f"{where}.{required}", "missing required key")
        _check_choice(path, f"{where}.sensitivity", table["sensitivity"], SENSITIVITIES)
        catalog.categories[cat_id] = Category(
            id=cat_id,
            label=table["label"],
            sensitivity=table["sensitivity"],
            names=tuple(tokens_of(n) for n in table["names"]),
            contextual=tuple(tokens_of(n) for n in table.get("contextual", [])),
            exclude=tuple(tokens_of(n) for n in table.get("exclude", [])),
        )

    classifier = _check_table(path, "classifier", data.get("classifier", {}), _SCHEMA["classifier"])
    for key, values in classifier.items():
        getattr(catalog, key).update(v.lower() for v in values)

    sources = _check_table(path, "sources", data.get("sources", {}), _SCHEMA["sources"])
    catalog.request_objects.update(sources.get("request_objects", []))
    catalog.request_types.update(sources.get("request_types", []))
    for attr_path, cat_id in sources.get("attributes", {}).items():
        catalog.request_attributes[tuple(attr_path.split("."))] = cat_id
    for type_name, cat_id in sources.get("field_types", {}).items():
        _check_pattern(path, f"sources.field_types.{type_name}", type_name)
        catalog.field_types[type_name] = cat_id
    for key in ("object_attributes", "parameters"):
        for pattern, cat_id in sources.get(key, {}).items():
            _check_pattern(path, f"sources.{key}.{pattern}", pattern)
            getattr(catalog, key)[pattern] = cat_id
    for pattern in sources.get("current_person", []):
        _check_pattern(path, "sources.current_person", pattern)
    catalog.current_person.extend(sources.get("current_person", []))

    sinks = data.get("sinks", [])
    if not isinstance(sinks, list):
        raise RulePackError(path, "sinks", "expected an array of tables ([[sinks]])")
    for index, raw in enumerate(sinks):
        where = f"sinks[{index}]"
        table = _check_table(path, where, raw, _SCHEMA["sinks"])
        for required in _REQUIRED["sinks"]:
            if required not in table:
                raise RulePackError(path, f"{where}.{required}", "missing required key")
        where = f"sinks[{table['id']}]"
        if table["id"] in catalog.sinks:
            raise RulePackError(path, f"{where}.id", "duplicate sink id (already defined by another pack)")
        _check_choice(path, f"{where}.service", table["service"], SERVICES)
        for pattern in table["calls"]:
            _check_pattern(path, f"{where}.calls", pattern)
        catalog.sinks[table["id"]] = Sink(
            id=table["id"],
            destination=table["destination"],
            service=table["service"],
            calls=tuple(table["calls"]),
            ignore_args=frozenset(table.get("ignore_args", [])),
            pack=pack_name,
        )

    types = _check_table(path, "types", data.get("types", {}), _SCHEMA["types"])
    for pattern in types.get("returns", {}):
        _check_pattern(path, f"types.returns.{pattern}", pattern)
    catalog.type_returns.update(types.get("returns", {}))
    catalog.type_names.update(types.get("names", {}))
    for pattern in types.get("attributes", {}):
        _check_pattern(path, f"types.attributes.{pattern}", pattern)
    catalog.type_attributes.update(types.get("attributes", {}))
    catalog.type_callbacks.update(types.get("callbacks", {}))
    catalog.plain_data.extend(types.get("plain_data", []))

    hosts = data.get("hosts", [])
    if not isinstance(hosts, list):
        raise RulePackError(path, "hosts", "expected an array of tables ([[hosts]])")
    for index, raw in enumerate(hosts):
        where = f"hosts[{index}]"
        table = _check_table(path, where, raw, _SCHEMA["hosts"])
        for required in _REQUIRED["hosts"]:
            if required not in table:
                raise RulePackError(path, f"{where}.{required}", "missing required key")
        _check_choice(path, f"{where}.service", table["service"], SERVICES)
        catalog.hosts.append(Host(table["pattern"], table["destination"], table["service"]))

    http = _check_table(path, "http", data.get("http", {}), _SCHEMA["http"])
    for pattern in http.get("clients", []):
        _check_pattern(path, "http.clients", pattern)
    catalog.http_clients.extend(http.get("clients", []))
    for pattern in http.get("requests", []):
        _check_pattern(path, "http.requests", pattern)
    catalog.http_requests.extend(http.get("requests", []))
    catalog.http_data_args.update(http.get("data_args", []))
    catalog.internal_hosts.extend(http.get("internal_hosts", []))
    catalog.authentication_args.update(http.get("authentication_args", []))
    catalog.authentication_categories.update(http.get("authentication_categories", []))

    sanitizers = _check_table(path, "sanitizers", data.get("sanitizers", {}), _SCHEMA["sanitizers"])
    for pattern in sanitizers.get("calls", []):
        _check_pattern(path, "sanitizers.calls", pattern)
    catalog.sanitizer_calls.extend(sanitizers.get("calls", []))
    catalog.sanitizer_tokens.update(t.lower() for t in sanitizers.get("name_tokens", []))
    catalog.sanitizer_test_tokens.update(t.lower() for t in sanitizers.get("test_tokens", []))

    reducers = _check_table(path, "reducers", data.get("reducers", {}), _SCHEMA["reducers"])
    catalog.short_slice = max(catalog.short_slice, reducers.get("short_slice", 0))
    catalog.short_slice_categories.update(reducers.get("short_slice_categories", []))
    catalog.after_separator.update(reducers.get("after_separator", {}))
    catalog.parts_of.update(reducers.get("parts_of", {}))

    consent = _check_table(path, "consent", data.get("consent", {}), _SCHEMA["consent"])
    for service in consent.get("services", []):
        _check_choice(path, "consent.services", service, SERVICES)
    catalog.consent_services.update(consent.get("services", []))
    catalog.consent_checks.extend(tokens_of(c) for c in consent.get("checks", []))
    catalog.consent_negative_checks.extend(tokens_of(c) for c in consent.get("negative_checks", []))
    catalog.consent_decorators.extend(tokens_of(c) for c in consent.get("decorators", []))
    catalog.consent_assertion_verbs.update(consent.get("assertion_verbs", []))
    catalog.consent_records.update(consent.get("records", []))
    catalog.consent_purposes.update(consent.get("purposes", []))
    for service in consent.get("service_purposes", {}):
        _check_choice(path, "consent.service_purposes", service, SERVICES)
    catalog.service_purposes.update(consent.get("service_purposes", {}))
    catalog.purpose_words.update(consent.get("purpose_words", {}))
    catalog.purpose_covers.update(consent.get("purpose_covers", {}))
    catalog.consent_required.update(consent.get("required", {}))

    exceptions = _check_table(path, "exceptions", data.get("exceptions", {}), _SCHEMA["exceptions"])
    for key in ("ignore", "logged"):
        for pattern in exceptions.get(key, []):
            _check_pattern(path, f"exceptions.{key}", pattern)
    catalog.exception_ignores.extend(exceptions.get("ignore", []))
    catalog.exception_logged.extend(exceptions.get("logged", []))
    catalog.exception_status_attributes.update(exceptions.get("status_attributes", []))

    flow = _check_table(path, "flow", data.get("flow", {}), _SCHEMA["flow"])
    for pattern in flow.get("propagators", []):
        _check_pattern(path, "flow.propagators", pattern)
    catalog.propagators.extend(flow.get("propagators", []))
    catalog.sql_reads.update(flow.get("sql_reads", []))
    catalog.column_drops.update(flow.get("column_drops", []))
    catalog.data_views.update(flow.get("data_views", []))
    catalog.data_holders.update(view.rsplit(".", 1)[0] for view in flow.get("data_views", []))

    frameworks = _check_table(path, "frameworks", data.get("frameworks", {}), _SCHEMA["frameworks"])
    exact = (
        "task_calls", "model_managers", "field_selections", "serialisers", "injectors", "configuration_classes",
        "configuration_names",
    )  # fmt: skip
    for key in exact:
        getattr(catalog, key).update(frameworks.get(key, []))
    for key in ("configuration_reads", "field_validators"):
        for pattern in frameworks.get(key, []):
            _check_pattern(path, f"frameworks.{key}", pattern)
        getattr(catalog, key).extend(frameworks.get(key, []))
    for key in ("envelope_parts", "submitted_parts"):
        getattr(catalog, key).update(part.lower() for part in frameworks.get(key, []))
    for base, form in frameworks.get("text_forms", {}).items():
        attr, equals, default = form.partition("=")
        if form and not (equals and attr.isidentifier() and default.isidentifier()):
            raise RulePackError(path, f"frameworks.text_forms.{base}", 'expected "" or "ATTRIBUTE=default_field"')
        catalog.text_forms[base] = form
    for name, where in frameworks.get("settings_objects", {}).items():
        _check_choice(path, f"frameworks.settings_objects.{name}", where, SETTINGS_PLACES)
        catalog.settings_objects[name] = where
    catalog.instance_senders.update(frameworks.get("instance_senders", []))


def _check_references(catalog: Catalog, path: str) -> None:
    """Every category a pack refers to must exist once all packs are merged."""
    referenced = [
        *catalog.request_attributes.values(),
        *catalog.field_types.values(),
        *catalog.object_attributes.values(),
        *(c for c in catalog.parameters.values() if c != BY_METHOD_NAME),
        *catalog.authentication_categories,
        *catalog.short_slice_categories,
        *catalog.after_separator,
        *catalog.parts_of,
    ]
    for cat_id in referenced:
        if cat_id not in catalog.categories:
            hint = close_matches(cat_id, list(catalog.categories), n=1)
            raise RulePackError(
                path, cat_id, "unknown data category" + (f" (did you mean {hint[0]!r}?)" if hint else "")
            )


def close_matches(word: str, choices: Iterable[str], n: int) -> list[str]:
    import difflib  # only for an error message

    return difflib.get_close_matches(word, list(choices), n=n)


def builtin_pack_paths() -> list[Path]:
    """The packs shipped in the wheel (`privacy_lint/rules`), or `rules/` beside a source checkout."""
    package = Path(__file__).resolve().parents[1]
    shipped = package / "rules"
    folder = shipped if shipped.is_dir() else package.parent / "rules"
    return sorted(folder.glob("*.toml"))


def read_pack(path: Path, data: bytes | None = None) -> dict[str, Any]:
    if data is None:
        data = _pack_bytes(path)
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulePackError(str(path), "", f"invalid TOML: {exc}") from None


def _pack_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RulePackError(str(path), "", f"cannot read rule pack: {exc.strerror or exc}") from None


def _catalog_key(packs: list[tuple[Path, bytes]], tables: list[tuple[str, Mapping[str, Any]]], names: object) -> str:
    """What a built catalogue depends on: the packs' bytes, the inline tables and names, and the code of the
    classes it pickles (so an edited checkout never loads a catalogue of another shape)."""
    from privacy_lint import __version__
    from privacy_lint.packs import patterns

    code = [Path(__file__).read_bytes(), Path(patterns.__file__).read_bytes()]
    parts = [str(p).encode() + b"\0" + data for p, data in packs]
    return digest("catalog", __version__, *code, *parts, json.dumps([tables, names], sort_keys=True, default=str))


def load_catalog(
    extra: Iterable[Path] = (),
    extra_tables: Iterable[tuple[str, Mapping[str, Any]]] = (),
    extra_names: Mapping[str, Iterable[str]] | None = None,
    names_source: str = "configuration",
    cache: ResultCache | None = None,
) -> Catalog:
    """Merge the built-in packs, then user pack files, then inline tables and extra names (from configuration).

    With a cache, the merged catalogue is kept there, keyed by everything it is built from: parsing the TOML
    is most of a one-file check's own work (30 ms), loading the catalogue back takes 3 ms."""
    packs = [(path, _pack_bytes(path)) for path in [*builtin_pack_paths(), *extra]]
    tables = list(extra_tables)
    key = _catalog_key(packs, tables, {k: list(v) for k, v in (extra_names or {}).items()}) if cache else ""
    if cache is not None:
        found = cache.load(key, "catalog", Catalog)
        if found is not None:
            return found
    catalog = _build_catalog(packs, tables, extra_names, names_source)
    if cache is not None:
        cache.store(key, "catalog", catalog)
    return catalog


def _build_catalog(
    packs: list[tuple[Path, bytes]],
    extra_tables: list[tuple[str, Mapping[str, Any]]],
    extra_names: Mapping[str, Iterable[str]] | None,
    names_source: str,
) -> Catalog:
    catalog = Catalog()
    last = "rules"
    fingerprint = hashlib.sha256()
    for path, data in packs:
        pack = read_pack(path, data)
        merge_pack(catalog, pack, str(path))
        fingerprint.update(json.dumps(pack, sort_keys=True, default=str).encode())
        last = str(path)
    for where, table in extra_tables:
        merge_pack(catalog, table, where)
        fingerprint.update(json.dumps(table, sort_keys=True, default=str).encode())
        last = where
    fingerprint.update(json.dumps(dict(extra_names or {}), sort_keys=True, default=list).encode())
    catalog.fingerprint = fingerprint.hexdigest()
    if not catalog.categories:
        raise RulePackError(last, "", "no data categories loaded: the built-in rule packs are missing")
    for cat_id, names in (extra_names or {}).items():
        category = catalog.categories.get(cat_id)
        if category is None:
            hint = close_matches(cat_id, list(catalog.categories), n=1)
            raise RulePackError(
                names_source, f"personal-data.{cat_id}",
                "unknown data category" + (f" (did you mean {hint[0]!r}?)" if hint else ""),
            )  # fmt: skip
        added = tuple(tokens_of(n) for n in names)
        catalog.categories[cat_id] = replace(category, names=(*category.names, *added))
    _check_references(catalog, last)
    return catalog.freeze()


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    return load_catalog()
