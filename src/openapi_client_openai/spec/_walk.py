"""The one walker over a parsed OpenAPI document: one ``$ref`` resolver, one parameter rule.

Everything that reads a parsed spec goes through ``Walker``: the index compiler
(``_index``), the validation schemas (``_schemas``) and the documentation
(``docs/_info``).  So a reference means the same thing everywhere, and so does the list
of an operation's parameters:

- a ``$ref`` is a local JSON pointer (``#/components/schemas/Name``, with ``~1`` for ``/``
  and ``~0`` for ``~``); a chain of them is followed at most ``MAX_CHAIN`` steps (a cycle
  stops there), and one that leads nowhere (another file, a missing name) resolves to None;
- an operation's parameters are its own followed by its path's, and an operation-level
  parameter overrides the path-level one with the same ``(name, in)``, as OpenAPI says;
  entries that are not parameters (no ``name`` or no ``in``) are left out.

``Resolver`` alone serves any document that points into itself, such as the compiled
component schemas the mock and the docs make values from (``{"$defs": defs}``).
"""

from __future__ import annotations

TYPE_CHECKING = False  # avoids importing typing at run time (~5 ms)
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

__all__ = ["MAX_CHAIN", "METHODS", "Resolver", "Walker", "merge_parameters"]

MAX_CHAIN = 32
# The HTTP methods a path item may hold operations under, in the order operations are listed.
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


class Resolver:
    """Resolves the local ``$ref``s of one document (its ``root``), remembering each target."""

    __slots__ = ("_targets", "root")

    def __init__(self, root: Any) -> None:
        self.root = root
        self._targets: dict[str, Any] = {}

    def target(self, ref: Any) -> Any:
        """Return what the reference ``ref`` (the text of a ``$ref``) points at, or None."""
        if not isinstance(ref, str):
            return None
        try:
            return self._targets[ref]
        except KeyError:
            pass
        node: Any = None
        if ref.startswith("#/"):
            node = self.root
            for part in ref[2:].split("/"):
                if not isinstance(node, dict):
                    node = None
                    break
                node = node.get(part.replace("~1", "/").replace("~0", "~"))
        self._targets[ref] = node
        return node

    def resolve(self, node: Any) -> Any:
        """Follow ``node``'s ``$ref`` chain to what it means (``node`` itself when it is no reference).

        Keywords beside a ``$ref`` are not kept: in a spec they only document the reference.
        Returns None when the chain leads nowhere.
        """
        for _ in range(MAX_CHAIN):
            if not (isinstance(node, dict) and "$ref" in node):
                return node
            node = self.target(node["$ref"])
        return node

    def resolve_named(self, node: Any) -> tuple[Any, str | None]:
        """Like ``resolve``, and also the name the last reference followed ends in (a schema's
        component name), or None when ``node`` is no reference."""
        name = None
        for _ in range(MAX_CHAIN):
            if not (isinstance(node, dict) and "$ref" in node):
                break
            ref = node["$ref"]
            name = str(ref).rsplit("/", 1)[-1]
            node = self.target(ref)
        return node, name


def merge_parameters(resolver: Resolver, path_level: Any, operation_level: Any) -> list[dict]:
    """Return an operation's parameters, resolved: its own, then its path's that it does not
    override by ``(name, in)``.  Lists that are not lists, and entries without a ``name`` and an
    ``in``, count as absent."""
    merged = []
    seen = set()
    own = operation_level if isinstance(operation_level, list) else ()
    shared = path_level if isinstance(path_level, list) else ()
    for raw in (*own, *shared):
        prm = resolver.resolve(raw)
        if not isinstance(prm, dict) or "name" not in prm or "in" not in prm:
            continue
        key = (prm["name"], prm["in"])
        if key not in seen:
            seen.add(key)
            merged.append(prm)
    return merged


class Walker(Resolver):
    """Walks a parsed OpenAPI document (3.0 or 3.1): its operations and what they refer to."""

    __slots__ = ()

    def operations(self) -> Iterator[tuple[str, str, dict, list[dict]]]:
        """Yield ``(path, method, operation, parameters)`` for every operation, in spec order.

        Path items may be references; ``parameters`` follow ``merge_parameters``.
        """
        paths = self.root.get("paths") if isinstance(self.root, dict) else None
        if not isinstance(paths, dict):
            return
        for path, item in paths.items():
            item = self.resolve(item)
            if not isinstance(item, dict):
                continue
            for method in METHODS:
                op = item.get(method)
                if isinstance(op, dict):
                    yield str(path), method, op, merge_parameters(self, item.get("parameters"), op.get("parameters"))
