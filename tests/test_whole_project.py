"""Whole-project analysis loses no module and no flow: newer syntax in the first pass, import cycles settled in
rounds, methods inherited across modules, and a diagnostic for whatever the plan cannot cover."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from privacy_lint.engine.exports import ExportedFunction, ModuleSummary
from privacy_lint.packs.loader import default_catalog
from privacy_lint.project.cycles import MAX_ROUNDS, CycleRounds
from privacy_lint.project.index import NewerSyntax, parse_python
from privacy_lint.project.scan import scan

from .conftest import FIXTURES, run_cli

HELPER_TAIL = """

import logging

log = logging.getLogger(__name__)


def audit(value):
    log.info("audit %s", value)
"""
VIEW = "from app.helpers import audit\n\n\ndef view(user):\n    audit(user.email)\n"

# Each needs a newer Python than 3.11: Python 3.11's own parser refuses every one of them.
NEWER_SYNTAX = {
    "pep695-alias": "type Email = str",
    "pep695-generic-function": "def first[T](items: list[T]) -> T:\n    return items[0]",
    "pep695-generic-class": "class Box[T]:\n    def __init__(self, item: T) -> None:\n        self.item = item",
    "pep696-default": "class Page[T = int]:\n    pass",
    "pep701-fstring": 'def label(d):\n    return f"{d["name"]} {"\\n".join(d["tags"])}"',
    "pep758-except": "def safe(fn):\n    try:\n        return fn()\n    except ValueError, TypeError:\n        pass",
    "pep750-tstring": 'def page(name):\n    return t"<p>{name}</p>"',
    "pep810-lazy-import": "lazy import json\nlazy from os import path",
    "pep798-unpacking": "def flat(groups):\n    return [*group for group in groups]",
}


def _write(root: Path, files: dict[str, str]) -> None:
    (root / "pyproject.toml").write_text("")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _check(cli: str, cwd: Path, *args: str) -> tuple[dict, subprocess.CompletedProcess[str]]:  # type: ignore[type-arg]
    done = run_cli(["check", "--no-cache", "--format", "json", *args], cwd)
    return json.loads(done.stdout), done


def _found(report: dict) -> set[tuple[str, int, str]]:  # type: ignore[type-arg]
    return {(f["path"], f["span"]["line"], f["rule"]) for f in report["findings"]}


# ------------------------------------------------------------------------- newer syntax
@pytest.mark.parametrize("syntax", sorted(NEWER_SYNTAX))
def test_newer_syntax_is_refused_by_this_python_and_read_by_the_first_pass(syntax: str) -> None:
    source = NEWER_SYNTAX[syntax] + HELPER_TAIL
    if sys.version_info < (3, 12):
        with pytest.raises(SyntaxError):
            compile(source, "helpers.py", "exec", dont_inherit=True)
    tree = parse_python(source)
    assert any(getattr(node, "name", "") == "audit" for node in tree.body)


@pytest.mark.parametrize("syntax", sorted(NEWER_SYNTAX))
def test_a_helper_in_newer_syntax_serves_its_importers(cli: str, tmp_path: Path, syntax: str) -> None:
    helpers = NEWER_SYNTAX[syntax] + HELPER_TAIL
    _write(tmp_path, {"app/__init__.py": "", "app/helpers.py": helpers, "app/views.py": VIEW})
    report, done = _check(cli, tmp_path, "app")
    assert done.returncode == 1, done.stderr
    assert _found(report) == {("app/views.py", 5, "PRV001")}
    assert report["diagnostics"] == []


def test_the_rewrite_keeps_every_line_where_it_was() -> None:
    from privacy_lint.engine.downlevel import rewrite

    source = "\n".join(NEWER_SYNTAX.values()) + '\nx = f"""{a["b"]}\n{c}\n"""\nclass Late:\n    email: str\n'
    older = rewrite(source)
    assert older is not None
    assert len(older.splitlines()) == len(source.splitlines())
    late = next(n for n in parse_python(source).body if getattr(n, "name", "") == "Late")
    assert late.lineno == source.splitlines().index("class Late:") + 1


LINE_REPAIRS = {
    "type Email = str\n": "Email = str\n",
    "type Pair[T: (int, str)] = tuple[T, T]  # why\n": "Pair = tuple[T, T]  # why\n",
    "    def first[T](items: list[T]) -> T:\n": "    def first(items: list[T]) -> T:\n",
    "class Page[T = dict[str, int]](Base):\n": "class Page(Base):\n",
    "except TypeError, ValueError:  # no cover: odd\n": "except (TypeError, ValueError):  # no cover: odd\n",
    "except* OSError, KeyError:\n": "except* (OSError, KeyError):\n",
    "lazy from os import path\n": "from os import path\n",
}


@pytest.mark.parametrize("line", sorted(LINE_REPAIRS))
def test_lines_of_newer_syntax_are_repaired_in_place(line: str) -> None:
    from privacy_lint.engine.repair import _repair

    assert _repair(line) == LINE_REPAIRS[line]


@pytest.mark.parametrize(
    "line",
    ["except A, B as error:\n", "def f[\n", 'x = t"{a}"\n', "type = 3\n", "class C[T: 'str']:\n"],
)
def test_lines_the_repairs_do_not_cover_are_left_to_libcst(line: str) -> None:
    from privacy_lint.engine.repair import _repair

    assert _repair(line) is None


@pytest.mark.parametrize("syntax", sorted(NEWER_SYNTAX))
def test_repairs_and_the_libcst_rewrite_index_alike(syntax: str) -> None:
    from privacy_lint.engine.downlevel import rewrite
    from privacy_lint.engine.repair import repaired

    source = NEWER_SYNTAX[syntax] + HELPER_TAIL + "\n\nclass Late:\n    email: str\n"
    quick = repaired(source)
    if quick is None:
        return  # left to LibCST (PEP 701, 750, 798)
    older = rewrite(source)
    assert older is not None
    assert ast.dump(quick, include_attributes=True) == ast.dump(ast.parse(older), include_attributes=True)


def test_a_file_the_index_cannot_read_is_a_diagnostic_and_makes_the_scan_incomplete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import privacy_lint.engine.downlevel as downlevel

    monkeypatch.setattr(downlevel, "rewrite", lambda source: "def broken(:\n")  # a rewrite that falls short
    helpers = NEWER_SYNTAX["pep750-tstring"] + HELPER_TAIL  # no line repair covers t-strings: LibCST's rewrite
    _write(tmp_path, {"app/__init__.py": "", "app/helpers.py": helpers, "app/views.py": VIEW})
    result = scan([str(tmp_path / "app")], default_catalog(), jobs=1)
    problems = [d for d in result.diagnostics if d.kind == "index-error"]
    assert [d.path for d in problems] == [str(tmp_path / "app" / "helpers.py")]
    assert "syntax newer than Python" in problems[0].message
    with pytest.raises(NewerSyntax):
        parse_python(helpers)


def test_a_context_module_that_fails_is_named(cli: str, tmp_path: Path) -> None:
    _write(tmp_path, {"app/__init__.py": "", "app/helpers.py": "def audit(value:\n", "app/views.py": VIEW})
    report, done = _check(cli, tmp_path, "app/views.py")
    assert done.returncode == 3, done.stderr
    [problem] = report["diagnostics"]
    assert problem["path"] == "app/helpers.py"
    assert problem["message"].startswith("imported module, analysed for its summaries only: syntax error")


# ------------------------------------------------------------------------- import cycles
CYCLE_OF_TWO = {
    "app/__init__.py": "",
    "app/a.py": """import logging

