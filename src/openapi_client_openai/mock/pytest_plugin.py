"""A pytest fixture for the mock server, loaded by pytest from the installed package.

    def test_chat(openai_mock):
        client = OpenAIClient(base_url=openai_mock, api_key="sk-test")

``openai_mock`` is the base URL of a mock that serves the default spec for the whole test
session; ``OPENAPI_CLIENT_OPENAI_SPEC`` picks another spec.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def openai_mock() -> Iterator[str]:
    """The base URL (ending in ``/v1``) of a mock OpenAI API running for this test session."""
    from . import MockServer

    with MockServer() as base_url:
        yield base_url
