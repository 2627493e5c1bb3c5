from __future__ import annotations

from pathlib import Path

import pytest

from privacy_lint.cache import ResultCache
from privacy_lint.packs.catalog import RulePackError
from privacy_lint.packs.loader import builtin_pack_paths, load_catalog


def test_builtin_packs_load() -> None:
    catalog = load_catalog()
    assert len(catalog.categories) >= 15
    assert len([s for s in catalog.sinks.values() if s.service not in ("log", "exception")]) >= 30
    assert {"user.contact.email", "user.device.ip_address", "user.health_and_medical"} <= set(catalog.categories)
    special = {c.id for c in catalog.categories.values() if c.sensitivity == "special"}
    assert "user.health_and_medical" in special and "user.biometric" in special


def test_builtin_packs_are_found() -> None:
    names = {p.name for p in builtin_pack_paths()}
    assert {"categories.toml", "logging.toml", "third_parties.toml", "consent.toml"} <= names


def _pack(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "extra.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "key", "hint"),
    [
        (
            '[[sinks]]\nid = "x"\ndestination = "X"\nservice = "analytics"\ncals = ["x.track"]\n',
            "sinks[0].cals",
            "did you mean 'calls'",
        ),
        (
            '[[sinks]]\nid = "x"\ndestination = "X"\nservice = "analitics"\ncalls = ["x.track"]\n',
            "sinks[x].service",
            "did you mean 'analytics'",
        ),
        (
            '[[sinks]]\nid = "stdlib-logging"\ndestination = "X"\nservice = "log"\ncalls = ["x.log"]\n',
            "sinks[stdlib-logging].id",
            "duplicate",
        ),
        (
            '[categories."user.contact.email"]\nlabel = "e"\nsensitivity = "personal"\nnames = ["e"]\n',
            "categories.user.contact.email",
            "duplicate",
        ),
        ('[consent]\nchecks = "has consent"\n', "consent.checks", "expected a list of strings"),
        ('[sanitizers]\ncalls = ["hash(lib"]\n', "sanitizers.calls", "bad pattern"),
        ("[sinkz]\n", "sinkz", "did you mean 'sinks'"),
        ('[sources.attributes]\n"x" = "user.nope"\n', "user.nope", "unknown data category"),
    ],
)
def test_bad_pack_names_file_and_key(tmp_path: Path, text: str, key: str, hint: str) -> None:
    path = _pack(tmp_path, text)
    with pytest.raises(RulePackError) as info:
        load_catalog([path])
    message = str(info.value)
    assert str(path) in message
    assert key in message
    assert hint in message


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    path = _pack(tmp_path, "[sinks\n")
    with pytest.raises(RulePackError, match="invalid TOML"):
        load_catalog([path])


SINK_PACK = '[[sinks]]\nid = "acme"\ndestination = "Acme Analytics"\nservice = "analytics"\ncalls = ["{call}"]\n'


def test_user_pack_adds_a_sink(tmp_path: Path) -> None:
    path = _pack(tmp_path, SINK_PACK.format(call="acme.analytics.send"))
    catalog = load_catalog([path])
    assert catalog.sink_matcher.get("acme.analytics.send") is catalog.sinks["acme"]


def test_a_cached_catalogue_is_rebuilt_when_a_pack_changes(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache", "")
    pack = _pack(tmp_path, SINK_PACK.format(call="acme.analytics.send"))
    first = load_catalog([pack], cache=cache)
    entries = list((tmp_path / "cache").rglob("*.catalog"))
    assert len(entries) == 1
    again = load_catalog([pack], cache=cache)
    assert again.fingerprint == first.fingerprint and again is not first  # read back from the cache
    pack.write_text(SINK_PACK.format(call="acme.analytics.track"))
    changed = load_catalog([pack], cache=cache)
    assert changed.sink_matcher.get("acme.analytics.track") is not None
    assert changed.sink_matcher.get("acme.analytics.send") is None


def test_a_damaged_cached_catalogue_is_rebuilt(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache", "")
    load_catalog(cache=cache)
    for entry in (tmp_path / "cache").rglob("*.catalog"):
        entry.write_bytes(b"not a pickle")
    assert load_catalog(cache=cache).fingerprint == load_catalog().fingerprint


FACTORY_PACK = """[[sinks]]
id = "acme-mail"
destination = "Acme Mail"
service = "messaging"
calls = ["acme.client.mail.send"]

[types.returns]
"acme.client" = "acme.client.{0}"
"""


def test_a_factory_type_can_name_its_string_argument(tmp_path: Path) -> None:
    """`acme.client("mail")` is an `acme.client.mail`; another argument, or none known, is something else."""
    from privacy_lint.project.analyser import Analyser

    catalog = load_catalog([_pack(tmp_path, FACTORY_PACK)])
    code = (
        "import acme\n\n"
        "def f(user, kind):\n"
        '    acme.client("mail").send(user.email)\n'
        '    acme.client("MAIL").send(user.email)\n'
        '    acme.client(service_name="mail").send(user.email)\n'
        '    acme.client("sms").send(user.email)\n'
        "    acme.client(kind).send(user.email)\n"
    )
    found = Analyser(catalog).analyse_source(code, "f.py").findings
    assert [(f.span.line, f.destination) for f in found] == [(4, "Acme Mail"), (5, "Acme Mail"), (6, "Acme Mail")]
