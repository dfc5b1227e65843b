"""``AzureOpenAIClient`` and ``AsyncAzureOpenAIClient``: the same operations, sent the Azure way.

Arguments and environment variables are the official SDK's: ``azure_endpoint``
(``AZURE_OPENAI_ENDPOINT``), ``api_version`` (``OPENAI_API_VERSION``), ``azure_deployment``,
``api_key`` (``AZURE_OPENAI_API_KEY``, sent as ``api-key``), ``azure_ad_token``
(``AZURE_OPENAI_AD_TOKEN``) and ``azure_ad_token_provider``.  Where a call goes:

- a dated ``api_version``: deployment-scoped operations (chat and text completions,
  embeddings, audio, images: ``DEPLOYMENT_PATHS``) to
  ``{endpoint}/openai/deployments/{deployment}/...?api-version=...``, the deployment being
  ``azure_deployment`` or else the body's ``model``; every other operation (files, batches...)
  to ``{endpoint}/openai/...?api-version=...``;
- ``api_version="v1"``, or none given: Azure's v1 API, ``{endpoint}/openai/v1/...`` with no
  ``api-version`` (the deployment goes in the body's ``model``);
- Azure's own spec (``spec="azure"``), whose paths hold ``/deployments/{deployment-id}``: the
  deployment and ``api-version`` fill those parameters when not given.

A token provider is asked before each call; one that returns an object with ``token`` and
``expires_on`` (as ``azure.identity`` credentials' ``get_token`` does) only when that token is
within ``REFRESH_MARGIN`` seconds of expiring (``_TokenCache``, shared by both clients; only
asking the provider differs: the asyncio client awaits a provider that returns an awaitable).
"""

from __future__ import annotations

import os

from ._client import AsyncOpenAIClient, OpenAIClient
from ._config import UNSET
from ._errors import ConfigError, MissingAPIKeyError, ParameterError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from ._request import PreparedRequest
    from ._response import AsyncResult, Result
    from ._stream import AsyncStream, Stream
    from .spec import Operation

__all__ = ["DEPLOYMENT_PATHS", "REFRESH_MARGIN", "AsyncAzureOpenAIClient", "AzureOpenAIClient"]

# The operations Azure serves under a deployment (the official SDK's list).
DEPLOYMENT_PATHS = frozenset(
    {
        "/completions",
        "/chat/completions",
        "/embeddings",
        "/audio/transcriptions",
        "/audio/translations",
        "/audio/speech",
        "/images/generations",
        "/images/edits",
    }
)
REFRESH_MARGIN = 300.0  # seconds before expiry when a cached token is asked for again
_V1 = "v1"
_SPEC_VERSION = "2024-10-21"  # the dated version of the packaged Azure spec, for spec="azure" without one
_KEY_HINT = (
    "pass api_key= (or set AZURE_OPENAI_API_KEY), azure_ad_token= (AZURE_OPENAI_AD_TOKEN) or azure_ad_token_provider="
)


class _TokenCache:
    """The token a provider gave, and whether to ask it again: the I/O-free half of token
    refresh, driven by the blocking and the asyncio client alike."""

    __slots__ = ("expires_on", "token")

    def __init__(self) -> None:
        self.token: str | None = None
        self.expires_on: float | None = None

    def stale(self) -> bool:
        """Whether the provider must be asked (no token yet, a bare string, or near expiry)."""
        import time

        if self.token is None or self.expires_on is None:
            return True
        return self.expires_on - time.time() < REFRESH_MARGIN

    def accept(self, value: Any) -> str:
        """Take what the provider returned: a string, or an object with ``token``/``expires_on``."""
        token, expires = value, None
        if not isinstance(value, str) and hasattr(value, "token"):
            token, expires = value.token, getattr(value, "expires_on", None)
        if not isinstance(token, str) or not token.strip() or not token.isascii() or not token.strip().isprintable():
            raise ConfigError(
                "azure_ad_token_provider must return a token: a non-empty string, or an object with "
                f"token and expires_on (as azure.identity's get_token gives), not {type(value).__name__}"
            )
        self.token = token.strip()
        self.expires_on = (
            float(expires) if isinstance(expires, (int, float)) and not isinstance(expires, bool) else None
        )
        return self.token


