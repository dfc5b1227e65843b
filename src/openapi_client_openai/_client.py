"""``OpenAIClient`` and ``AsyncOpenAIClient``: every operation of the spec as a method.

``_BaseClient`` owns everything that does no I/O: configuration, resolving operation
names, building requests, and a call's whole conversation with the server (``_flow``): send,
read the body, then hand back a result or a stream, retry after a delay, or raise.  The flow
is a generator that yields the I/O it needs done; the blocking and asyncio clients each add
only a four-line driver that does it (``_drive``), so every guarantee is written once and
holds on both, whichever transport carries the request.
"""

from __future__ import annotations

import os
import sys
from _thread import allocate_lock
from time import monotonic

from ._config import UNSET, Timeout
from ._errors import APIConnectionError, APIError, ConfigError, MissingAPIKeyError, ParameterError, Secret
from ._version import __version__
from .spec import SpecIndex, load_index

TYPE_CHECKING = False  # avoids importing typing at run time (~5 ms)
if TYPE_CHECKING:
    import asyncio
    import threading
    from collections.abc import AsyncIterator, Callable, Generator, Iterable, Iterator, Mapping, Sequence
    from typing import Any

    from ._request import PreparedRequest
    from ._response import AsyncResult, Result
    from ._stream import AsyncStream, Stream
    from ._tools import FunctionTool, ToolRun
    from ._validation import Problem
    from .spec import Operation
    from .webhooks import Webhooks

# Request building, results and the transport are imported by the first call, not by
# `import` or construction: start-up is a budget (see benchmarks/startup.py).

__all__ = ["DEFAULT_BASE_URL", "AsyncOpenAIClient", "OpenAIClient", "OperationMethod"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
ADMIN_SCHEME = "AdminApiKeyAuth"  # the spec's security scheme of organization (admin) endpoints
ADMIN_KEY_HINT = "set the OPENAI_ADMIN_KEY environment variable or pass admin_api_key="
DEFAULT_TIMEOUT = 600.0
DEFAULT_MAX_RETRIES = 2
_VALIDATE_MODES = ("error", "warn", "off", "strict")
_PY_TYPES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "array": "list",
    "object": "dict",
    "null": "None",
}
# Fields that may hold Python types (a model as response_format, functions as tools): such a
# call goes through _structured, which makes JSON of them and parses the answer.
_TYPED_FIELDS = frozenset({"response_format", "text_format", "tools"})
_USER_AGENT = f"openapi-client-openai/{__version__} Python/{sys.version_info[0]}.{sys.version_info[1]}"


def _secret_key(key: str | None) -> tuple[Secret, str | None]:
    """The key as a ``Secret`` (stripped: ``.env`` files leave newlines), and what is wrong with
    it, if anything, for the caller to raise once no local holds the key any more."""
    if key is None:
        return Secret(None), None
    if not isinstance(key, str):
        return Secret(None), f"the API key must be a string, not {type(key).__name__}"
    if not key.isascii() or not key.strip().isprintable():
        return Secret(None), (
            "the API key holds a character that cannot be sent in a header (non-ASCII or a control "
            "character): check OPENAI_API_KEY or api_key="
        )
    return Secret(key.strip() or None), None


def _check_base_url(url: Any) -> str:
    """The base URL without a trailing slash, its host in ASCII; refuse one that cannot work.

    Credentials in the URL are refused (they would show in every error message that names the
    URL): send them as a header with ``default_headers=``.
    """
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ConfigError(f"base_url must start with http:// or https://, not {url!r}")
    if url.isascii() and url.isprintable() and not any(c in url for c in "@# \\[]"):
        # the usual case, without importing urllib.parse (~1 ms)
        netloc = url.split("//", 1)[1].split("/", 1)[0].split("?", 1)[0]
        port = netloc.rpartition(":")[2] if ":" in netloc else "0"
        if not netloc or not port.isdigit():
            raise ConfigError(f"base_url is not a usable URL (no host, or a port that is not a number): {url!r}")
        return url.rstrip("/")
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError as exc:
        raise ConfigError(f"base_url is not a usable URL ({exc}): {url!r}") from None
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            "base_url holds credentials (user:password@): pass them as a header with default_headers= instead"
        )
    if parts.fragment or not parts.hostname or not url.isprintable() or " " in url:
        raise ConfigError(f"base_url is not a usable URL (a #fragment, no host, or a space): {url!r}")
    host = parts.hostname
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ConfigError(f"the host of base_url cannot be written in ASCII (IDNA): {host!r}") from None
    netloc = parts.netloc.replace(host, ascii_host) if ascii_host != host else parts.netloc
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")).rstrip("/")


class OperationMethod:
    """One operation of the spec, bound to a client: call it to send the request.

    ``method(body=None, *, extra_body=None, extra_query=None, extra_headers=None, timeout=UNSET,
    max_retries=UNSET, **params)``: path, query and header parameters by name; other keywords become JSON body
    fields.  ``inspect.signature(method)`` lists them from the spec.
    """

    __slots__ = ("__name__", "_client", "operation")

    def __init__(self, client: _BaseClient, operation: Operation, name: str) -> None:
        self._client = client
        self.operation = operation
        self.__name__ = name

    def __call__(
        self,
        body: Any = None,
        *,
        extra_body: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Any = UNSET,
        max_retries: Any = UNSET,
        **params: Any,
    ) -> Any:
        """Send the request and return its result (see the class docstring for arguments).

        ``extra_body=``, ``extra_query=`` and ``extra_headers=`` add fields the spec does not
        declare (yet): sent as given, not validated.  ``timeout=`` in seconds (or a ``Timeout``)
        for this call only; ``None`` means no limit.  ``max_retries=`` for this call only.
        """
        client = self._client
        extras = client._extras(self.operation, params, extra_body, extra_query, extra_headers)
        if not _TYPED_FIELDS.isdisjoint(params) or (type(body) is dict and not _TYPED_FIELDS.isdisjoint(body)):
            return client._structured(self.operation, body, params, extras, timeout, False, max_retries)
        return client._call(self.operation, body, params, extras, timeout, max_retries)

    @property
    def __signature__(self) -> Any:
        """The call's parameters from the spec, for ``inspect.signature``, IPython and editors."""
        return self._client._signature(self.operation)

    @property
    def __doc__(self) -> str:  # type: ignore[override]
        """The operation's documentation from the spec (built on first use), with an example."""
        try:
            from .spec import markdown

            return markdown(self._client._index, self.operation.id)
        except Exception:
            op = self.operation
            return f"{op.summary or op.id}\n\n{op.method} {op.path}  (operationId {op.id})"

    def __repr__(self) -> str:
        return f"<operation {self.__name__}: {self.operation.method} {self.operation.path}>"