from app import b

log = logging.getLogger(__name__)


def record(value):
    log.info("record %s", value)


def signup(user):
    b.notify(user.email)
""",
    "app/b.py": """from app import a


def notify(value):
    a.record(value)


def lookup(user):
    return a.contact(user)
""",
}


def _cycle_of(size: int) -> dict[str, str]:
    """m0 -> m1 -> ... -> m{size-1} -> m0; m0.start passes an e-mail along the whole ring to a log in m{size-1}."""
    files = {"ring/__init__.py": ""}
    for n in range(size):
        following = (n + 1) % size
        body = f"from ring import m{following}\n\n\ndef hop{n}(value):\n    m{following}.hop{following}(value)\n"
        if n == size - 1:
            body = (
                "import logging\n\nfrom ring import m0\n\nlog = logging.getLogger(__name__)\n\n\n"
                f"def hop{n}(value):\n    log.info('%s', value)\n\n\ndef back():\n    return m0\n"
            )
        if n == 0:
            body += "\n\ndef start(user):\n    hop0(user.email)\n"
        files[f"ring/m{n}.py"] = body
    return files


def test_a_flow_through_a_cycle_of_two_is_found_whole_and_alone(cli: str, tmp_path: Path) -> None:
    _write(tmp_path, CYCLE_OF_TWO)
    expected = {("app/a.py", 13, "PRV001")}
    assert _found(_check(cli, tmp_path, "app")[0]) == expected
    assert _found(_check(cli, tmp_path, "app/a.py")[0]) == expected


@pytest.mark.parametrize("size", [3, 7])
def test_a_flow_around_a_long_cycle_is_found_whole_and_alone(cli: str, tmp_path: Path, size: int) -> None:
    _write(tmp_path, _cycle_of(size))
    expected = {("ring/m0.py", 9, "PRV001")}
    assert _found(_check(cli, tmp_path, "ring")[0]) == expected
    alone, done = _check(cli, tmp_path, "ring/m0.py")  # the ring is longer than the context depth of 3
    assert _found(alone) == expected, done.stderr


def test_cycles_give_the_same_results_in_the_pool_and_in_process(cli: str, tmp_path: Path) -> None:
    files = {**_cycle_of(7), **CYCLE_OF_TWO}
    for n in range(20):  # enough files for the pool
        files[f"app/filler{n}.py"] = f"from app import a\n\n\ndef f{n}(user):\n    a.record(user.phone_number)\n"
    _write(tmp_path, files)
    serial, _ = _check(cli, tmp_path, "--jobs", "1", ".")
    parallel, _ = _check(cli, tmp_path, "--jobs", "2", ".")
    assert serial == parallel
    assert ("ring/m0.py", 9, "PRV001") in _found(serial) and len(_found(serial)) == 22


def _settle(rounds: CycleRounds, summary_of: Callable[[str, int], ModuleSummary]) -> None:
    ready = rounds.ready()
    while ready:
        module = ready.pop(0)
        ready.extend(rounds.record(module, summary_of(module, rounds.rounds), ["a.f", "b.f"]))


def _returning(module: str, kind: str) -> ModuleSummary:
    function = ExportedFunction(f"{module}.f", (), 0, -1, -1, False, (), returns_type=kind)
    return ModuleSummary(module, "", {f"{module}.f": function})


def test_a_cycle_whose_summaries_never_settle_is_named() -> None:
    rounds = CycleRounds(["a", "b"], {}, lambda module: ())
    _settle(rounds, lambda module, count: _returning(module, f"T{count}"))  # a new type every round
    assert rounds.unsettled and rounds.settled and rounds.rounds == MAX_ROUNDS


def test_a_cycle_that_comes_back_to_an_earlier_round_is_settled() -> None:
    rounds = CycleRounds(["a", "b"], {}, lambda module: ())
    # two functions returning each other's result swap types every round
    _settle(rounds, lambda module, count: _returning(module, "a.f" if (count + (module == "b")) % 2 else "b.f"))
    assert rounds.settled and not rounds.unsettled and rounds.rounds < MAX_ROUNDS


def test_a_member_sees_this_rounds_summaries_of_what_it_imports() -> None:
    rounds = CycleRounds(["a", "b", "c"], {}, {"a": ["b"], "b": ["c"], "c": ["a"]}.__getitem__)
    first = rounds.ready()
    assert len(first) == 1  # the ring is walked from `a`: c comes first, then b, then a
    seen = []
    ready = first
    while ready and rounds.rounds == 1:
        module = ready.pop(0)
        seen.append((module, sorted(rounds.seen_by(module))))
        ready.extend(rounds.record(module, _returning(module, "T"), ["a.f", "b.f", "c.f"]))
    assert seen == [("c", []), ("b", ["c"]), ("a", ["b", "c"])]


# ------------------------------------------------------------------------- inheritance
INHERITANCE = {
    "tp/__init__.py": "from tp.base import AuditMixin as AuditMixin\n",
    "tp/base.py": """import logging

