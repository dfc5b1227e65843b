"""The Azure clients, typed (written by hand): ``OpenAIClient``'s operations, Azure's settings."""

import os as _os
import ssl as _ssl
from collections.abc import Awaitable as _Awaitable
from collections.abc import Callable as _Callable
from collections.abc import Mapping as _Mapping
from typing import Any as _Any
from typing import Literal as _Literal
from typing import Protocol as _Protocol

from openapi_client_openai._client import AsyncOpenAIClient, OpenAIClient
from openapi_client_openai._config import Limits, Timeout

__all__ = ["DEPLOYMENT_PATHS", "REFRESH_MARGIN", "AsyncAzureOpenAIClient", "AzureOpenAIClient"]

DEPLOYMENT_PATHS: frozenset[str]
REFRESH_MARGIN: float

class _AccessToken(_Protocol):
    """What ``azure.identity`` credentials' ``get_token`` returns."""

    @property
    def token(self) -> str: ...
    @property
    def expires_on(self) -> int: ...

class AzureOpenAIClient(OpenAIClient):
    """The blocking client for Azure OpenAI: ``OpenAIClient``'s operations sent to Azure's URLs."""

    azure_endpoint: str
    api_version: str
    azure_deployment: str | None
    def __init__(
        self,
        azure_endpoint: str | None = None,
        *,
        api_version: str | None = None,
        azure_deployment: str | None = None,
        api_key: str | None = None,
        azure_ad_token: str | None = None,
        azure_ad_token_provider: _Callable[[], str | _AccessToken] | None = None,
        base_url: str | None = None,
        spec: str | _os.PathLike[str] | None = None,
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
    ) -> None:
        """``azure_endpoint`` (``AZURE_OPENAI_ENDPOINT``), ``api_version`` (``OPENAI_API_VERSION``;
        none or ``"v1"``: Azure's v1 API), ``azure_deployment``, and one credential: ``api_key``
        (``AZURE_OPENAI_API_KEY``, sent as ``api-key``), ``azure_ad_token``
        (``AZURE_OPENAI_AD_TOKEN``) or ``azure_ad_token_provider``."""
        ...

class AsyncAzureOpenAIClient(AsyncOpenAIClient):
    """The asyncio client for Azure OpenAI; a token provider may be ``async def``."""

    azure_endpoint: str
    api_version: str
    azure_deployment: str | None
    def __init__(
        self,
        azure_endpoint: str | None = None,
        *,
        api_version: str | None = None,
        azure_deployment: str | None = None,
        api_key: str | None = None,
        azure_ad_token: str | None = None,
        azure_ad_token_provider: _Callable[[], str | _AccessToken | _Awaitable[str | _AccessToken]] | None = None,
        base_url: str | None = None,
        spec: str | _os.PathLike[str] | None = None,
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
    ) -> None:
        """The same arguments as ``AzureOpenAIClient``."""
        ...