class _BaseClient:
    """Configuration, name resolution and the I/O-free half of every call."""

    def __init__(
        self,
        spec: str | os.PathLike[str] | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        timeout: Any = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        validate: str = "error",
        default_headers: Mapping[str, str] | None = None,
        stream_idle_timeout: float | None = None,
        max_event_size: int = 16 * 1024 * 1024,
        http_client: Any = None,
        proxy: Any = None,
        verify: Any = True,
        cert: Any = None,
        limits: Any = None,
        admin_api_key: str | None = None,
        provider: str | None = None,
    ) -> None:
        # A provider profile names where the key comes from and the default base URL.
        profile = None
        if provider is not None:
            from ._providers import find_provider

            profile = find_provider(provider)
        self.provider = profile.name if profile is not None else None
        self._key_variable = profile.key_variable if profile is not None else "OPENAI_API_KEY"
        # The keys first, and no local left holding them: tracebacks that show locals (Sentry,
        # rich) must not show them if anything below refuses a setting.
        self._key, problem = _secret_key(api_key if api_key is not None else os.environ.get(self._key_variable))
        api_key = None
        if problem:
            problem = problem.replace("OPENAI_API_KEY", self._key_variable)
        admin = admin_api_key if admin_api_key is not None else os.environ.get("OPENAI_ADMIN_KEY")
        self._admin_key, admin_problem = _secret_key(admin)
        admin = admin_api_key = None
        if problem or admin_problem:
            admin_problem = admin_problem and admin_problem.replace("API key", "admin key").replace(
                "OPENAI_API_KEY or api_key=", "OPENAI_ADMIN_KEY or admin_api_key="
            )
            raise ConfigError(problem or admin_problem)
        self._key.also(self._admin_key.get())
        if os.environ.get("OPENAI_LOG"):
            from ._log import configure_from_env

            configure_from_env()
        if validate not in _VALIDATE_MODES:
            raise ConfigError(f"validate must be 'error', 'warn', 'off' or 'strict', not {validate!r}")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigError(f"max_retries must be a whole number >= 0, not {max_retries!r}")
        if isinstance(max_event_size, bool) or not isinstance(max_event_size, int) or max_event_size <= 0:
            raise ConfigError(f"max_event_size must be a positive number of bytes, not {max_event_size!r}")
        try:
            self._timeout = Timeout.of(timeout)
            if stream_idle_timeout is not None:
                Timeout(stream_idle_timeout)
        except ValueError as exc:
            raise ConfigError(f"{exc} (timeout= and stream_idle_timeout= take seconds, or a Timeout)") from None
        self._check_http_client(http_client, proxy, verify, cert, limits)
        self._wire = _Wire(proxy, verify, cert, limits)
        if proxy is not None:
            self._key.also(_proxy_password(proxy))
        self._index: SpecIndex = load_index(spec)
        # An explicit base_url wins; a provider's URL beats OPENAI_BASE_URL, which is OpenAI's.
        default_url = profile.base_url if profile is not None else os.environ.get("OPENAI_BASE_URL")
        self.base_url: str = _check_base_url(base_url or default_url or DEFAULT_BASE_URL)
        self.organization = organization if organization is not None else os.environ.get("OPENAI_ORG_ID")
        self.project = project if project is not None else os.environ.get("OPENAI_PROJECT_ID")
        self.timeout = timeout
        self.max_retries = max_retries
        self.validate_mode = validate
        self.default_headers = dict(default_headers or {})
        self.stream_idle_timeout = stream_idle_timeout
        self.max_event_size = max_event_size
        self._http_client = http_client
        self._headers: dict[str, str] | None = None

    _HTTPX_CLASS = ""  # the httpx client class a user's own http_client must be

    def _check_http_client(self, http_client: Any, proxy: Any, verify: Any, cert: Any, limits: Any) -> None:
        if http_client is None:
            if proxy is not None:
                _check_proxy(proxy)
            if verify is not True or cert is not None:
                from ._transports.tls import check_tls

                check_tls(verify, cert)
            if limits is not None:
                from ._config import Limits

                Limits.of(limits)
            return
        given = [n for n, v in (("proxy", proxy), ("cert", cert), ("limits", limits)) if v is not None]
        if verify is not True:
            given.append("verify")
        if given:
            raise ConfigError(
                f"http_client= is used as given, so {', '.join(given)}= cannot apply to it: "
                "set them on your httpx client instead, or leave http_client= out"
            )
        import httpx

        wanted = getattr(httpx, self._HTTPX_CLASS)
        if not isinstance(http_client, wanted):
            raise ConfigError(
                f"http_client must be an httpx.{self._HTTPX_CLASS} for {type(self).__name__}, "
                f"not {type(http_client).__name__}"
            )

    # -- operations as attributes -------------------------------------------------------

    def __getattr__(self, name: str) -> OperationMethod:
        if name.startswith("_") or "_index" not in self.__dict__:  # private, or not built (yet)
            raise AttributeError(name)
        op = self._index.operation(name)
        method = OperationMethod(self, op, name)
        self.__dict__[name] = method  # later lookups skip __getattr__
        return method

    @property
    def realtime(self) -> Any:
        """The Realtime API over WebSocket: ``client.realtime.connect(model=...)`` (``realtime`` package)."""
        from . import realtime

        return realtime.Realtime(self) if self._READ == "read" else realtime.AsyncRealtime(self)

    def __dir__(self) -> list[str]:
        # Each operation once, under the name one types (its snake_case name); every other
        # spelling still works.  Methods looked up before sit in __dict__ under any spelling.
        from .spec import snake_case

        names = self._index.names
        own = {n for n in super().__dir__() if n not in names}
        return sorted(own | {snake_case(op_id) for op_id in self._index.data["ops"]})

    def _fields(self, op: Operation) -> dict[str, Any]:
        """The top-level fields of the operation's request body: name -> schema (cached)."""
        cache = self.__dict__.setdefault("_field_cache", {})
        found = cache.get(op.id)
        if found is None:
            found = {}
            if op.content_types:
                from ._validation import Explainer

                schemas = self._index.schemas()
                bodies = (schemas["ops"].get(op.id) or {}).get("body") or {}
                explainer = Explainer(schemas["defs"], "")
                for schema in bodies.values():
                    for name, prop in explainer.properties(schema).items():
                        found.setdefault(name, prop)
            cache[op.id] = found
        return found

    def _extras(self, op: Operation, params: dict, body: Any, query: Any, headers: Any) -> tuple:
        """``(extra_body, extra_query, extra_headers)``, with the old ``query=``/``headers=`` taken
        as extras (deprecated) where the operation has no field or parameter of that name."""
        for name in ("query", "headers"):
            if name in params and name not in op.by_kwarg and name not in self._fields(op):
                legacy = params.pop(name)
                if legacy is None:
                    continue
                import warnings

                warnings.warn(
                    f"{name}= is deprecated for fields the spec does not declare: use extra_{name}= "
                    f"(the new name leaves a body field called {name!r} free)",
                    DeprecationWarning,
                    stacklevel=4,
                )
                if name == "query":
                    query = legacy if query is None else {**legacy, **query}
                else:
                    headers = legacy if headers is None else {**legacy, **headers}
        return body, query, headers

    def _signature(self, op: Operation) -> Any:
        """An ``inspect.Signature`` of the operation's call, built from the spec on first use."""
        cache = self.__dict__.setdefault("_signature_cache", {})
        if op.id in cache:
            return cache[op.id]
        import inspect

        kind = inspect.Parameter.KEYWORD_ONLY
        required = {p.kwarg for p in op.params if p.required}
        params = [inspect.Parameter("body", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None)]
        seen = {"body"}
        for prm in op.params:
            if prm.kwarg.isidentifier() and prm.kwarg not in seen:
                default = inspect.Parameter.empty if prm.kwarg in required else None
                params.append(
                    inspect.Parameter(prm.kwarg, kind, default=default, annotation=_PY_TYPES.get(prm.kind, "Any"))
                )
                seen.add(prm.kwarg)
        body_required = set()
        if op.content_types:
            from ._validation import Explainer

            schemas = self._index.schemas()
            bodies = (schemas["ops"].get(op.id) or {}).get("body") or {}
            first = next(iter(bodies.values()), None)
            if first is not None:
                body_required = Explainer(schemas["defs"], "").required(first)
        for name, schema in self._fields(op).items():
            if name.isidentifier() and name not in seen:
                from ._validation import Explainer

                kinds = Explainer(self._index.schemas()["defs"], "").types(schema)
                hint = " | ".join(sorted(_PY_TYPES.get(k, "Any") for k in kinds)) or "Any"
                # A required field is required only when no body= is given: the signature shows
                # it without a default, as editors should prompt for it.
                default = inspect.Parameter.empty if name in body_required else None
                params.append(inspect.Parameter(name, kind, default=default, annotation=hint))
                seen.add(name)
        for name in ("extra_body", "extra_query", "extra_headers"):
            params.append(inspect.Parameter(name, kind, default=None, annotation="Mapping[str, Any] | None"))
        params.append(inspect.Parameter("timeout", kind, default=UNSET, annotation="float | Timeout | None"))
        params.append(inspect.Parameter("max_retries", kind, default=UNSET, annotation="int"))
        cache[op.id] = signature = inspect.Signature(params)
        return signature

    def with_options(
        self,
        *,
        timeout: Any = UNSET,
        max_retries: Any = UNSET,
        default_headers: Mapping[str, str] | None = None,
    ) -> Any:
        """A copy of this client with other settings, sharing its connection pool and spec.

        ``client.with_options(timeout=5, max_retries=0).list_models()``: what is not given is
        kept; ``default_headers`` are added to this client's (a value of ``None`` drops one).
        The copy costs no new connections; closing either closes the pool of both.
        """
        copy = object.__new__(type(self))
        # Operation methods looked up before are bound to this client: the copy looks up its own.
        copy.__dict__.update(
            {k: v for k, v in self.__dict__.items() if not isinstance(v, OperationMethod) and k != "_headers"}
        )
        copy._headers = None
        if timeout is not UNSET:
            try:
                copy._timeout = Timeout.of(timeout)
            except ValueError as exc:
                raise ConfigError(f"{exc} (timeout= takes seconds, or a Timeout)") from None
            copy.timeout = timeout
        if max_retries is not UNSET:
            if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
                raise ConfigError(f"max_retries must be a whole number >= 0, not {max_retries!r}")
            copy.max_retries = max_retries
        if default_headers is not None:
            merged = {**self.default_headers, **default_headers}
            copy.default_headers = {k: v for k, v in merged.items() if v is not None}
        return copy

    def call(self, operation: str, body: Any = None, **kwargs: Any) -> Any:
        """Call an operation by its operationId (or snake_case alias) given as a string.

        Only operations of the spec resolve: ``call("close")`` is an ``UnknownOperationError``,
        never a client method.
        """
        if not isinstance(operation, str):
            raise ParameterError(f"call() takes an operation name, not {type(operation).__name__}")
        op = self._index.operation(operation)
        return OperationMethod(self, op, operation)(body, **kwargs)

    def parse(self, operation: str, body: Any = None, **kwargs: Any) -> Any:
        """Call a chat completion or Responses operation and parse its structured answer.

        ``client.parse("createChatCompletion", model=..., messages=..., response_format=Booking)``
        or ``client.parse("createResponse", model=..., input=..., text_format=Booking)``, where
        ``Booking`` is a pydantic model, a dataclass or a ``TypedDict`` (sent as a strict schema),
        or a JSON format as a dict.  The result's ``parsed`` (and each chat message's ``parsed``,
        a response's ``output_parsed``) holds the instance; with ``stream=True`` the stream's
        ``final()`` does, and ``partial()`` yields the JSON as it arrives.  A refusal, a ``length``
        or ``content_filter`` finish and JSON that does not fit raise ``RefusalError``,
        ``LengthFinishReasonError``, ``ContentFilterFinishReasonError`` and
        ``OutputValidationError``.  The operation's own method does the same when given a type.
        """
        if not isinstance(operation, str):
            raise ParameterError(f"parse() takes an operation name, not {type(operation).__name__}")
        op = self._index.operation(operation)
        timeout = kwargs.pop("timeout", UNSET)
        max_retries = kwargs.pop("max_retries", UNSET)
        extras = tuple(kwargs.pop(name, None) for name in ("extra_body", "extra_query", "extra_headers"))
        return self._structured(op, body, kwargs, self._extras(op, kwargs, *extras), timeout, True, max_retries)

    def _structured(
        self,
        op: Operation,
        body: Any,
        params: dict,
        extras: tuple,
        timeout: Any,
        always: bool,
        max_retries: Any = UNSET,
    ) -> Any:
        """A call whose arguments may hold Python types: they become JSON (``_tools.prepare``) and
        the answer is parsed on its way back."""
        from ._tools import prepare

        prepared = prepare(self, op, body, params, always)
        if prepared is None:
            return self._call(op, body, params, extras, timeout, max_retries)
        body, parser = prepared
        return self._then(self._call(op, body, params, extras, timeout, max_retries), parser.attach)

    def validate(self, operation: str, body: Any = None, **params: Any) -> list[Problem]:
        """Check a call against the spec without sending it; return its problems (empty if valid).

        Takes the same arguments as the operation's method (``headers=`` and ``timeout=`` are
        ignored).  Each ``Problem`` names the place (``messages[2].content``, ``query: limit``) and
        what the spec allows there.
        """
        op = self._index.operation(operation)
        for name in ("timeout", "max_retries", "extra_body", "extra_query", "extra_headers"):
            params.pop(name, None)
        self._extras(op, params, None, None, None)  # the old query=/headers= are not checked either
        problems, near = self._problems(op, body, params)
        return problems + near if self.validate_mode == "strict" else problems

    def _problems(self, op: Operation, body: Any, params: dict[str, Any]) -> tuple[list[Problem], list[Problem]]:
        """The call's problems against the spec, and its near misses: undeclared fields a typo
        away from declared ones (problems only with ``validate="strict"``)."""
        from ._request import check_body, merge_body

        validator = op.validator
        if validator is None:
            validator = op.validator = self._index.validator(op.id)
        merged = merge_body(op, body, params) if params else body
        if isinstance(merged, (dict, list, tuple)):
            check_body(op, merged)  # keys, depth and values first: the validator walks the body
        try:
            return validator.check(merged, params), validator.near_misses(merged)
        except RecursionError:
            raise ParameterError(f"{op.id}: the call is nested too deeply to check against the spec") from None

    @staticmethod
    def _next_page(op: Operation, page: Any) -> dict[str, Any] | None:
        """The query that fetches the page after ``page`` (its JSON), or None after the last.

        Follows ``has_more`` and the cursor the operation takes: ``after`` with ``last_id`` (or the
        last item's id), or ``page`` with ``next_page``; an empty page alone never ends a list.
        """
        if not isinstance(page, dict):
            return None
        names = {p.name for p in op.params if p.location == "query"}
        if "page" in names and page.get("next_page"):
            return {"page": page["next_page"]}
        if page.get("has_more") is not True:
            return None
        data = page.get("data") if isinstance(page.get("data"), list) else []
        cursor = page.get("last_id") or (data[-1].get("id") if data and isinstance(data[-1], dict) else None)
        if "after" not in names or not cursor:
            from ._errors import APIError

            raise APIError(f"{op.id} says it has more items but gives no cursor to fetch them with")
        return {"after": cursor}

    @staticmethod
    def _advance(op: Operation, params: dict[str, Any], following: dict[str, Any], seen: set) -> None:
        """Move the query to the next page; a cursor seen before (``seen`` keeps them) would loop."""
        cursor = tuple(sorted((k, str(v)) for k, v in following.items()))
        if cursor in seen or all(params.get(k) == v for k, v in following.items()):
            from ._errors import APIError

            raise APIError(f"{op.id} returned the cursor {following} a second time: stopping instead of looping")
        seen.add(cursor)
        params.pop("before", None)  # following `after` from here on
        params.update(following)

    def _list_operation(self, name: str) -> Operation:
        """The operation, if it answers a list page; else an error before anything is sent
        (paginating a paid call such as a chat completion would only repeat it)."""
        op = self._index.operation(name)
        if not op.pages:
            raise ParameterError(
                f"{op.id} does not answer a list (an object with a data array), so it cannot be paginated: "
                "call it directly"
            )
        return op

    def _page_items(self, result: Any) -> list:
        data = result.json() if result.content_type.startswith("application/json") else None
        items = data.get("data") if isinstance(data, dict) else None
        return items if isinstance(items, list) else []

    def operation(self, name: str) -> Operation:
        """Return the ``Operation`` (method, path, parameters...) called ``name``."""
        return self._index.operation(name)

    @property
    def spec(self) -> SpecIndex:
        """The loaded spec's index: source, title, version and operations."""
        return self._index

    @property
    def webhooks(self) -> Webhooks:
        """Verify and unwrap OpenAI's webhooks against this client's spec and ``validate`` setting:
        ``client.webhooks.unwrap(body, headers)`` (see ``openapi_client_openai.webhooks``)."""
        from .webhooks import Webhooks

        return Webhooks(self._index, self.validate_mode)

    # -- the I/O-free core --------------------------------------------------------------

    def _base_headers(self) -> dict[str, str]:
        if self._headers is None:
            from ._request import header_name, header_value

            headers = {"User-Agent": _USER_AGENT}
            if self.organization:
                headers["OpenAI-Organization"] = self.organization
            if self.project:
                headers["OpenAI-Project"] = self.project
            headers.update({k: v for k, v in self.default_headers.items() if v is not None})
            self._headers = {header_name(k): header_value(k, v) for k, v in headers.items()}
        return self._headers

    def _prepare(self, op: Operation, body: Any, params: dict[str, Any], extras: tuple) -> PreparedRequest:
        from ._request import build_request

        if body is not None and not op.content_types:
            names = ", ".join(f"{p.kwarg}=..." for p in op.params) or "keywords"
            raise ParameterError(
                f"{op.id} takes no request body, so a positional argument has no place: pass {names} instead"
            )
        if self.validate_mode != "off":
            problems, near = self._problems(op, body, params)
            if self.validate_mode == "strict":
                problems, near = problems + near, []
            if problems:
                from ._errors import RequestValidationError

                if self.validate_mode in ("error", "strict"):
                    raise RequestValidationError(op.id, problems)
                import logging

                lines = "".join(f"\n  - {p}" for p in problems)
                logging.getLogger("openapi_client_openai").warning(
                    "%s: the request does not fit the spec; sending it anyway (validate='warn'):%s", op.id, lines
                )
            if near:
                _warn_near(op, near, self.validate_mode)
        extra_body, extra_query, extra_headers = extras
        base, extra_query = self._route(op, body, params, extra_query)
        req = build_request(op, base, self._base_headers(), body, params, extra_headers, extra_query, extra_body)
        if op.needs_key and not any(name.lower() == "authorization" for name in req.headers):
            self._authorize(op, req)
        return req

    def _route(self, op: Operation, body: Any, params: dict[str, Any], query: Any) -> tuple[str, Any]:
        """The base URL and extra query of a call: the client's own (the Azure clients route
        deployment-scoped operations and add ``api-version`` here)."""
        return self.base_url, query

    def _authorize(self, op: Operation, req: PreparedRequest) -> None:
        """Add the credential the operation's security schemes ask for: the admin key for
        ``AdminApiKeyAuth`` operations (organization endpoints), else the API key."""
        if ADMIN_SCHEME in op.security:
            key = self._admin_key.get()
            if not key:
                raise MissingAPIKeyError(
                    f"{op.id} needs an admin key (its security scheme is {ADMIN_SCHEME}: an organization "
                    f"admin endpoint): {ADMIN_KEY_HINT} to the client"
                )
        else:
            key = self._key.get()
            if not key:
                raise MissingAPIKeyError(
                    f"{op.id} needs an API key: set the {self._key_variable} environment variable "
                    "or pass api_key= to the client"
                )
        req.headers["Authorization"] = f"Bearer {key}"

    @staticmethod
    def _wants_body(exchange: Any, ctype: str) -> bool:
        # Errors, JSON, empty and small text answers are read at once; binary (and large or
        # unsized text) bodies stay on the connection until asked, to stream them to disk.
        from ._response import is_json_type

        status = exchange.status_code
        if status >= 400 or status == 204 or not ctype or is_json_type(ctype):
            return True
        length = exchange.headers.get("content-length")
        if length == "0":
            return True
        return ctype.startswith("text/") and length is not None and length.isdigit() and int(length) <= 1 << 20

    def _limits(self, timeout: Any, stream: bool) -> Timeout:
        """The call's timeouts: per call if given (``None``: none), else the client's; for a
        stream the read timeout is at most ``stream_idle_timeout``, the head's wait included."""
        if timeout is UNSET:
            limits = self._timeout
        else:
            try:
                limits = Timeout.of(timeout)
            except ValueError as exc:
                raise ParameterError(f"timeout: {exc}") from None
        return limits.with_read(self.stream_idle_timeout) if stream else limits

    def _flow(
        self, op: Operation, req: PreparedRequest, limits: Timeout, max_retries: Any = UNSET
    ) -> Generator[tuple, Any, None]:
        """One call as a conversation, written once for both clients and every transport.

        Yields ``(function, args)`` for the driver to run (send, read the body, sleep) and
        receives its return value, or the ``APIError`` it raised.  Yields ``(None, answer)``
        to hand back a result or a stream; raises the (redacted) error when giving up.
        """
        transport = self._wire.transport or self._open_transport()
        if max_retries is UNSET:
            max_retries = self.max_retries
        from ._log import logger  # after the first call, a lookup

        log = logger()  # None unless INFO lines would be written: one cheap check per call
        if log is not None:
            from ._log import log_answer, log_body, log_request

            log_request(log, req, self._key)
        retries = 0
        while True:
            started = monotonic() if log is not None else 0.0
            got = yield transport.send, (req, limits)
            if log is not None:
                log_answer(log, req, got, retries + 1, started, self._key)
            if not isinstance(got, APIError):
                exchange = got
                ctype = exchange.headers.get("content-type", "")
                if exchange.status_code < 400 and ctype.startswith("text/event-stream"):
                    from . import _stream
                    from ._response import ResponseHead

                    head = ResponseHead(op.id, exchange)
                    stream = getattr(_stream, self._STREAM)
                    yield None, stream(op.id, head, exchange, self.max_event_size, self.stream_idle_timeout, self._key)
                    return
                content = None
                if self._wants_body(exchange, ctype):
                    got = content = yield getattr(exchange, self._READ), ()
                    if log is not None and not isinstance(got, APIError):
                        log_body(log, req, content, self._key)
                if not isinstance(got, APIError):
                    from . import _response

                    result = getattr(_response, self._RESULT)(op.id, exchange, content, self._key)
                    delay = self._outcome(result, req, retries, max_retries)
                    if delay is None:
                        yield None, result
                        return
                    reason = f"HTTP {result.status_code}"
            if isinstance(got, APIError):
                delay = self._after_error(got, retries, max_retries)
                reason = str(self._key.scrub(got))
            from ._log import log_retry

            log_retry(req, delay, retries + 2, max_retries + 1, reason, self._key)
            yield self._sleep, (delay,)
            retries += 1

    def _open_transport(self) -> Any:
        """The transport, made on first use; threads making their first calls at once share one,
        and so do the copies ``with_options`` makes."""
        from ._transports import open_transport

        wire = self._wire
        with wire.lock:
            if wire.transport is None:
                limits = wire.limits
                if limits is not None:
                    from ._config import Limits

                    limits = Limits.of(limits)
                asynchronous = self._READ == "aread"
                wire.transport = open_transport(
                    self.base_url, self._http_client, wire.verify, asynchronous, wire.cert, wire.proxy, limits
                )
            return wire.transport

    @property
    def _transport(self) -> Any:
        """The transport, once the first call has made it (shared with ``with_options`` copies)."""
        return self._wire.transport

    def _outcome(self, result: Any, req: PreparedRequest, retries: int, max_retries: int) -> float | None:
        """Return None to hand back the result, a delay to retry after, or raise the error."""
        if result.status_code < 400:
            return None
        from ._retry import retry_delay, should_retry

        if retries < max_retries and should_retry(result.status_code, result.headers):
            return retry_delay(retries, result.headers)
        from ._response import status_error

        raise _attempts(status_error(result, req.description, self._key), retries + 1)

    def _after_error(self, exc: APIError, retries: int, max_retries: int) -> float:
        """The delay before another try after a failure to talk at all, or raise it (redacted)."""
        if isinstance(exc, APIConnectionError) and retries < max_retries:
            from ._retry import retry_delay

            return retry_delay(retries)
        raise _attempts(self._key.scrub(exc), retries + 1)

    def __repr__(self) -> str:
        index = self.__dict__.get("_index")  # a client whose construction failed has none
        if index is None:
            return f"<{type(self).__name__} (not built)>"
        return (
            f"<{type(self).__name__} base_url={self.__dict__.get('base_url')!r} spec={index.source!r} "
            f"operations={len(index.data['ops'])}>"
        )


