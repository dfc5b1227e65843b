"""The README's Realtime examples run, as written, against the mock (as test_readme does for its section)."""

from __future__ import annotations

import re

import pytest

from openapi_client_openai.mock import MockServer

from conftest import ROOT, SPEC_31

pytest.importorskip("websockets")

SECTION = "## Realtime"


def _blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    start = text.index(SECTION + "\n")
    end = text.index("\n## ", start + len(SECTION))
    return re.findall(r"```python\n(.*?)```", text[start:end], re.S)


def test_the_section_shows_each_part() -> None:
    code = "\n".join(_blocks())
    for used in (
        "client.realtime.connect(",
        "conn.session.update(",
        "conn.response.create(",
        "conn.input_audio_buffer.append(",
        "response_final()",
        '"function_calls"',
        "async with",
    ):
        assert used in code


def test_the_realtime_examples_run(monkeypatch, capsys) -> None:
    with MockServer(spec=SPEC_31, seed=5) as url:
        monkeypatch.setenv("OPENAI_BASE_URL", url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-readme-example")
        monkeypatch.setenv("OPENAPI_CLIENT_OPENAI_SPEC", str(SPEC_31))
        namespace: dict = {"__name__": "readme"}
        for number, block in enumerate(_blocks(), 1):
            exec(compile(block, f"README.md (Realtime, block {number})", "exec", dont_inherit=True), namespace)
    printed = capsys.readouterr().out
    assert printed.startswith("Hello! This is the mock's realtime answer.")
    assert namespace["answer"]["audio"] and "total_tokens" in printed
