"""The two generated files as text: ``types.pyi`` and ``_client.pyi``."""

from __future__ import annotations

from .._version import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._methods import ClientStubs

__all__ = ["render_client", "render_types"]


def _title(stubs: ClientStubs) -> str:
    data = stubs.index.data
    return f"{data['title'] or 'the spec'} {data['version']}".strip()


_TYPES_HEAD = '''"""The types of {title}: a TypedDict, ``Literal`` or alias for every schema that a request,
an answer or a stream event uses, named as in the spec.

Generated from the spec by openapi-client-openai {version}; do not edit (``openapi-client-openai
stubs`` makes them for another spec).  At run time every name here is ``dict``, as TypedDicts are.
A schema used in requests and answers whose two forms differ has two names: ``Name`` for what
the API answers, ``NameParam`` for what a request may send (fields the API fills in are
optional there; any sequence or mapping will do for an array or object).
"""

{imports}
_T_co = _TypeVar("_T_co", covariant=True)

FileInput: _TypeAlias = (
    _os.PathLike[str]
    | bytes
    | _IO[bytes]
    | tuple[str | None, bytes | _IO[bytes]]
    | tuple[str | None, bytes | _IO[bytes], str]
)
"""A file to upload: a path (``pathlib.Path``), its bytes, a file open in binary mode, or
``(filename, content)`` / ``(filename, content, content_type)``."""

class SequenceNotStr(_Protocol[_T_co]):
    """A list or tuple (any sequence but ``str``: a string is not a list of strings here)."""

    @_overload
    def __getitem__(self, index: _SupportsIndex, /) -> _T_co: ...
    @_overload
    def __getitem__(self, index: slice, /) -> _Sequence[_T_co]: ...
    def __contains__(self, value: object, /) -> bool: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> _Iterator[_T_co]: ...
    def index(self, value: _Any, start: int = 0, stop: int = ..., /) -> int: ...
    def count(self, value: _Any, /) -> int: ...
    def __reversed__(self) -> _Iterator[_T_co]: ...

'''


# Every import a generated file may need, by the name it binds: each is written only where used.
_IMPORTS = [
    ("_os", "import os as _os"),
    ("_ssl", "import ssl as _ssl"),
    ("_asyncio", "import asyncio as _asyncio"),
    ("_threading", "import threading as _threading"),
    ("_AsyncIterator", "from collections.abc import AsyncIterator as _AsyncIterator"),
    ("_Callable", "from collections.abc import Callable as _Callable"),
    ("_Iterable", "from collections.abc import Iterable as _Iterable"),
    ("_Iterator", "from collections.abc import Iterator as _Iterator"),
    ("_Mapping", "from collections.abc import Mapping as _Mapping"),
    ("_Sequence", "from collections.abc import Sequence as _Sequence"),
    ("_IO", "from typing import IO as _IO"),
    ("_Any", "from typing import Any as _Any"),
    ("_Protocol", "from typing import Protocol as _Protocol"),
    ("_SupportsIndex", "from typing import SupportsIndex as _SupportsIndex"),
    ("_TypeVar", "from typing import TypeVar as _TypeVar"),
    ("_overload", "from typing import overload as _overload"),
    ("", ""),
    ("_Literal", "from typing_extensions import Literal as _Literal"),
    ("_NotRequired", "from typing_extensions import NotRequired as _NotRequired"),
    ("_Required", "from typing_extensions import Required as _Required"),
    ("_Self", "from typing_extensions import Self as _Self"),
    ("_TypeAlias", "from typing_extensions import TypeAlias as _TypeAlias"),
    ("_TypedDict", "from typing_extensions import TypedDict as _TypedDict"),
    ("_Unpack", "from typing_extensions import Unpack as _Unpack"),
    ("", ""),
    ("_t", "from openapi_client_openai import types as _t"),
    ("Limits", "from openapi_client_openai._config import Limits"),
    ("Timeout", "from openapi_client_openai._config import Timeout"),
    ("AsyncResult", "from openapi_client_openai._response import AsyncResult"),
    ("Result", "from openapi_client_openai._response import Result"),
    ("AsyncStream", "from openapi_client_openai._stream import AsyncStream"),
    ("EventData", "from openapi_client_openai._stream import EventData"),
    ("Stream", "from openapi_client_openai._stream import Stream"),
    ("_FunctionTool", "from openapi_client_openai._tools import FunctionTool as _FunctionTool"),
    ("_ToolRun", "from openapi_client_openai._tools import ToolRun as _ToolRun"),
    ("Problem", "from openapi_client_openai._validation import Problem"),
    ("AsyncRealtime", "from openapi_client_openai.realtime import AsyncRealtime"),
    ("Realtime", "from openapi_client_openai.realtime import Realtime"),
    ("Operation", "from openapi_client_openai.spec import Operation"),
    ("SpecIndex", "from openapi_client_openai.spec import SpecIndex"),
    ("FileInput", "from openapi_client_openai.types import FileInput"),
    ("SequenceNotStr", "from openapi_client_openai.types import SequenceNotStr"),
    ("Webhooks", "from openapi_client_openai.webhooks import Webhooks"),
]