class OpenAIClient(_BaseClient):
    """The blocking client: ``client.createChatCompletion(body={...})`` returns a ``Result``.

    Every operation of the spec is a method under its operationId and its snake_case alias
    (``client.create_chat_completion``), and ``client.call("createChatCompletion", ...)``.
    Use it as a context manager, or call ``close()``, to release its connections.
    """

    # the classes and the body reader of this flavour, by name (imported at the first call)
    _HTTPX_CLASS, _RESULT, _STREAM, _READ = "Client", "Result", "Stream", "read"

    @staticmethod
    def _sleep(seconds: float) -> None:
        import time

        time.sleep(seconds)

    def _call(
        self, op: Operation, body: Any, params: dict, extras: tuple, timeout: Any, max_retries: Any = UNSET
    ) -> Result | Stream:
        req = self._prepare(op, body, params, extras)
        flow = self._flow(op, req, self._limits(timeout, req.stream), _retries(max_retries))
        fn, args = next(flow)
        while fn is not None:
            fn, args = flow.send(_run(fn, args))
        return args

    @staticmethod
    def _then(answer: Any, then: Any) -> Any:
        return then(answer)

    def run_tools(
        self,
        operation: str,
        body: Any = None,
        *,
        tools: Sequence[Callable[..., Any] | FunctionTool | Mapping[str, Any]],
        max_steps: int = 10,
        raise_tool_errors: bool = False,
        **kwargs: Any,
    ) -> ToolRun:
        """Let the model call Python functions until it answers: the tool loop, run for you.

        ``client.run_tools("createChatCompletion", model=..., messages=[...], tools=[get_weather])``
        (or ``"createResponse"`` with ``input=``): each turn the model's tool calls are checked
        against the functions' type hints and run together (plain and ``async def`` functions),
        their results sent back, until a turn without tool calls or ``max_steps`` calls of the
        model.  A function that raises becomes an ``Error: ...`` result the model can react to,
        unless ``raise_tool_errors=True`` (then ``ToolError``).  Returns a ``ToolRun``: ``.final``,
        ``.messages`` (the transcript), ``.steps``, ``.finished``.
        """
        from ._tools import drive_sync

        return drive_sync(self, operation, body, kwargs, tools, max_steps, raise_tool_errors)

    def wait(
        self,
        target: Result | Mapping[str, Any],
        *,
        timeout: float | None = None,
        poll_interval: float = 1.0,
        max_interval: float = 10.0,
        until: Iterable[str] | None = None,
        operation: str | None = None,
        cancel: threading.Event | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        """Poll an object (a result or its dict) until its status is final; return it as a dict.

        The retrieve operation and the statuses come from the spec (runs, vector store files and
        file batches, batches, fine-tuning jobs, videos, background responses, eval runs...; see
        ``IN_PROGRESS_RULE``), or ``until=`` names the statuses to stop at.  Waits as long as the
        answer's ``openai-poll-after-ms`` asks, else ``poll_interval`` growing to ``max_interval``;
        raises ``WaitTimeoutError`` after ``timeout`` seconds and ``WaitCancelledError`` once
        ``cancel`` (a ``threading.Event``) is set.  ``operation=`` and path parameters as keywords
        retrieve an object the spec does not describe.
        """
        from ._wait import drive_sync, wait_flow

        flow = wait_flow(self, target, timeout, poll_interval, max_interval, until, operation, params)
        return drive_sync(self, flow, cancel)

    def upload_and_poll(
        self,
        vector_store_id: str,
        files: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
        *,
        purpose: str = "assistants",
        attributes: Mapping[str, Any] | None = None,
        chunking_strategy: Mapping[str, Any] | None = None,
        max_concurrency: int = 4,
        progress: bool | None = None,
        timeout: float | None = None,
        poll_interval: float = 1.0,
    ) -> dict[str, Any]:
        """Upload files into a vector store and wait until they are processed.

        One path: uploaded (``upload_file``), added as a vector store file, waited for; returns the
        vector store file.  A list of paths: uploaded in parallel (``max_concurrency`` at a time,
        with a progress bar on a terminal), added as one file batch, waited for; returns the batch.
        """
        from ._upload import drive, upload_and_poll_flow

        flow = upload_and_poll_flow(
            self,
            vector_store_id,
            files,
            purpose,
            attributes,
            chunking_strategy,
            max_concurrency,
            progress,
            timeout,
            poll_interval,
        )
        return drive(self, flow)

    def pages(self, operation: str, body: Any = None, **kwargs: Any) -> Iterator[Result]:
        """Yield each page (a ``Result``) of a list operation, following its cursor to the end."""
        op = self._list_operation(operation)
        params, seen = dict(kwargs), set()
        while True:
            page = getattr(self, operation)(body, **params)
            yield page
            following = self._next_page(op, page.json())
            if following is None:
                return
            self._advance(op, params, following, seen)

    def upload_file(
        self,
        path: str | os.PathLike[str],
        purpose: str,
        part_size: int = 64 * 1024 * 1024,
        multipart_threshold: int = 64 * 1024 * 1024,
        progress: bool | None = None,
    ) -> dict:
        """Upload a file of any size and return the File object (a dict).

        Up to ``multipart_threshold`` bytes it is one request; above, the Uploads API takes it in
        parts of ``part_size`` sent in parallel, checked by md5 at the end, and an interrupted
        upload resumes where it stopped when called again.  A progress bar shows on a terminal.
        """
        from ._upload import drive, upload_flow

        return drive(self, upload_flow(self, path, purpose, part_size, multipart_threshold, progress))

    def paginate(self, operation: str, body: Any = None, **kwargs: Any) -> Iterator[Any]:
        """Yield the items (dicts, as the API returns them) of a list operation across all pages.

        ``client.paginate("listFiles", purpose="batch", limit=100)``; the snake_case name works too.
        """
        for page in self.pages(operation, body, **kwargs):
            yield from self._page_items(page)

    def close(self) -> None:
        """Close the pooled connections (a user's own ``http_client`` stays open); the copies
        ``with_options`` made share them, so this closes theirs too."""
        transport, self._wire.transport = self._wire.transport, None
        if transport is not None:
            transport.close()

    def __enter__(self) -> OpenAIClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncOpenAIClient(_BaseClient):
    """The asyncio client: ``await client.createChatCompletion(body={...})``.

    The same surface and behaviour as ``OpenAIClient``; results are ``AsyncResult``.
    Use ``async with`` or ``await aclose()`` to release its connections.
    """

    # the classes and the body reader of this flavour, by name (imported at the first call)
    _HTTPX_CLASS, _RESULT, _STREAM, _READ = "AsyncClient", "AsyncResult", "AsyncStream", "aread"

    @staticmethod
    async def _sleep(seconds: float) -> None:
        import asyncio

        await asyncio.sleep(seconds)

    async def _call(
        self, op: Operation, body: Any, params: dict, extras: tuple, timeout: Any, max_retries: Any = UNSET
    ) -> AsyncResult | AsyncStream:
        req = self._prepare(op, body, params, extras)
        flow = self._flow(op, req, self._limits(timeout, req.stream), _retries(max_retries))
        fn, args = next(flow)
        while fn is not None:
            fn, args = flow.send(await _arun(fn, args))
        return args

    @staticmethod
    async def _then(answer: Any, then: Any) -> Any:
        return then(await answer)

    async def run_tools(
        self,
        operation: str,
        body: Any = None,
        *,
        tools: Sequence[Callable[..., Any] | FunctionTool | Mapping[str, Any]],
        max_steps: int = 10,
        raise_tool_errors: bool = False,
        **kwargs: Any,
    ) -> ToolRun:
        """``OpenAIClient.run_tools`` on the event loop: a turn's tool calls run together
        (``async def`` functions awaited, plain ones in worker threads)."""
        from ._tools import drive_async

        return await drive_async(self, operation, body, kwargs, tools, max_steps, raise_tool_errors)

    async def wait(
        self,
        target: AsyncResult | Mapping[str, Any],
        *,
        timeout: float | None = None,
        poll_interval: float = 1.0,
        max_interval: float = 10.0,
        until: Iterable[str] | None = None,
        operation: str | None = None,
        cancel: asyncio.Event | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        """``OpenAIClient.wait`` on the event loop; ``cancel`` is an ``asyncio.Event``, and
        cancelling the task stops the wait too."""
        from ._wait import drive_async, wait_flow

        flow = wait_flow(self, target, timeout, poll_interval, max_interval, until, operation, params)
        return await drive_async(self, flow, cancel)

    async def upload_file(
        self,
        path: str | os.PathLike[str],
        purpose: str,
        part_size: int = 64 * 1024 * 1024,
        multipart_threshold: int = 64 * 1024 * 1024,
        progress: bool | None = None,
    ) -> dict:
        """``OpenAIClient.upload_file`` on the event loop: the parts are sent as tasks, and the
        file is read in worker threads; an interrupted upload resumes the same way."""
        from ._upload import adrive, upload_flow

        return await adrive(self, upload_flow(self, path, purpose, part_size, multipart_threshold, progress))

    async def upload_and_poll(
        self,
        vector_store_id: str,
        files: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
        *,
        purpose: str = "assistants",
        attributes: Mapping[str, Any] | None = None,
        chunking_strategy: Mapping[str, Any] | None = None,
        max_concurrency: int = 4,
        progress: bool | None = None,
        timeout: float | None = None,
        poll_interval: float = 1.0,
    ) -> dict[str, Any]:
        """``OpenAIClient.upload_and_poll`` on the event loop: uploads as tasks, then ``wait``."""
        from ._upload import adrive, upload_and_poll_flow

        flow = upload_and_poll_flow(
            self,
            vector_store_id,
            files,
            purpose,
            attributes,
            chunking_strategy,
            max_concurrency,
            progress,
            timeout,
            poll_interval,
        )
        return await adrive(self, flow)

    async def pages(self, operation: str, body: Any = None, **kwargs: Any) -> AsyncIterator[AsyncResult]:
        """Yield each page (an ``AsyncResult``) of a list operation, following its cursor."""
        op = self._list_operation(operation)
        params, seen = dict(kwargs), set()
        while True:
            page = await getattr(self, operation)(body, **params)
            yield page
            following = self._next_page(op, page.json())
            if following is None:
                return
            self._advance(op, params, following, seen)

    async def paginate(self, operation: str, body: Any = None, **kwargs: Any) -> AsyncIterator[Any]:
        """Yield the items of a list operation across all pages: ``async for item in ...``."""
        async for page in self.pages(operation, body, **kwargs):
            for item in self._page_items(page):
                yield item

    async def aclose(self) -> None:
        """Close the pooled connections (a user's own ``http_client`` stays open); the copies
        ``with_options`` made share them, so this closes theirs too."""
        transport, self._wire.transport = self._wire.transport, None
        if transport is not None:
            await transport.aclose()

    async def __aenter__(self) -> AsyncOpenAIClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class _Wire:
    """The transport settings of a client and the transport made from them on first use:
    one per client, shared by the copies ``with_options`` makes (one pool for all)."""

    __slots__ = ("cert", "limits", "lock", "proxy", "transport", "verify")

    def __init__(self, proxy: Any, verify: Any, cert: Any, limits: Any) -> None:
        self.proxy = proxy
        self.verify = verify
        self.cert = cert
        self.limits = limits
        self.lock = allocate_lock()
        self.transport: Any = None

    def __repr__(self) -> str:  # the proxy URL may hold a password: never shown
        return f"<wire proxy={'set' if self.proxy is not None else 'none'} transport={type(self.transport).__name__}>"


def _check_proxy(proxy: Any) -> None:
    """Refuse a ``proxy=`` that cannot work (without showing a password it may hold)."""
    url = proxy if isinstance(proxy, str) else getattr(proxy, "url", None)
    text = str(url) if url is not None else ""
    if not text.startswith(("http://", "https://", "socks5://", "socks5h://")):
        shown = text.split("://", 1)[0] + "://..." if "://" in text else type(proxy).__name__
        raise ConfigError(
            f"proxy must be a URL starting with http://, https:// or socks5:// (or an httpx.Proxy), not {shown}"
        )


def _proxy_password(proxy: Any) -> str | None:
    """The password in a proxy URL, to be masked wherever the key is."""
    url = proxy if isinstance(proxy, str) else str(getattr(proxy, "url", ""))
    from urllib.parse import unquote, urlsplit

    try:
        password = urlsplit(url).password
    except ValueError:
        return None
    return unquote(password) if password else None


def _retries(value: Any) -> Any:
    """A per-call ``max_retries=``, checked (``UNSET``: the client's)."""
    if value is UNSET:
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ParameterError(f"max_retries must be a whole number >= 0, not {value!r}")
    return value


def _warn_near(op: Operation, near: list[Problem], mode: str) -> None:
    """Say that fields look mistyped (sent anyway): a warning, or a log line with ``validate="warn"``."""
    lines = "".join(f"\n  - {p}" for p in near)
    text = f"{op.id}: fields the spec does not declare, sent as given; typos?{lines}"
    if mode == "warn":
        import logging

        logging.getLogger("openapi_client_openai").warning("%s", text)
        return
    import warnings

    from ._errors import UnknownFieldWarning

    warnings.warn(
        UnknownFieldWarning(text + "\n(validate='strict' refuses them; extra_body= sends a field unchecked)"),
        stacklevel=5,
    )


def _attempts(exc: APIError, attempts: int) -> APIError:
    """Note on the error how many attempts were made (``exc.attempts``; in the message if more than one)."""
    exc.attempts = attempts
    if attempts > 1 and exc.args and isinstance(exc.args[0], str):
        text = f"{exc.args[0]} (gave up after {attempts} attempts)"
        exc.args = (text, *exc.args[1:])
    return exc


def _run(fn: Any, args: tuple) -> Any:
    """Do one step of a call's flow; an ``APIError`` is returned to the flow, not raised."""
    try:
        return fn(*args)
    except APIError as exc:
        return exc


async def _arun(fn: Any, args: tuple) -> Any:
    """``_run`` for the asyncio client: the step is awaited."""
    try:
        return await fn(*args)
    except APIError as exc:
        return exc