import requests

log = logging.getLogger(__name__)


class BaseTransport:
    def __init__(self):
        self.session = requests.Session()

    def post(self, path, payload):
        return self.session.post("https://api.vendor.example.com" + path, json=payload)


class AuditMixin:
    def audit(self, event, value):
        log.info("%s %s", event, value)
""",
    "tp/sms.py": """from tp import AuditMixin
from tp.base import BaseTransport


class SmsClient(AuditMixin, BaseTransport):
    def send(self, to, text):
        self.audit("sms", to)
        return self.post("/sms", {"to": to, "text": text})

    def ping(self, user):
        self.session.post("https://status.vendor.example.com", json={"email": user.email})


class MaskedSms(SmsClient):
    def post(self, path, payload):
        return None

    def send_direct(self, phone):
        return super().post("/sms", {"to": phone})
""",
    "tp/session.py": """import requests


class VendorSession(requests.Session):
    def lookup(self, user):
        return self.get("https://lookup.vendor.example.com", params={"phone": user.phone_number})
""",
    "tp/use.py": """from tp.sms import MaskedSms, SmsClient


def notify(user):
    client = SmsClient()
    client.send(user.phone_number, "hi")
    masked = MaskedSms()
    masked.post("/x", {"p": user.phone_number})
""",
}


def test_methods_resolve_through_the_mro_across_modules(cli: str, tmp_path: Path) -> None:
    _write(tmp_path, INHERITANCE)
    report, _ = _check(cli, tmp_path, "tp")
    assert _found(report) == {
        ("tp/sms.py", 11, "PRV102"),  # self.session: an attribute the base class sets, typed in its summary
        ("tp/sms.py", 19, "PRV102"),  # super().post skips the masking override
        ("tp/session.py", 6, "PRV102"),  # a subclass of a library class: requests.Session.get
        ("tp/use.py", 6, "PRV001"),  # the mixin's audit, re-exported by the package
        ("tp/use.py", 6, "PRV102"),  # the base's post
    }


def test_an_inherited_method_does_not_reach_a_sink_the_subclass_overrides(cli: str, tmp_path: Path) -> None:
    files = {
        "api/__init__.py": "",
        "api/base.py": """import logging

