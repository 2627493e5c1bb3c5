"""The package's shape: layers that import only downwards, no import circles, small modules, no placeholders."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "privacy_lint"
MAX_LINES = 500

# Lowest first: a module imports modules of its own layer or below, never above.
LAYERS = [
    {"privacy_lint", "findings", "rules", "cache"},  # results and their vocabulary
    {"packs"},  # the rule packs and what is built from them
    {"engine"},  # one module's interpretation
    {"project"},  # the whole project: discovery, index, plan, cache, scan
    # around a scan
    {"config", "declarations", "fingerprint", "baseline", "gitdiff", "report", "formats", "fixture_labels"},
    {"api", "review"},  # the pipeline every front end uses, and the privacy review of a change
    {"cli", "flake8_plugin", "__main__"},  # front ends
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _runtime_imports(path: Path, module: str, modules: dict[str, Path]) -> set[str]:
    """Project modules imported when the module runs (at any depth), not those under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and ast.unparse(block.test).endswith("TYPE_CHECKING")
        for statement in block.body
        for node in ast.walk(statement)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        found.update(name for name in names if name in modules and name != module)
    return found


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else module
    return next(i for i, layer in enumerate(LAYERS) if top in layer)


def test_layers_import_only_downwards() -> None:
    modules = _modules()
    upward = [
        f"{module} (layer {_layer(module)}) imports {target} (layer {_layer(target)})"
        for module, path in modules.items()
        for target in _runtime_imports(path, module, modules)
        if _layer(target) > _layer(module)
    ]
    assert not upward, "\n".join(sorted(upward))


def test_no_import_circles() -> None:
    modules = _modules()
    graph = {m: _runtime_imports(p, m, modules) - {"privacy_lint"} for m, p in modules.items()}
    state: dict[str, int] = {}
    circles: list[list[str]] = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                circles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not circles, "\n".join(" -> ".join(c) for c in circles)


def test_modules_are_small_and_have_no_placeholders() -> None:
    problems = []
    for module, path in _modules().items():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_LINES:
            problems.append(f"{module}: {len(text.splitlines())} lines")
        if "raise NotImplementedError" in text:
            problems.append(f"{module}: a NotImplementedError placeholder")
    assert not problems, "\n".join(problems)
