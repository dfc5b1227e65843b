"""openapi-client-openai: the OpenAI REST API from OpenAI's own OpenAPI spec (what checkers read).

Written by hand: the names of ``__init__.py``'s ``__all__``, imported absolutely so that the
same file works inside the package and in a ``typings`` folder (``openapi-client-openai stubs``).
"""

import openapi_client_openai.webhooks as webhooks
from openapi_client_openai._azure import AsyncAzureOpenAIClient as AsyncAzureOpenAIClient
from openapi_client_openai._azure import AzureOpenAIClient as AzureOpenAIClient
from openapi_client_openai._client import AsyncOpenAIClient as AsyncOpenAIClient
from openapi_client_openai._client import OpenAIClient as OpenAIClient
from openapi_client_openai._config import Limits as Limits
from openapi_client_openai._config import Timeout as Timeout
from openapi_client_openai._errors import APIConnectionError as APIConnectionError
from openapi_client_openai._errors import APIError as APIError
from openapi_client_openai._errors import APIStatusError as APIStatusError
from openapi_client_openai._errors import APITimeoutError as APITimeoutError
from openapi_client_openai._errors import AuthenticationError as AuthenticationError
from openapi_client_openai._errors import BadRequestError as BadRequestError
from openapi_client_openai._errors import ConfigError as ConfigError
from openapi_client_openai._errors import ConflictError as ConflictError
from openapi_client_openai._errors import ContentError as ContentError
from openapi_client_openai._errors import ContentFilterFinishReasonError as ContentFilterFinishReasonError
from openapi_client_openai._errors import InternalServerError as InternalServerError
from openapi_client_openai._errors import InvalidWebhookSignatureError as InvalidWebhookSignatureError
from openapi_client_openai._errors import LengthFinishReasonError as LengthFinishReasonError
from openapi_client_openai._errors import MissingAPIKeyError as MissingAPIKeyError
from openapi_client_openai._errors import NotFoundError as NotFoundError
from openapi_client_openai._errors import OpenAPIClientError as OpenAPIClientError
from openapi_client_openai._errors import OutputValidationError as OutputValidationError
from openapi_client_openai._errors import ParameterError as ParameterError
from openapi_client_openai._errors import PermissionDeniedError as PermissionDeniedError
from openapi_client_openai._errors import RateLimitError as RateLimitError
from openapi_client_openai._errors import RefusalError as RefusalError
from openapi_client_openai._errors import RequestValidationError as RequestValidationError
from openapi_client_openai._errors import SpecError as SpecError
from openapi_client_openai._errors import StateError as StateError
from openapi_client_openai._errors import StrictSchemaError as StrictSchemaError
from openapi_client_openai._errors import StructuredOutputError as StructuredOutputError
from openapi_client_openai._errors import ToolError as ToolError
from openapi_client_openai._errors import UnknownFieldWarning as UnknownFieldWarning
from openapi_client_openai._errors import UnknownOperationError as UnknownOperationError
from openapi_client_openai._errors import UnprocessableEntityError as UnprocessableEntityError
from openapi_client_openai._errors import WaitCancelledError as WaitCancelledError
from openapi_client_openai._errors import WaitTimeoutError as WaitTimeoutError
from openapi_client_openai._errors import WebhookValidationError as WebhookValidationError
from openapi_client_openai._parse import strict_schema as strict_schema
from openapi_client_openai._response import AsyncResult as AsyncResult
from openapi_client_openai._response import RateLimits as RateLimits
from openapi_client_openai._response import Result as Result
from openapi_client_openai._stream import AsyncStream as AsyncStream
from openapi_client_openai._stream import EventData as EventData
from openapi_client_openai._stream import Stream as Stream
from openapi_client_openai._tools import FunctionTool as FunctionTool
from openapi_client_openai._tools import ToolRun as ToolRun
from openapi_client_openai._tools import function_tool as function_tool
from openapi_client_openai._validation import Problem as Problem
from openapi_client_openai._version import __version__ as __version__
from openapi_client_openai.spec import Operation as Operation

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