import requests

log = logging.getLogger(__name__)


class Client:
    def _log_request(self, payload):
        log.debug("-> %r", payload)

    def send(self, payload, session=None):
        self._log_request(payload)
        session = session or requests.Session()
        return session.post("https://api.vendor.example.com/v1", json=payload)
""",
        "api/clients.py": """from api.base import Client


class QuietClient(Client):
    def _log_request(self, payload):
        return None


class Repo[M]:
    def __init__(self, client: Client) -> None:
        self.client = client

    def save(self, record: M) -> None:
        self.client.send({"record": record})
""",
        "api/use.py": """from api.base import Client
from api.clients import QuietClient, Repo


def sync(user):
    Client().send({"email": user.email})
    QuietClient().send({"email": user.email})
    repo = Repo[dict](Client())
    repo.save(user.phone_number)
    repo.save({k: str(v) for k, v in user.preferences.items()})
""",
    }
    _write(tmp_path, files)
    assert _found(_check(cli, tmp_path, "api")[0]) == {
        ("api/use.py", 6, "PRV001"),  # the base class logs the payload...
        ("api/use.py", 6, "PRV102"),  # ... and posts it (`session or requests.Session()` is a Session)
        ("api/use.py", 7, "PRV102"),  # the override of _log_request is quiet: only the post
        ("api/use.py", 9, "PRV001"),  # Repo[dict](...) builds a Repo
        ("api/use.py", 9, "PRV102"),
    }


def test_fields_are_inherited_from_a_base_model_in_another_module(cli: str, tmp_path: Path) -> None:
    files = {
        "crm/__init__.py": "",
        "crm/base.py": "from django.db import models\n\n\nclass Person(models.Model):\n"
        "    email = models.EmailField()\n\n    class Meta:\n        abstract = True\n",
        "crm/models.py": "from crm.base import Person\n\n\nclass Customer(Person):\n    tier = 1\n",
        "crm/views.py": "import logging\n\nfrom crm.models import Customer\n\n\ndef show(pk):\n"
        "    customer = Customer.objects.get(pk=pk)\n    logging.info('%s %s', customer.tier, customer.email)\n",
    }
    _write(tmp_path, files)
    assert _found(_check(cli, tmp_path, "crm")[0]) == {("crm/views.py", 8, "PRV001")}


# ------------------------------------------------------------------------- scope is monotone
PROJECTS = sorted(p for folder in ("projects", "projects_b") for p in (FIXTURES / folder).iterdir() if p.is_dir())


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_whole_scan_reports_every_finding_of_a_one_file_check(project: Path) -> None:
    catalog = default_catalog()
    whole = {(f.path, f.span.line, f.rule) for f in scan([str(project)], catalog, jobs=1).findings}
    for file in sorted(project.rglob("*.py")):
        alone = {(f.path, f.span.line, f.rule) for f in scan([str(file)], catalog, jobs=1).findings}
        assert alone <= whole, file
