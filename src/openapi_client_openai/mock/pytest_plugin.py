"""A pytest fixture for the mock server, loaded by pytest from the installed package.

    def test_chat(openai_mock):
        client = OpenAIClient(base_url=openai_mock, api_key="sk-test")

``openai_mock`` is the base URL of a mock that serves the default spec for the whole test
session; ``OPENAPI_CLIENT_OPENAI_SPEC`` picks another spec.

``pytest --openai-conform http://127.0.0.1:8000/v1`` adds a test per conformance family
(``openapi_client_openai.conform``) that fails with the server's problems, for the CI of
servers that claim OpenAI compatibility; the key comes from ``OPENAI_API_KEY``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def openai_mock() -> Iterator[str]:
    """The base URL (ending in ``/v1``) of a mock OpenAI API running for this test session."""
    from . import MockServer

    with MockServer() as base_url:
        yield base_url


# -- --openai-conform URL: the conformance suite as test items, for server projects' CI -----------


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--openai-conform URL`` (with ``--openai-conform-model``, ``--openai-conform-only`` and
    ``--openai-conform-strict``): check the server at URL against the spec, a test per family."""
    group = parser.getgroup("openai-conform", "conformance of an OpenAI-compatible server")
    group.addoption("--openai-conform", metavar="URL", help="check the server at URL (ending in /v1) against the spec")
    group.addoption(
        "--openai-conform-model", metavar="M", help="the model the chat, completions and responses tests ask for"
    )
    group.addoption("--openai-conform-only", metavar="FAMILIES", help="comma-separated families (default: all)")
    group.addoption(
        "--openai-conform-strict", action="store_true", help="also flag undeclared and missing optional fields"
    )


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Add one test per conformance family when ``--openai-conform URL`` is given."""
    url = config.getoption("openai_conform", None)
    if not url:
        return
    from ..conform import FAMILIES

    only = config.getoption("openai_conform_only") or ""
    names = [n.strip() for n in only.split(",") if n.strip()] or list(FAMILIES)
    items.extend(ConformItem.from_parent(session, name=f"openai-conform[{name}]", family=name) for name in names)


class ConformFailure(Exception):
    """A family of the server broke rules of the spec: the problems, one a line."""


class ConformItem(pytest.Item):
    """One conformance family as a test: passes when it conforms, skips when not offered."""

    def __init__(self, *, family: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.family = family

    def runtest(self) -> None:
        """Run the suite once per session (shared by every family) and judge this family."""
        report = _conform_report(self.config)
        fam = report.families.get(self.family)
        if fam is None or not fam.offered:
            pytest.skip(f"{self.family}: {fam.note if fam is not None else 'not run'}")
        if fam.problems:
            lines = [
                f"{p.path}: {p.rule}: expected {p.expected}, got {p.got}\n    replay: {p.request}" for p in fam.problems
            ]
            raise ConformFailure(f"{len(fam.problems)} problem(s) in {fam.sent} requests:\n" + "\n".join(lines))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: object = None) -> str:
        """The problems as the report lists them, not a traceback."""
        if isinstance(excinfo.value, ConformFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int, str]:
        """Where the test comes from: the server under test."""
        return self.config.getoption("openai_conform"), 0, self.name


_REPORT_KEY = pytest.StashKey[object]()


def _conform_report(config: pytest.Config) -> Any:
    report = config.stash.get(_REPORT_KEY, None)
    if report is None:
        import os

        from ..conform import run

        report = run(
            config.getoption("openai_conform"),
            model=config.getoption("openai_conform_model"),
            only=config.getoption("openai_conform_only"),
            api_key=os.environ.get("OPENAI_API_KEY"),
            strict=bool(config.getoption("openai_conform_strict")),
        )
        config.stash[_REPORT_KEY] = report
    return report
