"""The state of a module's analysis, and what its names and objects refer to.

Qualified names through imports, aliases and known instance types; whether an object is an HTTP request, a
person, or configuration; which calls are sinks, sanitizers or functions of the module. The layers above
(`sinks`, `evaluate`, `engine`) add reporting, expressions and statements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from privacy_lint.engine.classes import ClassTable
from privacy_lint.engine.exports import Externals
from privacy_lint.engine.imported import function_info
from privacy_lint.engine.summaries import ClassInfo, FunctionInfo, RawFinding, Scope
from privacy_lint.engine.syntax import dotted, is_constant_name, literal_string
from privacy_lint.engine.values import CLEAN, UNKNOWN, Flow, Origin, Value
from privacy_lint.packs.catalog import Catalog, Category, Sink
from privacy_lint.packs.classify import Classifier, Verdict, split_name
from privacy_lint.packs.consent import ConsentVocabulary, Polarity
from privacy_lint.packs.hosts import HostDirectory
from privacy_lint.packs.patterns import NameMatcher

if TYPE_CHECKING:
    from privacy_lint.project.index import ProjectIndex

_TYPING = ("typing.", "typing_extensions.", "collections.abc.", "Optional", "Annotated", "Union")


class Resolver:
    """The module's state, and what its names, types, classes and functions refer to. The base of the
    interpreter's layers (see `privacy_lint.engine`); `interpreter.Interpreter` is the class to use."""

    # The interface of the layers above, which lower layers call: defined by `expressions`, `binding`, `calls`,
    # `statements` and `interpreter`, declared here so that every layer is checked against it.
    eval: Callable[[cst.BaseExpression], Value]  # what an expression carries (Expressions)
    eval_quiet: Callable[[cst.BaseExpression], Value]  # the same, for one already evaluated (Expressions)
    expr_Call: Callable[[cst.Call], Value]  # a call (Evaluator)
    _named: Callable[..., Value]  # a value stored under a name, which is evidence of it (Binder)
    visit_children: Callable[[cst.CSTNode], None]  # the children of a node of no interest (Statements)
    analyse_function: Callable[[FunctionInfo], FunctionInfo]  # a function's summary, on demand (Interpreter)
    call_function: Callable[..., Value]  # a summary applied at a call (Interpreter)

    def __init__(
        self,
        module: cst.Module,
        module_name: str,
        catalog: Catalog,
        classifier: Classifier,
        consent: ConsentVocabulary,
        hosts: HostDirectory,
        include_pseudonymous: bool = False,
        index: ProjectIndex | None = None,
        is_package: bool = False,
        externals: Externals | None = None,
        local: ProjectIndex | None = None,
    ) -> None:
        self.module = module
        self.module_name = module_name
        self.catalog = catalog
        self.classifier = classifier
        self.consent = consent
        self.hosts = hosts
        self.include_pseudonymous = include_pseudonymous
        self.imports: dict[str, str] = {}
        self.functions: dict[str, FunctionInfo] = {}
        self.externals = externals or Externals()  # summaries of the project modules this one depends on
        self._remote: dict[str, FunctionInfo | None] = {}
        self.classes = ClassTable(index, local)  # this module's classes, then the project's
        self.is_package = is_package  # an __init__.py: relative imports start from the module itself
        self.findings: list[RawFinding] = []
        self.scope = Scope(None)
        self.guarded = ""  # the consent check that guards the code being analysed, as written
        self.asserted = False  # ... and it raises when consent is missing (`ensure_consent(user)`)
        self.context: list[str] = []  # qualified scope names for fingerprints
        self.discarded: cst.CSTNode | None = None  # the call of the expression statement being run
        self._shown: dict[str, frozenset[Flow]] = {}  # what each class's __str__/__repr__ shows

    def _annotation_names(self, node: cst.BaseExpression | None) -> Iterator[str]:
        if node is None:
            return
        if isinstance(node, cst.Subscript):  # Optional[EmailStr], Annotated[str, ...], list[EmailStr]
            outer = self.qualname(node.value) or ""
            if not outer.startswith(_TYPING):
                yield outer
            elements = node.slice[:1] if outer.endswith("Annotated") else node.slice
            for element in elements:
                if isinstance(element.slice, cst.Index):
                    yield from self._annotation_names(element.slice.value)
        elif isinstance(node, cst.BinaryOperation):  # EmailStr | None
            yield from self._annotation_names(node.left)
            yield from self._annotation_names(node.right)
        elif isinstance(node, cst.SimpleString):
            text = literal_string(node)
            if text and text.isidentifier():
                yield self.imports.get(text, f"{self.module_name}.{text}")
        else:
            qual = self.qualname(node)
            if qual and not qual.startswith(_TYPING):
                yield qual

    def annotation_type(self, node: cst.BaseExpression) -> str | None:
        """The class an annotation names: a class of this module or an imported one (not builtins)."""
        for qual in self._annotation_names(node):
            if qual in self.classes or qual in self.catalog.request_types or "." in qual:
                return qual
        return None

    def _self_class(self, head: str) -> ClassInfo | None:
        if head not in ("self", "cls"):
            return None
        function = self.scope.function
        if function is None or function.class_key is None:
            return None
        return self.classes.get(function.class_key)

    def _classified(
        self, name: str, node: cst.CSTNode, person_context: bool, confidence: str, context_why: str = ""
    ) -> Value:
        verdict = self.classifier.classify(name, person_context)
        if verdict is None:
            return UNKNOWN
        if verdict.category is None:
            return CLEAN
        return Value(flows=frozenset({Flow(self._origin(verdict, name, node, confidence, context_why))}))

    def _origin(self, verdict: Verdict, text: str, node: cst.CSTNode, confidence: str, context_why: str) -> Origin:
        assert verdict.category is not None
        why = verdict.why + (f"; {context_why}" if context_why else "")
        return Origin(verdict.category.id, text, node, confidence, why, by_name=True)

    @staticmethod
    def _with_text(value: Value, text: str) -> Value:
        if not value.flows:
            return value
        return replace(
            value,
            flows=frozenset(replace(f, origin=replace(f.origin, text=text)) if not f.steps else f for f in value.flows),
        )

    def _is_request(self, node: cst.BaseExpression, value: Value | None = None) -> bool:
        """`request` parameters, `self.request`, `from flask import request`, `req: Request` annotations."""
        requests = self.catalog.request_objects
        path = dotted(node)
        if path is not None:
            head, _, rest = path.partition(".")
            if head in self.imports:
                return (self.imports[head] + ("." + rest if rest else "")) in requests
            if path in requests:
                found = self.scope.lookup(path) if not rest else None
                return found is None or found.type == "<request>" or found.type in self.catalog.request_types
        if value is None and isinstance(node, cst.Name):
            value = self.scope.lookup(node.value)
        return value is not None and (value.type == "<request>" or value.type in self.catalog.request_types)

    def _request_part(self, node: cst.BaseExpression) -> str | None:
        """`meta` for request.META, `form` for request.form...: the part of an HTTP request `node` is, if any."""
        if isinstance(node, cst.Attribute) and self._is_request(node.value):
            part = node.attr.value.lower()
            catalog = self.catalog
            return part if part in catalog.envelope_parts or part in catalog.submitted_parts else None
        return None

    def _is_person(self, node: cst.BaseExpression, value: Value) -> bool:
        if value.type is not None:
            cls = self.classes.get(value.type)
            if cls is not None:
                return cls.person_like or self.classifier.is_person_word(cls.name)
            last = value.type.rsplit(".", 1)[-1]
            if last[:1].isupper() and any(t in self.catalog.person_objects for t in split_name(last)):
                return True  # an instance of an imported User/Customer class, settings.AUTH_USER_MODEL
        if isinstance(node, cst.Name) and node.value in ("self", "cls"):
            cls = self._self_class(node.value)
            return cls is not None and (cls.person_like or self.classifier.is_person_word(cls.name))
        name = (
            node.value if isinstance(node, cst.Name) else node.attr.value if isinstance(node, cst.Attribute) else None
        )
        return name is not None and self.classifier.is_person_word(name)

    def _is_non_person(self, node: cst.BaseExpression, value: Value) -> bool:
        if value.type is not None and value.type in self.classes:
            return self.classes[value.type].configuration
        name = dotted(node)
        if name is None:
            return False
        last = name.rsplit(".", 1)[-1]
        qual = self.imports.get(name.split(".", 1)[0], "")
        return (
            self.classifier.is_non_person_word(last)
            or qual.endswith(("settings", "config", "environ"))
            or is_constant_name(last)
        )

    # ------------------------------------------------------------------ calls
    def qualname(self, node: cst.BaseExpression) -> str | None:
        """The qualified name an expression refers to, through imports, aliases and known instance types."""
        if isinstance(node, cst.Name):
            found = self.scope.lookup(node.value)
            if found is not None:
                if found.type:
                    return found.type
                return self.catalog.type_names.get(node.value)
            if node.value in self.imports:
                return self.typed(self.imports[node.value])
            if node.value in self.catalog.type_names:
                return self.catalog.type_names[node.value]
            return node.value
        if isinstance(node, cst.Attribute):
            path = dotted(node)
            if path is not None:
                if path in self.imports:
                    return self.typed(self.imports[path])
                head, _, rest = path.partition(".")
                cls = self._self_class(head)
                stored = self.class_attr(cls, rest) if cls is not None else self.scope.lookup(path)
                if stored is not None and stored.type:
                    return stored.type
                if cls is not None and stored is None and "." not in rest:
                    method = self.member(cls.key, rest)
                    if method in self.functions:
                        return method
            attr = node.attr.value
            outer = self._super_class(node.value)
            if outer is not None:  # super().save(...): the next class of the MRO that defines it
                return self.typed(self.classes.owner(outer, attr, self._defined, after=outer) or f"super.{attr}")
            base = self.qualname(node.value)
            if base is None or base in ("<request>", "self", "cls"):
                return self.catalog.type_names.get(attr)
            cls = self.classes.get(base)
            if cls is not None:
                stored = self.class_attr(cls, attr)
                if stored is not None and stored.type:
                    return stored.type
                if f"{base}.{attr}" not in self.functions and attr in self.catalog.type_names:
                    return self.catalog.type_names[attr]
                return self.typed(self.member(base, attr))
            return self.typed(f"{base}.{attr}")
        if isinstance(node, cst.Subscript):  # Repo[User]: a generic class of the project, parameterised
            generic = self.qualname(node.value)
            return generic if generic in self.classes else None
        if isinstance(node, cst.Call):
            callee = self.qualname(node.func)
            if callee is None:
                return None
            returned = self.returned_type(callee, node)
            if returned is not None:
                return returned
            info = self._local_function(callee)
            if info is not None:
                return self.analyse_function(info).returns.type
            return self._model_instance(callee) or callee
        return None

    def returned_type(self, qual: str | None, call: cst.Call) -> str | None:
        """What a factory the packs know returns. `{0}` in the type stands for the call's first string argument:
        `boto3.client("ses")` gives `boto3.client.ses` (None when that argument is not a literal)."""
        returned = self.catalog.returns_matcher.get(qual) if qual is not None else None
        if not isinstance(returned, str) or "{0}" not in returned:
            return returned if isinstance(returned, str) else None
        first = next((a for a in call.args if a.keyword is None or a.keyword.value == "service_name"), None)
        chosen = literal_string(first.value) if first is not None else None
        return returned.replace("{0}", chosen.lower()) if chosen and chosen.replace("-", "").isalnum() else None

    # ------------------------------------------------------------ inheritance
    def member(self, cls: str, attr: str) -> str:
        """`Sub.post` where `post` is inherited: the qualified name of the class that defines it, in this module
        or another one (the MRO, index.py's bases)."""
        return self.classes.owner(cls, attr, self._defined) or f"{cls}.{attr}"

    def _defined(self, qualname: str) -> bool:
        """A function of the project, or a call of a library class the catalogue knows (sinks, HTTP clients)."""
        catalog = self.catalog
        return (
            qualname in self.functions
            or self._remote_function(qualname) is not None
            or self._sink(qualname) is not None
            or bool(catalog.http_matcher.get(qualname))
            or catalog.returns_matcher.get(qualname) is not None
            or bool(catalog.propagator_matcher.get(qualname))
            or catalog.attribute_type_matcher.get(qualname) is not None
        )

    def class_attr(self, cls: ClassInfo, attr: str) -> Value | None:
        """An attribute of the class's instances (`self.session = requests.Session()`), inherited ones included:
        assigned in a class of this module, or typed in the summary of the module that defines the class."""
        for key in self.classes.mro(cls.key):
            info = self.classes.get(key)
            if info is not None and attr in info.attrs:
                return info.attrs[attr]
            found = self.externals.type_of(f"{key}.{attr}") if key != cls.key and self.externals else None
            if found is not None:
                return Value(type=found)
        return None

    def _super_class(self, node: cst.BaseExpression) -> str | None:
        """The class whose method calls `super()` (or `super(Class, self)`), when `node` is that call."""
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "super"):
            return None
        if self.scope.lookup("super") is not None:
            return None  # a local name `super`: not the builtin
        if node.args:
            named = self.qualname(node.args[0].value)
            return named if named in self.classes else None
        function = self.scope.function
        while function is not None and function.class_key is None:  # a nested function or lambda in a method
            function = function.parent.function if function.parent is not None else None
        return function.class_key if function is not None else None

    def _model_instance(self, callee: str) -> str | None:
        """`Customer.objects.get(...)` / `Customer.query.first()` give a Customer."""
        for manager in self.catalog.model_managers:
            marker = f".{manager}."
            if marker in callee:
                cls = callee.split(marker, 1)[0]
                if cls in self.classes:
                    return cls
        return None

    def _is_module(self, node: cst.BaseExpression) -> bool:
        """`json` in `json.dumps(...)`: an imported module or class, not a value."""
        path = dotted(node)
        if path is None:
            return False
        head = path.split(".", 1)[0]
        return (
            head in self.imports
            and self.scope.lookup(head) is None
            and self.imports[head] not in self.catalog.request_objects
        )

    def _is_sanitizer(self, qual: str | None, name: str, known: bool = False) -> bool:
        """A call whose result no longer identifies anyone: listed, or named so (`mask_email`). A name that only
        says it tests (`validate_prompt`, `is_valid`) decides for functions whose bodies are unknown; a known
        body (`known`) says for itself what it returns."""
        catalog = self.catalog
        if qual is not None and catalog.sanitizer_matcher.get(qual):
            return True
        tokens = split_name(name)
        return any(t in catalog.sanitizer_tokens or (not known and t in catalog.sanitizer_test_tokens) for t in tokens)

    def _callee_text(self, func: cst.BaseExpression) -> str:
        text = dotted(func)
        if text is not None:
            return text
        if isinstance(func, cst.Attribute):
            return (
                f"{self._callee_text(func.value)}.{func.attr.value}"
                if not isinstance(func.value, cst.Call)
                else f"{self._callee_text(func.value.func)}(…).{func.attr.value}"
            )
        if isinstance(func, cst.Call):
            return f"{self._callee_text(func.func)}(…)"
        return "…"

    def _sink(self, qual: str | None) -> Sink | None:
        if qual is None:
            return None
        found = self.catalog.sink_matcher.get(qual)
        return found if isinstance(found, Sink) else None

    def _local_function(self, qual: str | None) -> FunctionInfo | None:
        """The function a call reaches: one of this module, or one summarised from a module it depends on."""
        if qual is None:
            return None
        info = self.functions.get(qual) or self._remote_function(qual)
        if info is not None:
            return info
        head, _, last = qual.rpartition(".")
        if last in self.catalog.task_calls:  # send_welcome.delay(...) runs send_welcome
            return self.functions.get(head) or self._remote_function(head)
        return None

    def _unknown_function(self, qual: str) -> bool:
        """Neither of this module nor of a summarised one (a summarised module leaves out functions that reach
        no sink and return nothing personal)."""
        return self._local_function(qual) is None and not (self.externals and self.externals.summarises(qual))

    def _remote_function(self, qual: str) -> FunctionInfo | None:
        if not self.externals:
            return None
        if qual not in self._remote:
            exported = self.externals.function(qual)
            self._remote[qual] = function_info(exported) if exported is not None else None
        return self._remote[qual]

    def typed(self, qual: str) -> str:
        """An imported module-level object stands for its type: `telemetry` of `app.telemetry` is a Telemetry; an
        attribute a library base class gives its instances has the type the packs say (`BaseCommand.stdout`)."""
        given = self.catalog.attribute_type_matcher.get(qual)
        if isinstance(given, str):
            return given
        if not self.externals:
            return qual
        return self.externals.type_of(qual) or qual

    def url_setting(self, qual: str) -> str | None:
        """The URL literal a project module binds to a name (`proj.settings.PARTNER_URL`); for Django's
        `django.conf.settings.X`, the value the project's settings modules agree on."""
        module, _, name = qual.rpartition(".")
        indexes = self.classes.indexes
        where = self.catalog.settings_objects.get(module)
        if where is not None:  # Django's settings modules; a Flask app's config classes, wherever they are
            entries = [e for i in indexes for m, e in i.modules.items() if where == "any-module"
                       or m.rsplit(".", 1)[-1] == "settings" or ".settings." in f"{m}."]  # fmt: skip
        else:
            entries = [i.modules[module] for i in indexes if module in i.modules]
        values = {value for entry in entries for key, value in entry.urls if key == name}
        return values.pop() if len(values) == 1 else None

    def library_bases(self, cls: str) -> list[str]:
        """The bases of a project class that come from outside the project (`rest_framework...ModelSerializer`)."""
        return [base for base in self.classes.mro(cls)[1:] if base not in self.classes]

    def framework_source(self, matcher: NameMatcher, cls: str | None, *names: str) -> str | None:
        """The category the packs give `<library base>.<names>` for a project class (`validated_data` of a DRF
        serializer, `text_data` of a Channels consumer's `receive`), or for the class itself."""
        if cls is None:
            return None
        member = ".".join(names)
        for base in (cls, *self.library_bases(cls)) if cls in self.classes else (cls,):
            found = matcher.get(f"{base}.{member}")
            if isinstance(found, str):
                return found
        return None

    def note_wrapped_call(self, name: str) -> None:
        """Calling an enclosing function's parameter under a consent check: that function is a consent decorator."""
        if not self.guarded:
            return
        scope: Scope | None = self.scope
        while scope is not None:
            if name in scope.vars:
                function = scope.function
                if function is not None and function is not self.scope.function and name in function.params:
                    function.consent_wrapper = True
                return
            scope = scope.parent

    def check_text(self, test: cst.CSTNode, applies: bool = True) -> str:
        """A consent check as findings name it (`has_consent(user, "analytics")`); "" when it does not apply."""
        if not applies:
            return ""
        while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            test = test.expression  # `if not has_consent(u): return` is guarded by has_consent(u)
        text = " ".join(self.module.code_for_node(test).split())
        return text if len(text) <= 80 else text[:79] + "…"

    def _reportable(self, origin: Origin) -> bool:
        return self.reported(self.catalog.categories.get(origin.category))

    def reported(self, category: Category | None) -> bool:
        """A category the scan reports: pseudonymous ones only with `include_pseudonymous`."""
        return category is not None and (self.include_pseudonymous or category.sensitivity != "pseudonymous")

    def _scope_name(self) -> str:
        return ".".join(self.context)

    # ---------------------------------------------------------------- consent
    def polarity(self, test: cst.BaseExpression) -> Polarity:
        def known(expr: cst.BaseExpression) -> int:
            if isinstance(expr, cst.Name):
                found = self.scope.lookup(expr.value)
                return found.consent if found is not None else 0
            if isinstance(expr, cst.Call):
                info = self._local_function(self.qualname(expr.func))
                if info is not None:
                    name = info.key.rsplit(".", 1)[-1]
                    return self.analyse_function(info).returns.consent or self.consent.of_name(name).sign
            return 0

        return self.consent.polarity(test, known)
