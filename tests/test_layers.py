"""The module diagram, read from the source: imports go down the layers, never up.

Every ``import`` of the package is read with ``ast`` (those inside functions and under
``TYPE_CHECKING`` too: a deferred import is still a dependency).  The core's modules are in
``LAYERS``, lowest first; a module may import modules of its own layer or below.  Among the
core's modules there is no cycle.  The edges (``docs/``, ``mock/``, ``cli/``) sit on top:
the core never imports them, docs import the core, the mock the core and docs, the command
line anything; the stub generator (``stubs/``) and the conformance checks (``conform/``) only
the core.
"""

from __future__ import annotations

import ast
import pathlib

from conftest import ROOT

PACKAGE = "openapi_client_openai"
SOURCE = ROOT / "src" / PACKAGE

# The core, lowest layer first.  An entry names a module, a package with all its modules
# (``spec/*``), or a tuple of those that share one layer.  Modules not written yet are simply
# absent.  Against the order issue 10 drew: `_multipart` and `_validation` sit below `spec/`
# (SpecIndex.validator() builds validators, and _validation checks file values with
# _multipart's tests, while it needs nothing from spec/); `_progress` and `_upload` sit below
# `_client` (the client's upload_file() runs _upload, which takes the client as an argument).
# `_parse` sits below `_stream` (a stream's final() parses a structured answer, partial() reads
# JSON as it arrives); `_tools` and `_wait` below `_client`, whose thin methods run them; so is
# `realtime/` (the client's `realtime` property hands the client to it).
# `_signing` (Standard Webhooks signatures) needs only the errors; `webhooks` sits below
# `_client`, whose `webhooks` property hands it the client's spec.
LAYERS: list[str | tuple[str, ...]] = [
    "_version",
    "_errors",
    "_config",
    "_qs",
    "_sse",
    "_chunked",
    "_signing",
    "_multipart",
    "_validation",
    "spec/*",
    "_providers",
    "_request",
    "_log",
    "_retry",
    "_transports/*",
    "_response",
    "_parse",
    "_accumulate",
    "_stream",
    "_progress",
    "_upload",
    "_tools",
    "_wait",
    "realtime/*",
    "webhooks",
    "_client",
    "_azure",
    "_bulk",
    "bulk",
    "types",
    "__init__",
]
# The edges, and which other edges each may import (all of them may import the core).
EDGES = {
    "docs/*": ("docs/*",),
    "conform/*": ("conform/*",),
    "mock/*": ("mock/*", "docs/*", "conform/*"),  # the pytest plugin's --openai-conform
    "stubs/*": ("stubs/*",),
    "cli/*": ("cli/*", "docs/*", "mock/*", "stubs/*", "conform/*"),
    "__main__": ("cli/*",),
}


def _modules() -> dict[str, tuple[pathlib.Path, bool]]:
    """Every module of the package by dotted name under it (``spec._index``; ``__init__`` for
    the package itself), with its file and whether it is a package."""
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        parts = list(path.relative_to(SOURCE).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts) or "__init__"] = (path, is_package)
    return found


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """The package's modules that module ``name`` imports, anywhere in its source."""
    path, is_package = MODULES[name]
    here = [] if name == "__init__" else name.split(".")
    package = here if is_package else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name.split(".")[1:] for a in node.names if a.name.split(".")[0] == PACKAGE]
            found.update(".".join(t) or "__init__" for t in targets)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if (node.module or "").split(".")[0] != PACKAGE:
                    continue
                base = node.module.split(".")[1:]
            else:
                base = package[: len(package) - (node.level - 1)] + (node.module.split(".") if node.module else [])
            for alias in node.names:
                submodule = ".".join([*base, alias.name])
                found.add(submodule if submodule in MODULES else ".".join(base) or "__init__")
    found.discard(name)
    return found


def _matches(name: str, entry: str) -> bool:
    if entry.endswith("/*"):
        package = entry[:-2].replace("/", ".")
        return name == package or name.startswith(package + ".")
    return name == entry


def _layer(name: str) -> int | None:
    for i, entry in enumerate(LAYERS):
        if any(_matches(name, e) for e in (entry if isinstance(entry, tuple) else (entry,))):
            return i
    return None


def _edge(name: str) -> str | None:
    return next((edge for edge in EDGES if _matches(name, edge)), None)


GRAPH = {name: _imports(name) for name in MODULES}


def test_every_module_has_a_place_in_the_diagram() -> None:
    unplaced = [name for name in MODULES if _layer(name) is None and _edge(name) is None]
    assert unplaced == [], f"add these modules to LAYERS or EDGES in {__file__}"


def test_the_core_imports_only_its_own_layer_or_below_and_never_an_edge() -> None:
    wrong = []
    for name, targets in GRAPH.items():
        layer = _layer(name)
        if layer is None:
            continue
        for target in sorted(targets):
            if _edge(target) is not None:
                wrong.append(f"{name} -> {target} (the core imports an edge)")
            elif _layer(target) > layer:
                wrong.append(f"{name} -> {target} (an upward import)")
    assert wrong == []


def test_edges_import_the_core_and_only_the_edges_they_may() -> None:
    wrong = []
    for name, targets in GRAPH.items():
        edge = _edge(name)
        if edge is None:
            continue
        for target in sorted(targets):
            other = _edge(target)
            if other is not None and other != edge and other not in EDGES[edge]:
                wrong.append(f"{name} -> {target}")
    assert wrong == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_cycles_among_the_core_modules() -> None:
    core = {
        name: {t for t in targets if _layer(t) is not None}
        for name, targets in GRAPH.items()
        if _layer(name) is not None
    }
    assert _cycles(core) == []


def test_the_reader_sees_deferred_relative_and_absolute_imports() -> None:
    # The checks above are only as good as this reader: it must see imports inside functions,
    # relative imports of any depth and packages imported by name.
    assert "_validation" in GRAPH["spec._index"]  # inside SpecIndex.validator()
    assert "spec" in GRAPH["mock._app"]  # two dots up, then down
    assert {"spec._walk", "spec._cache"} <= GRAPH["spec._index"] and "spec._walk" in GRAPH["spec._docinfo"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
