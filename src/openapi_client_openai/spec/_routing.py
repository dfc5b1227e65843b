"""Routing: which operation answers a method and a path, and with which path parameters.

The router is built from the compiled index, so that everything that goes from a URL back
to an operation (``SpecIndex.route``, bulk runs, the mock server) agrees.  Routes are tried
most specific first: more literal characters in the path template win
(``/files/search`` before ``/files/{file_id}``).  A path the spec writes with a query
(``/responses?beta=true``) is its own route: it answers a request that carries that query,
and the plain path's route answers one that does not.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # avoids importing typing at run time (~5 ms)
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Route", "Router"]

_PLACEHOLDER = re.compile(r"(\{[^}]+\})")


class Route:
    """One operation's place in the URL space: method, path template, the query it fixes."""

    __slots__ = ("literal", "method", "names", "op_id", "regex", "static", "template")

    def __init__(self, op_id: str, method: str, path: str) -> None:
        self.op_id = op_id
        self.method = method
        self.template, _, query = path.partition("?")
        # `?beta=true` in the spec's path: the query this route answers to.
        self.static = dict(part.partition("=")[::2] for part in query.split("&") if part) if query else {}
        parts = _PLACEHOLDER.split(self.template)
        self.regex = re.compile(
            "".join(f"(?P<p{i}>[^/]+)" if p.startswith("{") else re.escape(p) for i, p in enumerate(parts)) + "$"
        )
        self.names = {f"p{i}": p[1:-1] for i, p in enumerate(parts) if p.startswith("{")}
        self.literal = sum(len(p) for p in parts if not p.startswith("{"))

    def __repr__(self) -> str:
        query = "?" + "&".join(f"{k}={v}" for k, v in self.static.items()) if self.static else ""
        return f"<Route {self.method} {self.template}{query} -> {self.op_id}>"


class Router:
    """Finds the operation for a method and a path (under the base URL), from an index's data."""

    __slots__ = ("_by_method", "routes")

    def __init__(self, ops: Mapping[str, tuple]) -> None:
        # Most literal characters first; at a tie, a route fixing more query parameters first.
        routes = sorted(
            (Route(op_id, entry[0], entry[1]) for op_id, entry in ops.items()),
            key=lambda r: (-r.literal, -len(r.static)),
        )
        self.routes: list[Route] = routes
        self._by_method: dict[str, list[Route]] = {}
        for route in routes:
            self._by_method.setdefault(route.method, []).append(route)

    def match(
        self, method: str, path: str, query: Mapping[str, str] | None = None
    ) -> tuple[Route, dict[str, str]] | None:
        """Return the route that answers ``method path`` and its path parameters by their names
        in the spec, or None.

        With ``query`` (the request's query parameters), a route the spec writes with a query
        answers only a request carrying that query, and wins over the plain path.  Without it,
        such a route answers only when no plain route does.
        """
        plain = fixed = None
        for route in self._by_method.get(method, ()):
            match = route.regex.match(path)
            if match is None:
                continue
            if route.static:
                if query is not None and all(query.get(k) == v for k, v in route.static.items()):
                    return route, {route.names[k]: v for k, v in match.groupdict().items()}
                if fixed is None:
                    fixed = (route, match)
            elif plain is None:
                if query is None:  # only a route fixing a query could beat it, and none can match
                    return route, {route.names[k]: v for k, v in match.groupdict().items()}
                plain = (route, match)
        found = plain or (fixed if query is None else None)
        if found is None:
            return None
        route, match = found
        return route, {route.names[k]: v for k, v in match.groupdict().items()}
