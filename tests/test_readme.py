"""The README's examples of structured outputs, tools and waiting run, as written, against the mock.

Each Python block of that section is executed in order in one namespace, with the environment a
user would have (``OPENAI_BASE_URL`` pointing at the mock, a key, the fixture spec) and the files
it names in the working directory; a block that stops working fails here.
"""

from __future__ import annotations

import re

import pytest

from openapi_client_openai.mock import MockServer

from conftest import ROOT, SPEC_31

pytest.importorskip("pydantic")

SECTION = "## Structured outputs, tools and waiting"


def _blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    start = text.index(SECTION)
    end = text.index("\n## ", start + len(SECTION))
    return re.findall(r"```python\n(.*?)```", text[start:end], re.S)


def test_the_section_has_examples_of_each_part() -> None:
    code = "\n".join(_blocks())
    for used in (
        "response_format=Booking",
        "text_format=Booking",
        "stream.partial()",
        "run_tools(",
        "client.wait(",
        "upload_and_poll(",
    ):
        assert used in code


def test_the_structured_outputs_tools_and_waiting_examples_run(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "handbook.md").write_text("# Handbook\n")
    (tmp_path / "faq.md").write_text("# FAQ\n")
    with MockServer(spec=SPEC_31, seed=13) as url:
        monkeypatch.setenv("OPENAI_BASE_URL", url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-readme-example")
        monkeypatch.setenv("OPENAPI_CLIENT_OPENAI_SPEC", str(SPEC_31))
        namespace: dict = {"__name__": "readme"}
        try:
            for number, block in enumerate(_blocks(), 1):
                code = compile(block, f"README.md ({SECTION[3:]}, block {number})", "exec", dont_inherit=True)
                exec(code, namespace)
        finally:
            if "client" in namespace:
                namespace["client"].close()
    assert isinstance(namespace["booking"], namespace["Booking"])
    assert namespace["story"]["status"] == "completed" and namespace["done"]["object"] == "thread.run"