class _Azure:
    """What both Azure clients share: settings, routing and authentication, all without I/O."""

    _DEFAULT_KEY_VARIABLE = "AZURE_OPENAI_API_KEY"

    def __init__(
        self,
        azure_endpoint: str | None = None,
        *,
        api_version: str | None = None,
        azure_deployment: str | None = None,
        api_key: str | None = None,
        azure_ad_token: str | None = None,
        azure_ad_token_provider: Callable[[], Any] | None = None,
        base_url: str | None = None,
        spec: Any = None,
        **options: Any,
    ) -> None:
        if "provider" in options or "admin_api_key" in options:
            raise ConfigError("provider= and admin_api_key= are OpenAI's: an Azure client takes azure_endpoint=")
        given = [n for n, v in (("api_key", api_key), ("azure_ad_token", azure_ad_token)) if v is not None]
        if azure_ad_token_provider is not None:
            given.append("azure_ad_token_provider")
        if len(given) > 1:
            raise ConfigError(f"{' and '.join(given)} were both given: pass only one way to authenticate")
        if azure_ad_token_provider is not None and not callable(azure_ad_token_provider):
            raise ConfigError("azure_ad_token_provider must be a callable that returns a token")
        if not given:  # only a configuration that names no credential reads the environment
            azure_ad_token = os.environ.get("AZURE_OPENAI_AD_TOKEN") or None
            if azure_ad_token is None:
                api_key = os.environ.get("AZURE_OPENAI_API_KEY") or None
        self._ad_token = azure_ad_token.strip() if isinstance(azure_ad_token, str) else azure_ad_token
        azure_ad_token = None
        if self._ad_token is not None and (not isinstance(self._ad_token, str) or not self._ad_token):
            raise ConfigError("azure_ad_token must be a non-empty string")
        self._token_provider = azure_ad_token_provider
        self._tokens = _TokenCache()
        version = api_version if api_version is not None else os.environ.get("OPENAI_API_VERSION")
        if version is not None and (not isinstance(version, str) or not version.strip()):
            raise ConfigError(f"api_version must be a date such as '2024-10-21', or 'v1', not {version!r}")
        self.api_version: str = version.strip() if version else _V1
        if azure_deployment is not None and (not isinstance(azure_deployment, str) or not azure_deployment):
            raise ConfigError(f"azure_deployment must be a deployment name, not {azure_deployment!r}")
        self.azure_deployment = azure_deployment
        if base_url is not None and azure_endpoint is not None:
            raise ConfigError("base_url and azure_endpoint are two names for one thing: pass only azure_endpoint=")
        if base_url is None:
            endpoint = azure_endpoint if azure_endpoint is not None else os.environ.get("AZURE_OPENAI_ENDPOINT")
            if not endpoint:
                raise ConfigError(
                    "an Azure client needs its endpoint: pass azure_endpoint='https://NAME.openai.azure.com' "
                    "or set AZURE_OPENAI_ENDPOINT"
                )
            root = f"{str(endpoint).rstrip('/')}/openai"
        else:
            root = str(base_url).rstrip("/")
        self.azure_endpoint = root[: -len("/openai")] if root.endswith("/openai") else root
        base = f"{root}/v1" if self.api_version == _V1 else root
        # "" rather than None: OPENAI_API_KEY (OpenAI's key) must never be sent to Azure.
        super().__init__(spec=spec, api_key=api_key or "", base_url=base, **options)  # type: ignore[call-arg]
        api_key = None
        self._root = self.base_url[: -len("/v1")] if self.api_version == _V1 else self.base_url
        if isinstance(self._ad_token, str):
            self._key.also(self._ad_token)  # type: ignore[attr-defined]

    # -- routing (the hook of _BaseClient._prepare) ----------------------------------------

    def _deployment(self, op: Operation, body: Any, params: dict[str, Any]) -> str:
        deployment = self.azure_deployment
        if deployment is None:
            model = (
                params.get("model") if "model" in params else (body.get("model") if isinstance(body, dict) else None)
            )
            deployment = model if isinstance(model, str) and model else None
        if deployment is None:
            raise ParameterError(
                f"{op.id} is deployment-scoped on Azure: pass azure_deployment= to the client, or model= (the "
                "deployment's name) to the call"
            )
        return deployment

    def _route(self, op: Operation, body: Any, params: dict[str, Any], query: Any) -> tuple[str, Any]:
        if op.path.startswith("/deployments/{"):  # Azure's own spec: its parameters say it all (_fill)
            return self._root, query
        if self.api_version == _V1:
            return self.base_url, query
        query = {"api-version": self.api_version, **(query or {})}
        if op.path in DEPLOYMENT_PATHS:
            from urllib.parse import quote

            return f"{self._root}/deployments/{quote(self._deployment(op, body, params), safe='')}", query
        return self._root, query

    def _fill(self, op: Operation, body: Any, params: dict[str, Any]) -> Any:
        """What a call may leave out on Azure, filled in before it is checked against the spec.

        With Azure's own spec: the deployment path parameter and ``api-version``.  With
        ``azure_deployment``, a deployment-scoped call may leave ``model`` out (Azure takes the
        deployment's); OpenAI's spec requires one, so the deployment's name is sent.
        """
        if op.path.startswith("/deployments/{"):
            name = op.path.split("{", 1)[1].split("}", 1)[0]
            if name not in params:
                params[name] = self._deployment(op, body, params)
            if "api-version" in op.by_kwarg and "api-version" not in params:
                params["api-version"] = _SPEC_VERSION if self.api_version == _V1 else self.api_version
            return body
        if self.api_version != _V1 and op.path in DEPLOYMENT_PATHS:
            self._deployment(op, body, params)  # none to route to: say so before the spec's "model is required"
        if self.azure_deployment is None or op.path not in DEPLOYMENT_PATHS or "model" in params:
            return body
        if body is None:
            params["model"] = self.azure_deployment
        elif isinstance(body, dict) and "model" not in body:
            body = {**body, "model": self.azure_deployment}
        return body

    # -- authentication ------------------------------------------------------------------

    def _authorize(self, op: Operation, req: PreparedRequest) -> None:
        if any(name.lower() == "api-key" for name in req.headers):
            return  # the caller's own header, as given
        if self._ad_token is not None:
            req.headers["Authorization"] = f"Bearer {self._ad_token}"
            return
        key = self._key.get()  # type: ignore[attr-defined]
        if not key:
            raise MissingAPIKeyError(f"{op.id} needs a credential for Azure: {_KEY_HINT}")
        req.headers["api-key"] = key

    def _with_token(self, extras: tuple, token: str | None) -> tuple:
        """The call's extras with ``Authorization: Bearer`` from the provider (unless the call
        sets its own ``Authorization`` or ``api-key``)."""
        if token is None:
            return extras
        body, query, headers = extras
        if headers and any(str(name).lower() in ("authorization", "api-key") for name in headers):
            return extras
        self._key.also(token)  # type: ignore[attr-defined]
        return body, query, {**(headers or {}), "Authorization": f"Bearer {token}"}

    def __repr__(self) -> str:
        index = self.__dict__.get("_index")
        if index is None:
            return f"<{type(self).__name__} (not built)>"
        return (
            f"<{type(self).__name__} azure_endpoint={self.azure_endpoint!r} api_version={self.api_version!r} "
            f"azure_deployment={self.azure_deployment!r} spec={index.source!r}>"
        )


