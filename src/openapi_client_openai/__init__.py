"""openapi-client-openai: the OpenAI REST API from OpenAI's own OpenAPI spec.

    from openapi_client_openai import OpenAIClient
    client = OpenAIClient()
    r = client.createChatCompletion(body={"model": "gpt-4o-mini", "messages": [...]})
    r.json()["choices"][0]["message"]["content"]

Names are imported on first use, so ``import openapi_client_openai`` stays fast.
"""

from __future__ import annotations

from ._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigError,
    ConflictError,
    ContentError,
    ContentFilterFinishReasonError,
    InternalServerError,
    InvalidWebhookSignatureError,
    LengthFinishReasonError,
    MissingAPIKeyError,
    NotFoundError,
    OpenAPIClientError,
    OutputValidationError,
    ParameterError,
    PermissionDeniedError,
    RateLimitError,
    RefusalError,
    RequestValidationError,
    SpecError,
    StateError,
    StrictSchemaError,
    StructuredOutputError,
    ToolError,
    UnknownFieldWarning,
    UnknownOperationError,
    UnprocessableEntityError,
    WaitCancelledError,
    WaitTimeoutError,
    WebhookValidationError,
)
from ._version import __version__

TYPE_CHECKING = False  # avoids importing typing at run time (~5 ms)
if TYPE_CHECKING:
    from typing import Any

    from . import webhooks
    from ._azure import AsyncAzureOpenAIClient, AzureOpenAIClient
    from ._client import AsyncOpenAIClient, OpenAIClient
    from ._config import Limits, Timeout
    from ._parse import strict_schema
    from ._response import AsyncResult, RateLimits, Result
    from ._stream import AsyncStream, EventData, Stream
    from ._tools import FunctionTool, ToolRun, function_tool
    from ._validation import Problem
    from .spec import Operation

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncAzureOpenAIClient",
    "AsyncOpenAIClient",
    "AsyncResult",
    "AsyncStream",
    "AuthenticationError",
    "AzureOpenAIClient",
    "BadRequestError",
    "ConfigError",
    "ConflictError",
    "ContentError",
    "ContentFilterFinishReasonError",
    "EventData",
    "FunctionTool",
    "InternalServerError",
    "InvalidWebhookSignatureError",
    "LengthFinishReasonError",
    "Limits",
    "MissingAPIKeyError",
    "NotFoundError",
    "OpenAIClient",
    "OpenAPIClientError",
    "Operation",
    "OutputValidationError",
    "ParameterError",
    "PermissionDeniedError",
    "Problem",
    "RateLimitError",
    "RateLimits",
    "RefusalError",
    "RequestValidationError",
    "Result",
    "SpecError",
    "StateError",
    "Stream",
    "StrictSchemaError",
    "StructuredOutputError",
    "Timeout",
    "ToolError",
    "ToolRun",
    "UnknownFieldWarning",
    "UnknownOperationError",
    "UnprocessableEntityError",
    "WaitCancelledError",
    "WaitTimeoutError",
    "WebhookValidationError",
    "__version__",
    "function_tool",
    "strict_schema",
    "webhooks",
]

_LAZY = {
    "OpenAIClient": "._client",
    "AsyncOpenAIClient": "._client",
    "AzureOpenAIClient": "._azure",
    "AsyncAzureOpenAIClient": "._azure",
    "Result": "._response",
    "AsyncResult": "._response",
    "RateLimits": "._response",
    "Operation": ".spec",
    "Problem": "._validation",
    "Stream": "._stream",
    "AsyncStream": "._stream",
    "EventData": "._stream",
    "Timeout": "._config",
    "Limits": "._config",
    "function_tool": "._tools",
    "FunctionTool": "._tools",
    "ToolRun": "._tools",
    "strict_schema": "._parse",
}


_SUBMODULES = frozenset({"webhooks"})  # public modules, reached as attributes too


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None and name not in _SUBMODULES:
        raise AttributeError(f"module 'openapi_client_openai' has no attribute {name!r}")
    import importlib

    if module is None:
        value = importlib.import_module("." + name, __name__)
    else:
        value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
