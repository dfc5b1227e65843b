"""The stubs as type checkers read them: pyright (from PyPI) and mypy, on both fixture specs.

For each spec one project is laid out as a user's would be: the stubs in ``typings/`` (what
``openapi-client-openai stubs`` writes), every operation's docs example, the planted mistakes
of ``tests/mistakes.py`` with their valid twins, and (3.1) a file of typed uses and the README's
Python examples.  Each checker
runs once over all of it (pyright is node: one process for hundreds of files), and the tests
read its report:

- the stubs check clean under pyright's standard and strict modes and mypy's strict mode;
- the docs examples, the README's examples, typed uses of the API and the valid calls have 0
  errors under both;
- at least 95% of the planted mistakes of each kind are reported, by each checker.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys
from dataclasses import dataclass, field

import pytest

from mistakes import KINDS, plant_files
from openapi_client_openai import OpenAIClient
from openapi_client_openai.spec import example
from openapi_client_openai.stubs import write_typings

from conftest import FAKE_KEY, ROOT, SPEC_30, SPEC_31

BIN = pathlib.Path(sys.executable).parent
DETECTION = 0.95  # the share of each kind of planted mistake each checker must report

TYPED_USES = '''
"""Uses of the typed surface, checked with assert_type by both checkers (3.1 spec)."""

from pathlib import Path
from typing import Any

from typing_extensions import TypedDict, assert_type

from openapi_client_openai import (
    AsyncOpenAIClient,
    AsyncResult,
    AsyncStream,
    EventData,
    FunctionTool,
    OpenAIClient,
    RefusalError,
    Result,
    Stream,
    ToolRun,
    function_tool,
    strict_schema,
)
from openapi_client_openai.types import (
    CreateChatCompletionRequest,
    CreateChatCompletionResponse,
    CreateChatCompletionStreamResponse,
    Model,
    OpenAIFile,
    Response,
    ResponseStreamEvent,
    RunObject,
)

client = OpenAIClient(validate="strict", timeout=30)

chat = client.create_chat_completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
assert_type(chat, Result[CreateChatCompletionResponse])
assert_type(chat.json()["choices"][0]["message"]["content"], str | None)
assert_type(chat.status_code, int)
assert_type(chat.request_id, str | None)
same = client.createChatCompletion(body={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]})
assert_type(same, Result[CreateChatCompletionResponse])

with client.create_chat_completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], stream=True) as s:
    assert_type(s, Stream[CreateChatCompletionStreamResponse, CreateChatCompletionResponse])
    for chunk in s:
        assert_type(chunk, CreateChatCompletionStreamResponse)
    for name, chunk in s.named():
        assert_type(name, str)
    assert_type(s.final(), CreateChatCompletionResponse)
    assert_type(s.text(), str)

body: CreateChatCompletionRequest = {"model": "gpt-4o", "messages": [{"role": "system", "content": "Be brief."}]}
either = client.create_chat_completion(body)
ChatStream = Stream[CreateChatCompletionStreamResponse, CreateChatCompletionResponse]
assert_type(either, Result[CreateChatCompletionResponse] | ChatStream)

with client.create_response(model="gpt-4o", input="Hi", stream=True) as events:
    for event in events:
        assert_type(event, ResponseStreamEvent)
        if event["type"] == "response.output_text.delta":  # narrows on the discriminator
            assert_type(event["delta"], str)
        elif event["type"] == "response.completed":
            assert_type(event["response"], Response)

for item in client.paginate("list_files", purpose="batch", limit=100):
    assert_type(item, OpenAIFile)
for page in client.pages("listModels"):
    assert_type(page.json()["data"][0], Model)

client.create_transcription(file=Path("speech.mp3"), model="whisper-1")
client.create_transcription(file=("speech.mp3", b"RIFF...", "audio/wav"), model="whisper-1")
client.create_chat_completion(
    model="gpt-4o-mini",
    messages=[{"role": "user", "content": "Hi"}],
    extra_body={"new_field": True},
    extra_query={"beta": "true"},
    extra_headers={"X-Trace": "1"},
    timeout=None,
)
with client.create_speech(model="gpt-4o-mini-tts", input="Hi", voice="alloy") as speech:
    assert_type(speech.write_to("speech.mp3"), str)
run = client.create_run(thread_id="thread_abc123", assistant_id="asst_abc123", stream=True)
assert_type(run, Stream[EventData, RunObject])
for name, data in run.named():
    assert_type(name, str)
    assert_type(data.event, str)



class Booking(TypedDict):
    room: str
    nights: int


def get_weather(city: str) -> str:
    """The weather in a city."""
    return "sunny"


booked = client.create_chat_completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "Book"}],
                                       response_format=Booking, tools=[get_weather, function_tool(get_weather)])
assert_type(booked, Result[CreateChatCompletionResponse])
print(booked.parsed)
replied = client.create_response(model="gpt-4.1", input="Book", text_format=Booking, tools=[get_weather])
assert_type(replied, Result[Response])
with client.create_response(model="gpt-4.1", input="Book", text_format=Booking, stream=True) as parts:
    for part in parts.partial():
        print(part)
assert_type(client.parse("createChatCompletion", model="gpt-4o-mini", messages=[], response_format=Booking).parsed, Any)
assert_type(client.run_tools("createChatCompletion", model="gpt-4o-mini", messages=[], tools=[get_weather]), ToolRun)
assert_type(client.wait(booked, timeout=5, until=["completed"]), dict[str, Any])
assert_type(client.upload_and_poll("vs_abc", ["a.md", Path("b.md")]), dict[str, Any])
assert_type(function_tool(get_weather), FunctionTool)
assert_type(function_tool(name="weather")(get_weather), FunctionTool)
assert_type(strict_schema(Booking), dict[str, Any])
try:
    pass
except RefusalError as refused:
    print(refused.refusal)


async def main() -> None:
    aclient = AsyncOpenAIClient()
    ran = await aclient.run_tools("createResponse", model="gpt-4.1", input="Hi", tools=[get_weather])
    assert_type(ran, ToolRun)
    assert_type(await aclient.wait({"id": "resp_1", "object": "response"}), dict[str, Any])
    print((await aclient.parse("createResponse", model="gpt-4.1", input="Hi", text_format=Booking)).parsed)
    assert_type(await aclient.upload_and_poll("vs_abc", "a.md", timeout=60), dict[str, Any])
    assert_type((await aclient.upload_file("a.jsonl", purpose="batch"))["id"], str)
    answer = await aclient.create_chat_completion(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
    assert_type(answer, AsyncResult[CreateChatCompletionResponse])
    stream = await aclient.create_chat_completion(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], stream=True
    )
    assert_type(stream, AsyncStream[CreateChatCompletionStreamResponse, CreateChatCompletionResponse])
    async for chunk in stream:
        assert_type(chunk, CreateChatCompletionStreamResponse)
    assert_type(await stream.final(), CreateChatCompletionResponse)
    async for model in aclient.paginate("list_models"):
        assert_type(model, Model)
    await aclient.aclose()
'''


@dataclass
class Report:
    """Errors by checker, file (relative to the project) and line (1-based)."""

    errors: dict[str, dict[str, dict[int, list[str]]]] = field(default_factory=dict)

    def add(self, checker: str, path: str, line: int, message: str) -> None:
        self.errors.setdefault(checker, {}).setdefault(path, {}).setdefault(line, []).append(message)

    def where(self, checker: str, prefix: str) -> list[str]:
        """Every error of a checker in the files under ``prefix``, as ``file:line: message``."""
        found = []
        for path, lines in sorted(self.errors.get(checker, {}).items()):
            if path.startswith(prefix):
                found += [f"{path}:{line}: {m}" for line, messages in sorted(lines.items()) for m in messages]
        return found


def _relative(path: str, root: pathlib.Path) -> str:
    return os.path.relpath(os.path.realpath(path), os.path.realpath(root))


def run_pyright(root: pathlib.Path, config: str, files: list[str], report: Report, checker: str) -> None:
    done = subprocess.run(
        [str(BIN / "pyright"), "--outputjson", "-p", config, "--pythonpath", sys.executable, *files],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=900,
    )
    try:
        data = json.loads(done.stdout)
    except ValueError:
        raise AssertionError(f"pyright did not run: {done.stdout[-2000:]} {done.stderr[-2000:]}") from None
    for diag in data["generalDiagnostics"]:
        if diag["severity"] == "error":
            line = diag["range"]["start"]["line"] + 1
            report.add(checker, _relative(diag["file"], root), line, diag["message"].split("\n")[0])


def run_mypy(root: pathlib.Path, files: list[str], report: Report) -> None:
    done = subprocess.run(
        [str(BIN / "mypy"), "--config-file", "mypy.ini", "--python-executable", sys.executable, *files],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=900,
    )
    if done.returncode not in (0, 1):
        raise AssertionError(f"mypy did not run: {done.stdout[-2000:]} {done.stderr[-2000:]}")
    for row in done.stdout.splitlines():
        match = re.match(r"(.+?):(\d+): error: (.*)", row)
        if match:
            report.add("mypy", _relative(str(root / match.group(1)), root), int(match.group(2)), match.group(3))


def readme_examples() -> list[str]:
    """The README's Python examples: the code blocks of each section joined, as a section's
    later blocks go on from its first (``test_readme`` runs them so)."""
    sections = re.split(r"^## ", (ROOT / "README.md").read_text(), flags=re.M)
    found = [re.findall(r"^```python\n(.*?)^```", section, re.M | re.S) for section in sections]
    return ["\n".join(blocks) for blocks in found if blocks]


@dataclass
class Project:
    spec: pathlib.Path
    root: pathlib.Path
    report: Report
    plants: dict
    ops: int


@pytest.fixture(scope="module", params=[SPEC_30, SPEC_31], ids=["spec3.0", "spec3.1"])
def project(request, tmp_path_factory) -> Project:
    spec = request.param
    root = tmp_path_factory.mktemp("typing")
    client = OpenAIClient(spec=spec, api_key=FAKE_KEY)
    index = client.spec
    write_typings(root / "typings", index)
    (root / "pyrightconfig.json").write_text(json.dumps({"stubPath": "typings", "pythonVersion": "3.10"}))
    (root / "strict.json").write_text(
        json.dumps({"stubPath": "typings", "pythonVersion": "3.10", "typeCheckingMode": "strict"})
    )
    (root / "mypy.ini").write_text("[mypy]\nmypy_path = typings\nstrict = True\npython_version = 3.10\n")
    (root / "examples").mkdir()
    for n, op_id in enumerate(index.operation_ids):
        stem = re.sub(r"\W", "_", op_id)
        (root / "examples" / f"ex{n:03d}_{stem}.py").write_text(example(index, op_id))
    (root / "plants").mkdir()
    plants = plant_files(client)
    for name, made in plants.items():
        (root / "plants" / f"{name}.py").write_text(made.text())
    if spec == SPEC_31:
        (root / "uses").mkdir()
        (root / "uses" / "typed.py").write_text(TYPED_USES)
        for n, block in enumerate(readme_examples()):
            (root / "uses" / f"readme{n}.py").write_text(block)
    stubs = sorted(str(p.relative_to(root)) for p in (root / "typings").rglob("*.pyi"))
    users = sorted(str(p.relative_to(root)) for d in ("examples", "plants", "uses") for p in (root / d).glob("*.py"))
    report = Report()
    run_pyright(root, "pyrightconfig.json", stubs + users, report, "pyright")
    run_pyright(root, "strict.json", stubs, report, "pyright-strict")
    run_mypy(root, stubs + users, report)
    return Project(spec, root, report, plants, len(index.operation_ids))


def test_stubs_check_clean_under_pyright_standard_and_strict_and_mypy_strict(project) -> None:
    for checker in ("pyright", "pyright-strict", "mypy"):
        assert project.report.where(checker, "typings/") == [], checker


def test_every_docs_example_checks_clean(project) -> None:
    assert len(list((project.root / "examples").glob("*.py"))) == project.ops
    for checker in ("pyright", "mypy"):
        assert project.report.where(checker, "examples/") == [], checker


def test_typed_uses_and_the_readme_check_clean(project) -> None:
    if project.spec != SPEC_31:
        pytest.skip("the typed uses and the README's examples are written for the 3.1 spec")
    assert len(readme_examples()) >= 4  # sections with examples
    for checker in ("pyright", "mypy"):
        assert project.report.where(checker, "uses/") == [], checker


def test_planted_mistakes_are_reported(project) -> None:
    """Every valid twin checks clean; at least 95% of each kind of mistake is reported, in at
    least 50 operations of the 3.1 spec for each kind."""
    report = project.report
    valid = project.plants["valid"]
    for checker in ("pyright", "mypy"):
        assert report.where(checker, "plants/valid.py") == [], checker
    rates = {}
    for kind in KINDS:
        made = project.plants[kind].plants
        assert len({p.op_id for p in made}) >= (50 if project.spec == SPEC_31 else 15), kind
        for checker in ("pyright", "mypy"):
            errors = report.errors.get(checker, {}).get(f"plants/{kind}.py", {})
            found = [p for p in made if any(p.lines[0] <= line <= p.lines[1] for line in errors)]
            rates[(kind, checker)] = (len(found), len(made))
            missed = [p.op_id for p in made if p not in found]
            assert len(found) >= DETECTION * len(made), f"{kind} under {checker}: missed {missed}"
    assert valid.plants
    print(f"\nplanted mistakes reported ({project.spec.name}):")
    for (kind, checker), (found, made) in sorted(rates.items()):
        print(f"  {kind:11} {checker:7} {found}/{made} ({100 * found / made:.1f}%)")