class AzureOpenAIClient(_Azure, OpenAIClient):
    """The blocking client for Azure OpenAI: ``AzureOpenAIClient(azure_endpoint=..., api_version=...)``.

    Every operation of the spec under the same names as ``OpenAIClient``, sent to Azure's URLs
    with ``api-key`` or an Azure AD token (see the module docstring).  Other arguments are
    ``OpenAIClient``'s (``timeout``, ``max_retries``, ``proxy``, ``verify``, ``http_client``...).
    """

    def _call(
        self, op: Operation, body: Any, params: dict, extras: tuple, timeout: Any, max_retries: Any = UNSET
    ) -> Result | Stream:
        body = self._fill(op, body, params)
        token = None
        provider = self._token_provider
        if provider is not None:
            cache = self._tokens
            if cache.stale():
                value = provider()
                if hasattr(value, "__await__"):
                    close = getattr(value, "close", None)
                    if close is not None:
                        close()  # never awaited: closing it keeps "coroutine was never awaited" away
                    raise ConfigError("azure_ad_token_provider is async: use AsyncAzureOpenAIClient for it")
                cache.accept(value)
            token = cache.token
        return super()._call(op, body, params, self._with_token(extras, token), timeout, max_retries)


class AsyncAzureOpenAIClient(_Azure, AsyncOpenAIClient):
    """The asyncio client for Azure OpenAI: ``AzureOpenAIClient`` awaited, and a token provider
    may be ``async def`` (or return an awaitable)."""

    async def _call(
        self, op: Operation, body: Any, params: dict, extras: tuple, timeout: Any, max_retries: Any = UNSET
    ) -> AsyncResult | AsyncStream:
        body = self._fill(op, body, params)
        token = None
        provider = self._token_provider
        if provider is not None:
            cache = self._tokens
            if cache.stale():
                value = provider()
                if hasattr(value, "__await__"):
                    value = await value
                cache.accept(value)
            token = cache.token
        return await super()._call(op, body, params, self._with_token(extras, token), timeout, max_retries)