def _with_imports(text: str, defined: frozenset[str] = frozenset()) -> str:
    """``text`` with its ``{imports}`` filled: those of ``_IMPORTS`` whose name it uses (and
    does not define itself), in groups."""
    import re

    code = re.sub(r'"""(?:[^"\\]|\\.|"(?!""))*"""', "", text.replace("{imports}", ""))  # docstrings name no type
    used = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code))
    lines: list[str] = []
    for name, line in _IMPORTS:
        if not name:
            if lines and lines[-1]:
                lines.append("")
        elif name in used and name not in defined:
            lines.append(line)
    return text.replace("{imports}", "\n".join(lines).strip("\n") + "\n")


def render_types(stubs: ClientStubs) -> str:
    """``types.pyi``: the header, then every type, sorted by name."""
    head = _TYPES_HEAD.replace("{title}", _title(stubs)).replace("{version}", __version__)
    return _with_imports(head + "\n" + stubs.types.render(), frozenset({"FileInput", "SequenceNotStr"}))


_CLIENT_HEAD = '''"""The clients, typed for {title}: every operation of the spec as a method.

Generated from the spec by openapi-client-openai {version}; do not edit (``openapi-client-openai
stubs`` makes them for another spec).  At run time the methods are resolved from the spec.
"""

{imports}
__all__ = ["DEFAULT_BASE_URL", "AsyncOpenAIClient", "OpenAIClient", "OperationMethod"]

DEFAULT_BASE_URL: str

class OperationMethod:
    """One operation of the spec, bound to a client (what ``client.call`` and unknown names use)."""

    operation: Operation
    __name__: str
    def __call__(self, body: _Any = None, **kwargs: _Any) -> _Any: ...

class _BaseClient:
    base_url: str
    provider: str | None
    organization: str | None
    project: str | None
    timeout: float | Timeout | None
    max_retries: int
    validate_mode: str
    default_headers: dict[str, str]
    stream_idle_timeout: float | None
    max_event_size: int
    def __init__(
        self,
        spec: str | _os.PathLike[str] | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        timeout: float | Timeout | None = 600,
        max_retries: int = 2,
        validate: _Literal["error", "warn", "off", "strict"] = "error",
        default_headers: _Mapping[str, str] | None = None,
        stream_idle_timeout: float | None = None,
        max_event_size: int = 16777216,
        http_client: _Any = None,
        proxy: str | _Any | None = None,
        verify: bool | str | _ssl.SSLContext = True,
        cert: str | tuple[str, str | None] | tuple[str, str | None, str | None] | None = None,
        limits: Limits | _Any | None = None,
        admin_api_key: str | None = None,
        provider: str | None = None,
    ) -> None:
        """Load the spec (argument, environment, downloaded, packaged default) and configure the
        client: key, base URL, organization and project default to ``OPENAI_API_KEY``,
        ``OPENAI_BASE_URL``, ``OPENAI_ORG_ID`` and ``OPENAI_PROJECT_ID``.  ``http_client`` is an
        ``httpx.Client`` (``httpx.AsyncClient`` for the async client), used as given; else
        ``proxy``, ``verify`` (CA bundle path, ``"system"``, an ``SSLContext`` or ``False``),
        ``cert`` (client certificate) and ``limits`` (pool sizes) configure the connections.
        ``admin_api_key`` (default ``OPENAI_ADMIN_KEY``) is sent to the operations whose security
        scheme is ``AdminApiKeyAuth`` (the organization endpoints).  ``provider`` names an
        OpenAI-compatible service (``"groq"``, ``"deepseek"``, ``"together"``, ``"xai"``...): its
        base URL and its key variable (``GROQ_API_KEY``...) become the defaults."""
        ...
    def with_options(
        self,
        *,
        timeout: float | Timeout | None = ...,
        max_retries: int = ...,
        default_headers: _Mapping[str, str | None] | None = None,
    ) -> _Self:
        """A copy of this client with other settings, sharing its connection pool and spec."""
        ...
    def validate(self, operation: str, body: _Any = None, **params: _Any) -> list[Problem]:
        """Check a call against the spec without sending it; return its problems (empty if valid)."""
        ...
    def operation(self, name: str) -> Operation:
        """Return the ``Operation`` (method, path, parameters...) called ``name``."""
        ...
    @property
    def spec(self) -> SpecIndex:
        """The loaded spec's index: source, title, version and operations."""
        ...
    @property
    def webhooks(self) -> Webhooks:
        """Verify and unwrap OpenAI's webhooks against this client's spec and ``validate`` setting:
        ``client.webhooks.unwrap(body, headers)``."""
        ...

class OpenAIClient(_BaseClient):
    """The blocking client: ``client.create_chat_completion(...)`` returns a ``Result``
    (or a ``Stream`` for a body with ``stream=True``)."""

    def call(self, operation: str, body: _Any = None, **kwargs: _Any) -> _Any:
        """Call an operation by its operationId (or snake_case alias) given as a string."""
        ...
    @property
    def realtime(self) -> Realtime:
        """The Realtime API over WebSocket: ``with client.realtime.connect(model=...) as conn:``."""
        ...
    def close(self) -> None:
        """Close the pooled connections (a user's own ``http_client`` stays open)."""
        ...
    def __enter__(self) -> _Self: ...
    def __exit__(self, *exc: object) -> None: ...
    def upload_file(
        self,
        path: str | _os.PathLike[str],
        purpose: str,
        part_size: int = 67108864,
        multipart_threshold: int = 67108864,
        progress: bool | None = None,
    ) -> {upload}:
        """Upload a file of any size (the Uploads API above ``multipart_threshold``) and return
        the File object."""
        ...
    def parse(self, operation: str, body: _Any = None, **kwargs: _Any) -> _Any:
        """Call a chat completion or Responses operation and parse its structured answer:
        ``response_format=`` (chat) or ``text_format=`` (Responses) a pydantic model, dataclass,
        ``TypedDict`` or JSON format; the result's ``parsed`` holds the object (with
        ``stream=True``, the stream's ``final()``, and ``partial()`` as it arrives)."""
        ...
    def run_tools(
        self,
        operation: str,
        body: _Any = None,
        *,
        tools: _Sequence[_Callable[..., _Any] | _FunctionTool | _Mapping[str, _Any]],
        max_steps: int = 10,
        raise_tool_errors: bool = False,
        **kwargs: _Any,
    ) -> _ToolRun:
        """Let the model call Python functions until it answers: the tool loop, run for you."""
        ...
    def wait(
        self,
        target: Result[_Any] | _Mapping[str, _Any],
        *,
        timeout: float | None = None,
        poll_interval: float = 1.0,
        max_interval: float = 10.0,
        until: _Iterable[str] | None = None,
        operation: str | None = None,
        cancel: _threading.Event | None = None,
        **params: _Any,
    ) -> dict[str, _Any]:
        """Poll an object (a result or its dict) until its status is final; return it as a dict."""
        ...
    def upload_and_poll(
        self,
        vector_store_id: str,
        files: str | _os.PathLike[str] | _Sequence[str | _os.PathLike[str]],
        *,
        purpose: str = "assistants",
        attributes: _Mapping[str, _Any] | None = None,
        chunking_strategy: _Mapping[str, _Any] | None = None,
        max_concurrency: int = 4,
        progress: bool | None = None,
        timeout: float | None = None,
        poll_interval: float = 1.0,
    ) -> dict[str, _Any]:
        """Upload files into a vector store and wait until they are processed (a vector store
        file for one path, a file batch for a list)."""
        ...
{sync_lists}{sync_ops}
class AsyncOpenAIClient(_BaseClient):
    """The asyncio client: ``await client.create_chat_completion(...)`` returns an ``AsyncResult``
    (or an ``AsyncStream`` for a body with ``stream=True``)."""

    async def call(self, operation: str, body: _Any = None, **kwargs: _Any) -> _Any:
        """Call an operation by its operationId (or snake_case alias) given as a string."""
        ...
    @property
    def realtime(self) -> AsyncRealtime:
        """The Realtime API over WebSocket: ``async with client.realtime.connect(model=...) as conn:``."""
        ...
    async def aclose(self) -> None:
        """Close the pooled connections (a user's own ``http_client`` stays open)."""
        ...
    async def __aenter__(self) -> _Self: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def parse(self, operation: str, body: _Any = None, **kwargs: _Any) -> _Any:
        """``OpenAIClient.parse`` on the event loop."""
        ...
    async def upload_file(
        self,
        path: str | _os.PathLike[str],
        purpose: str,
        part_size: int = 67108864,
        multipart_threshold: int = 67108864,
        progress: bool | None = None,
    ) -> {upload}:
        """``OpenAIClient.upload_file`` on the event loop (the parts sent as tasks)."""
        ...
    async def upload_and_poll(
        self,
        vector_store_id: str,
        files: str | _os.PathLike[str] | _Sequence[str | _os.PathLike[str]],
        *,
        purpose: str = "assistants",
        attributes: _Mapping[str, _Any] | None = None,
        chunking_strategy: _Mapping[str, _Any] | None = None,
        max_concurrency: int = 4,
        progress: bool | None = None,
        timeout: float | None = None,
        poll_interval: float = 1.0,
    ) -> dict[str, _Any]:
        """``OpenAIClient.upload_and_poll`` on the event loop."""
        ...
    async def run_tools(
        self,
        operation: str,
        body: _Any = None,
        *,
        tools: _Sequence[_Callable[..., _Any] | _FunctionTool | _Mapping[str, _Any]],
        max_steps: int = 10,
        raise_tool_errors: bool = False,
        **kwargs: _Any,
    ) -> _ToolRun:
        """``OpenAIClient.run_tools`` on the event loop (``async def`` tools awaited)."""
        ...
    async def wait(
        self,
        target: AsyncResult[_Any] | _Mapping[str, _Any],
        *,
        timeout: float | None = None,
        poll_interval: float = 1.0,
        max_interval: float = 10.0,
        until: _Iterable[str] | None = None,
        operation: str | None = None,
        cancel: _asyncio.Event | None = None,
        **params: _Any,
    ) -> dict[str, _Any]:
        """``OpenAIClient.wait`` on the event loop; ``cancel`` is an ``asyncio.Event``."""
        ...
{async_lists}{async_ops}'''


def render_client(stubs: ClientStubs) -> str:
    """``_client.pyi``: both clients, their own methods and one per operation."""
    text = _CLIENT_HEAD.format(
        imports="{imports}",
        title=_title(stubs),
        version=__version__,
        upload=stubs.upload_answer(),
        sync_lists=stubs.paginate(False),
        sync_ops=stubs.render(False),
        async_lists=stubs.paginate(True),
        async_ops=stubs.render(True),
    )
    return _with_imports(text)
