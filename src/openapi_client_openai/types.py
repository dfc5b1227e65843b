"""The spec's schemas as type names: ``from openapi_client_openai.types import CreateChatCompletionRequest``.

The types live in the stubs generated from the spec (``.pyi``, read by editors and type
checkers, never imported at run time).  At run time every such name is ``dict``, as a
``TypedDict`` is: annotations that use them work, and cost nothing.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__: list[str] = []  # the names come from the spec, and the stubs list them


def __getattr__(name: str) -> Any:
    if name[:1].isupper() and name.isidentifier():
        return dict
    raise AttributeError(f"module 'openapi_client_openai.types' has no attribute {name!r}")
