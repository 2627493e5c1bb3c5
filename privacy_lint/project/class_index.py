"""What the index records of each class a module defines: its personal fields, bases, members and the facts a
few of its statements state (a status, a field-naming constant, an `__init__` that gives its base no message)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from http import HTTPStatus

from privacy_lint.packs.catalog import Catalog
from privacy_lint.packs.classify import Classifier, split_name
from privacy_lint.project.python_ast import Imports, annotation_names, assignment, dotted_name, statements


@dataclass(frozen=True, slots=True)
class FieldSummary:
    category: str
    confidence: str
    why: str
    line: int
    col: int


@dataclass(slots=True)
class ClassSummary:
    qualname: str
    name: str
    path: str
    fields: dict[str, FieldSummary] = field(default_factory=dict)
    relations: dict[str, str] = field(default_factory=dict)  # attribute -> qualified class name
    repr_fields: bool = False
    bases: tuple[str, ...] = ()  # qualified names, as imported (re-exports not yet followed)
    members: frozenset[str] = frozenset()  # names its body defines: methods, attributes, fields
    unshown: frozenset[str] = frozenset()  # fields left out of its repr: `field(repr=False)`
    status: int = 0  # an HTTP status its body sets (`status_code = 409`): an error class answering with it
    configuration: bool = False  # a BaseSettings subclass, or named `...Settings`: its fields are settings
    names: dict[str, str] = field(default_factory=dict)  # `USERNAME_FIELD = "email"`: constants naming a field
    silent_init: bool = False  # an __init__ that hands its base no message (`super().__init__()`)


REPR_BASES = ("BaseModel", "BaseSettings", "NamedTuple", "TypedDict", "Schema", "Struct")
REPR_DECORATORS = ("dataclass", "dataclasses.dataclass", "attr.s", "attrs.define", "attr.define", "define", "frozen")
RELATIONS = ("ForeignKey", "OneToOneField", "relationship", "Related", "ManyToManyField")


def summarise_classes(
    tree: ast.Module, module: str, path: str, imports: Imports, catalog: Catalog, classifier: Classifier
) -> list[ClassSummary]:
    """The classes a module defines at top level, with the fields that hold personal data."""
    summaries = []
    classes = [node for node in statements(tree.body) if isinstance(node, ast.ClassDef)]
    defined = {node.name for node in classes}
    for node in classes:
        bases = [imports.qualify(b.value if isinstance(b, ast.Subscript) else b) or "" for b in node.bases]
        summary = ClassSummary(f"{module}.{node.name}", node.name, path, members=_members(node))
        summary.bases = tuple(_base(b, module, defined) for b in bases if b)
        decorators = [imports.qualify(d.func if isinstance(d, ast.Call) else d) or "" for d in node.decorator_list]
        summary.repr_fields = any(b.endswith(REPR_BASES) for b in bases) or any(
            d.endswith(REPR_DECORATORS) for d in decorators
        )
        summary.status = _status(node, catalog.exception_status_attributes)
        summary.names = _field_names(node)
        summary.silent_init = _silent_init(node)
        person = classifier.is_person_word(node.name)
        last_word = split_name(node.name)[-1:]
        summary.configuration = any(b in catalog.configuration_classes for b in bases) or (
            bool(last_word) and last_word[0] in catalog.configuration_names and not person
        )  # SecuritySettings, AppConfig; not UserSettings, a person's own
        unshown = set()
        for statement in node.body:
            target, type_nodes, call = _field(statement)
            where = (statement.lineno, statement.col_offset)
            if target is None or target.isupper():
                continue
            if call is not None and any(
                k.arg == "repr" and isinstance(k.value, ast.Constant) and k.value.value is False for k in call.keywords
            ):  # dataclasses.field(repr=False), attrs.field(repr=False), pydantic.Field(repr=False)
                unshown.add(target)
            if call is not None and (dotted_name(call.func) or "").endswith(RELATIONS) and call.args:
                related = imports.qualify(call.args[0])
                if related:
                    summary.relations[target] = related
                    continue
            quals = [q for t in type_nodes for q in annotation_names(t, imports)]
            declared = next((q for q in quals if q in catalog.field_types), None)
            if declared is not None and not classifier.is_non_person_word(node.name):  # a Queue's EmailField
                category = catalog.field_types[declared]
                label = catalog.categories[category].label
                summary.fields[target] = FieldSummary(
                    category, "high", f"field '{node.name}.{target}' is declared as {declared} ({label})", *where
                )
                continue
            verdict = classifier.classify(target, person_context=person)
            if verdict is not None and verdict.category is not None and verdict.category.sensitivity != "pseudonymous":
                summary.fields[target] = FieldSummary(
                    verdict.category.id, "medium", f"field of {node.name}: {verdict.why}", *where
                )
        summary.unshown = frozenset(unshown)
        summaries.append(summary)
    return summaries


def _silent_init(node: ast.ClassDef) -> bool:
    """An `__init__` that calls its base's with no arguments (`super().__init__()`): an exception built by it
    has an empty message, whatever it is given (it keeps them as attributes). Without that call the message is
    what the constructor was given (`BaseException.__new__` keeps the arguments)."""
    init = next((s for s in node.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None)
    if init is None:
        return False
    silent = False
    for call in ast.walk(init):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "__init__"):
            continue
        explicit = not (isinstance(call.func.value, ast.Call) and dotted_name(call.func.value.func) == "super")
        if len(call.args) > int(explicit) or call.keywords:  # Base.__init__(self, msg) or super().__init__(msg)
            return False
        silent = True
    return silent


def _field_names(node: ast.ClassDef) -> dict[str, str]:
    """Constants of a class body that name one of its fields (`USERNAME_FIELD = "email"`, Django's user models)."""
    found = {}
    for statement in node.body:
        assigned = assignment(statement)
        if assigned is None:
            continue
        target, value = assigned
        if (
            isinstance(target, ast.Name)
            and target.id.isupper()
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and value.value.isidentifier()
        ):
            found[target.id] = value.value
    return found


def _status(node: ast.ClassDef, attributes: set[str]) -> int:
    """The HTTP status a class body sets: `status_code = 409`, `code = HTTPStatus.CONFLICT`,
    `status_code = status.HTTP_409_CONFLICT` (Starlette and DRF name the status in the constant)."""
    for statement in node.body:
        assigned = assignment(statement)
        if assigned is None:
            continue
        target, value = assigned
        if not (isinstance(target, ast.Name) and target.id in attributes):
            continue
        if isinstance(value, ast.Constant) and isinstance(value.value, int) and not isinstance(value.value, bool):
            return value.value
        name = value.attr if isinstance(value, ast.Attribute) else ""
        digits = re.match(r"HTTP_(\d{3})_", name)
        if digits:
            return int(digits.group(1))
        if name in HTTPStatus.__members__:
            return int(HTTPStatus[name])
    return 0


def _base(qualified: str, module: str, defined: set[str]) -> str:
    """A base class neither imported nor defined in the module is a builtin (`Exception`), not `module.Exception`."""
    local = qualified[len(module) + 1 :] if qualified.startswith(module + ".") else ""
    return local if local and local.split(".", 1)[0] not in defined else qualified


def _members(node: ast.ClassDef) -> frozenset[str]:
    names: set[str] = set()
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, ast.Assign):
            names.update(t.id for t in statement.targets if isinstance(t, ast.Name))
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            names.add(statement.target.id)
    return frozenset(names)


def _field(statement: ast.stmt) -> tuple[str | None, list[ast.expr], ast.Call | None]:
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
        if isinstance(statement.value, ast.Call):
            return statement.targets[0].id, [statement.value.func], statement.value
        return None, [], None
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        call = statement.value if isinstance(statement.value, ast.Call) else None
        nodes = [statement.annotation] + ([call.func] if call is not None else [])
        return statement.target.id, nodes, call
    return None, [], None
