"""The project index: classes defined in one module give meaning to attribute reads in another."""

from __future__ import annotations

from pathlib import Path

from .conftest import run_cli

MODELS = """from dataclasses import dataclass

from django.db import models


class Customer(models.Model):
    contact = models.EmailField()
    plan = models.CharField(max_length=20)


class Order(models.Model):
    customer = models.ForeignKey("Customer", on_delete=models.CASCADE)
    total = models.DecimalField()


@dataclass
class Recipient:
    user_id: int
    email: str


@dataclass
class Job:
    job_id: int
"""

VIEWS = """import logging

from .models import Job, Order, Recipient

log = logging.getLogger(__name__)


def show(order: Order, recipient: Recipient, job: Job):
    log.info("contact %s", order.customer.contact)
    log.info("plan %s", order.customer.plan)
    print(f"sent to {recipient}")
    print(f"ran {job}")
    log.info("order %s", order.total)
"""


def test_cross_module_models_and_dataclasses(cli: str, tmp_path: Path) -> None:
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(MODELS)
    (package / "views.py").write_text(VIEWS)
    done = run_cli(["check", "shop"], tmp_path)
    lines = [line for line in done.stdout.splitlines() if ": PRV" in line]
    assert [line.split(":")[1] for line in lines] == ["9", "11"], done.stdout
    assert "email address (order.customer.contact)" in lines[0]  # an EmailField whatever its name
    alone = run_cli(["check", "shop/views.py"], tmp_path)
    # scanned alone, the view still knows the models: the modules it imports are read for context, not reported
    assert [line for line in alone.stdout.splitlines() if ": PRV" in line] == lines
    (package / "models.py").unlink()
    gone = run_cli(["check", "shop/views.py"], tmp_path)
    assert ": PRV" not in gone.stdout  # without the models the view's objects are unknown


def test_module_names_for_src_layouts_and_namespace_packages(tmp_path: Path) -> None:
    from privacy_lint.project.index import module_name

    (tmp_path / "pyproject.toml").write_text("")
    for folder in ("src/acme/billing", "acme2/shop", "scripts"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "src/acme/billing/__init__.py").write_text("")
    (tmp_path / "acme2/shop/__init__.py").write_text("")
    assert module_name(str(tmp_path / "src/acme/billing/invoices.py")) == "acme.billing.invoices"  # namespace `acme`
    assert module_name(str(tmp_path / "src/acme/billing/__init__.py")) == "acme.billing"
    assert module_name(str(tmp_path / "acme2/shop/views.py")) == "acme2.shop.views"
    assert module_name(str(tmp_path / "scripts/export.py")) == "export"  # a folder of scripts is not a package


def test_imports_through_namespace_packages(tmp_path: Path) -> None:
    """Folders without `__init__.py` (PEP 420): `from shop.audit import record` reaches `shop/audit.py`."""
    from privacy_lint.packs.loader import default_catalog
    from privacy_lint.project.scan import scan

    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "audit.py").write_text(
        "import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef record(value):\n    log.info('audit %s', value)\n"
    )
    (tmp_path / "shop" / "models.py").write_text(
        "from dataclasses import dataclass\n\n\n@dataclass\nclass Member:\n    member_no: int\n    iban: str\n"
    )
    (tmp_path / "shop" / "views.py").write_text(
        "from shop.audit import record\nfrom shop.models import Member\n\n\n"
        "def pay(member: Member, request):\n"
        "    record(request.remote_addr)\n"
        "    record(member.member_no)\n"
        "    print(member.iban)\n"
    )
    result = scan([str(tmp_path / "shop")], default_catalog(), jobs=1)
    found = sorted((Path(f.path).name, f.span.line, f.rule) for f in result.findings)
    assert found == [("views.py", 6, "PRV001"), ("views.py", 8, "PRV001")]
