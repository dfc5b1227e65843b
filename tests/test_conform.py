"""Conformance (issue 17): the rules on plain values, the suite against the project's mock on
both specs, the command line's exit statuses and files, the pytest option, and the key kept
out of everything a run writes."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openapi_client_openai import conform
from openapi_client_openai.cli import main
from openapi_client_openai.conform import _rules as r
from openapi_client_openai.conform._rules import Event, Finding
from openapi_client_openai.conform._suite import FAMILIES, families
from openapi_client_openai.mock import MockServer
from openapi_client_openai.spec import load_index

from conftest import FAKE_KEY, SPEC_30, SPEC_31

# -- the rules, on plain values ---------------------------------------------------------------------


def _chunk(i: int, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> Event:
    data = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return Event("message", json.dumps(data), data)


DONE = Event("message", "[DONE]")


def _good_stream(usage: bool = False) -> list[Event]:
    events = [
        _chunk(0, {"role": "assistant", "content": ""}),
        _chunk(1, {"content": "Hi"}),
        _chunk(2, {}, "stop"),
    ]
    if usage:
        events = [Event(e.name, e.text, {**e.data, "usage": None}) for e in events]
        tail = {
            **events[0].data,
            "choices": [],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        events.append(Event("message", json.dumps(tail), tail))
    return [*events, DONE]


def test_a_good_chat_stream_breaks_no_rule() -> None:
    assert r.check_chat_stream(_good_stream(), chat=True, include_usage=False) == []
    assert r.check_chat_stream(_good_stream(True), chat=True, include_usage=True) == []


def test_each_chat_stream_rule_is_reported_where_it_is_broken() -> None:
    no_role = [_chunk(0, {"content": "Hi"}), _chunk(1, {}, "stop"), DONE]
    assert r.check_chat_stream(no_role, chat=True, include_usage=False) == [
        Finding("events[0].choices[0].delta.role", "prose.stream.first-role", "'assistant'", "null")
    ]
    assert r.check_chat_stream(no_role, chat=False, include_usage=False) == []  # completions carry no role
    no_done = _good_stream()[:-1]
    assert [(f.path, f.rule) for f in r.check_chat_stream(no_done, chat=True, include_usage=False)] == [
        ("[DONE]", "prose.stream.done")
    ]
    after_done = [*_good_stream(), _chunk(9, {"content": "late"})]
    assert [(f.path, f.rule) for f in r.check_chat_stream(after_done, chat=True, include_usage=False)] == [
        ("[DONE]", "prose.stream.done")
    ]
    no_finish = [_chunk(0, {"role": "assistant", "content": "Hi"}), DONE]
    assert [(f.path, f.rule) for f in r.check_chat_stream(no_finish, chat=True, include_usage=False)] == [
        ("events", "prose.stream.finish")
    ]
    after_finish = [_chunk(0, {"role": "assistant"}, "stop"), _chunk(1, {"content": "more"}), DONE]
    assert [(f.path, f.rule) for f in r.check_chat_stream(after_finish, chat=True, include_usage=False)] == [
        ("events[1].choices[0]", "prose.stream.finish")
    ]
    other_id = _good_stream()
    other_id[1] = Event("message", "", {**other_id[1].data, "id": "chatcmpl-2"})
    assert [(f.path, f.rule) for f in r.check_chat_stream(other_id, chat=True, include_usage=False)] == [
        ("events[1].id", "prose.stream.same-id")
    ]


def test_the_usage_chunk_rules() -> None:
    stream = _good_stream(True)
    with_choices = {**stream[-2].data, "choices": [{"index": 0, "delta": {}, "finish_reason": None}]}
    broken = [*stream[:-2], Event("message", "", with_choices), DONE]
    assert [(f.path, f.rule) for f in r.check_chat_stream(broken, chat=True, include_usage=True)] == [
        ("events[3].choices", "prose.stream.usage-chunk")
    ]
    no_usage = _good_stream()
    assert [(f.path, f.rule) for f in r.check_chat_stream(no_usage, chat=True, include_usage=True)] == [
        ("events[2].usage", "prose.stream.usage-chunk")
    ]
    early = list(stream)
    early[0] = Event("message", "", {**early[0].data, "usage": {"total_tokens": 1}})
    assert [(f.path, f.rule) for f in r.check_chat_stream(early, chat=True, include_usage=True)] == [
        ("events[0].usage", "prose.stream.usage-chunk")
    ]


def test_a_tool_calls_first_delta_must_name_it() -> None:
    call = {"index": 0, "type": "function", "function": {"arguments": ""}}
    events = [_chunk(0, {"role": "assistant", "tool_calls": [call]}), _chunk(1, {}, "tool_calls"), DONE]
    found = r.check_chat_stream(events, chat=True, include_usage=False)
    assert [(f.path, f.rule) for f in found] == [
        ("events[0].choices[0].delta.tool_calls[0].id", "prose.stream.tool-call"),
        ("events[0].choices[0].delta.tool_calls[0].function.name", "prose.stream.tool-call"),
    ]


def _typed(kind: str, n: int | None, name: str | None = None) -> Event:
    data: dict[str, Any] = {"type": kind}
    if n is not None:
        data["sequence_number"] = n
    return Event(name or kind, json.dumps(data), data)


def test_responses_stream_order_and_sequence_numbers() -> None:
    good = [_typed("response.created", 0), _typed("response.output_text.delta", 1), _typed("response.completed", 2)]
    assert r.check_responses_stream(good) == []
    assert r.check_responses_stream([_typed(e.data["type"], None) for e in good]) == []  # no numbers: 3.0 spec
    late_start = [good[1], good[0], good[2]]
    assert ("events[0].type", "prose.responses.event-order") in [
        (f.path, f.rule) for f in r.check_responses_stream(late_start)
    ]
    from_one = [_typed(e.data["type"], e.data["sequence_number"] + 1) for e in good]
    assert [(f.path, f.rule) for f in r.check_responses_stream(from_one)] == [
        ("events[0].sequence_number", "prose.responses.sequence")
    ]
    unended = good[:2]
    assert [(f.path, f.rule) for f in r.check_responses_stream(unended)] == [("events", "prose.responses.event-order")]
    after = [*good, _typed("response.output_text.delta", 3)]
    assert [(f.path, f.rule) for f in r.check_responses_stream(after)] == [("events[3]", "prose.responses.event-order")]
    misnamed = [good[0], _typed("response.output_text.delta", 1, "delta"), good[2]]
    assert [(f.path, f.rule) for f in r.check_responses_stream(misnamed)] == [
        ("events[1]", "prose.responses.event-name")
    ]


@pytest.fixture(scope="module")
def defs() -> dict[str, Any]:
    return load_index(SPEC_31).schemas()["defs"]


def test_answers_must_carry_required_fields_that_may_be_null(defs: dict[str, Any]) -> None:
    error = {"error": {"message": "bad", "type": "invalid_request_error", "param": None}}
    assert r.check_schema(defs, {"$ref": "#/$defs/ErrorResponse"}, error) == [
        Finding("$.error.code", "schema", "present (required)", "absent")
    ]
    # A request may leave such a field out: the leniency is for requests only.
    from openapi_client_openai._validation import Explainer

    assert Explainer(defs, "").check({"$ref": "#/$defs/ErrorResponse"}, error) == []


def test_schema_findings_name_the_place_what_is_wanted_and_what_came(defs: dict[str, Any]) -> None:
    answer = {"error": {"message": 3, "type": "x", "param": None, "code": None}}
    assert r.check_schema(defs, {"$ref": "#/$defs/ErrorResponse"}, answer) == [
        Finding("$.error.message", "schema", "string", "3")
    ]


def test_strict_flags_undeclared_and_missing_optional_fields() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}
    assert r.check_strict({}, schema, {"a": "x", "zz": 1}) == [
        Finding("$.zz", "strict.undeclared", "no such field in the spec", "1"),
        Finding("$.b", "strict.missing-optional", "present (declared)", "absent"),
    ]
    free = {"type": "object", "additionalProperties": {"type": "string"}}
    assert r.check_strict({}, free, {"anything": "x"}) == []


def test_headers_ids_errors_and_embeddings(defs: dict[str, Any]) -> None:
    ok = {"content-type": "application/json", "x-request-id": "req_1", "x-ratelimit-limit-requests": "1"}
    assert r.check_headers(ok, "application/json", True) == []
    assert [f.path for f in r.check_headers({"content-type": "text/plain"}, "application/json", True)] == [
        "content-type",
        "x-request-id",
        "x-ratelimit-*",
    ]
    assert r.check_id({"id": "chatcmpl-1", "object": "chat.completion"}) == []
    assert r.check_id({"id": "abc", "object": "response"}) == [
        Finding("$.id", "prose.id-prefix", "an id starting with 'resp_'", '"abc"')
    ]
    assert [f.rule for f in r.check_error(400, 400, {"detail": "no"}, defs, "error.status")] == ["error.envelope"]
    assert [f.rule for f in r.check_error(403, 401, None, defs, "auth.401")] == ["auth.401", "error.envelope"]
    assert [f.rule for f in r.check_error(200, 401, {"id": "x"}, defs, "auth.401")] == ["auth.401"]
    import base64
    import struct

    packed = base64.b64encode(struct.pack("<3f", 1, 2, 3)).decode()
    assert r.check_embeddings({"data": [{"embedding": packed}]}, 3, True) == []
    assert [f.got for f in r.check_embeddings({"data": [{"embedding": packed}]}, 8, True)] == ["12 bytes"]
    assert [f.got for f in r.check_embeddings({"data": [{"embedding": [0.1]}]}, 8, False)] == ["1 numbers"]
    decoded = r.decode_base64_embeddings({"data": [{"embedding": packed}]})
    assert decoded["data"][0]["embedding"] == [1.0, 2.0, 3.0]


def test_a_stream_adds_up_to_the_plain_answers_shape() -> None:
    plain = {"id": "a", "choices": [{"message": {"content": "x", "annotations": []}}], "usage": {}}
    assert r.shape_differences({"id": "b", "choices": [{"message": {"content": "y"}}]}, plain) == []
    assert r.shape_differences({"id": 1, "choices": []}, plain) == [
        Finding("accumulated.id", "prose.stream.accumulated", "string, as when not streamed", "number")
    ]
    assert [f.path for f in r.shape_differences({"choices": []}, plain)] == ["accumulated.id"]


# The location parser: any path the explainer writes leads back to the value it names.
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)


def _places(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _places(item, (*path, i))


@settings(max_examples=150, deadline=None)
@given(_json)
def test_value_at_reads_back_every_place_the_explainer_names(value: Any) -> None:
    from openapi_client_openai._validation import _where

    for path, item in _places(value):
        assert r.parse_location(_where(path, "")) == list(path) or path == ()
        assert r.value_at(value, _where(path, "")) == item


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(list(FAMILIES)), max_size=4), st.text(min_size=1, max_size=12))
def test_model_options_parse_to_families(names: list[str], model: str) -> None:
    from openapi_client_openai.cli._conform import parse_models

    if "=" in model:
        return
    parsed = parse_models([model, *(f"{n}={model}x" for n in names)])
    assert isinstance(parsed, dict)
    assert parsed["chat"] == (model + "x" if "chat" in names else model)
    for name in names:
        assert parsed[name] == model + "x"
    with pytest.raises(ValueError, match="no family"):
        parse_models([f"nope={model}"])


def test_every_request_of_the_suite_fits_the_spec() -> None:
    from openapi_client_openai.conform._suite import Answer, Context

    made = {"upload": Answer(200, {}, {"id": "file-x"}), "create": Answer(200, {}, {"id": "batch_x"})}
    ctx = Context({}, {}, seen=made)
    for spec in (SPEC_30, SPEC_31):
        index = load_index(spec)
        for cases in families(None, {}).values():
            for case in cases:
                if case.op not in index.data["ops"] or case.invalid:
                    continue
                body, params = case.body, dict(case.params)
                found = case.after(ctx) if case.after is not None else {}
                assert found is not None
                if body is not None:
                    body = {**body, **found}
                else:
                    params.update(found)
                if case.form is not None:
                    body = {**case.form, **({"file": case.upload} if case.upload else {})}
                problems = index.validator(case.op).check(body, params)
                assert problems == [], (spec.name, case.family, case.name, problems)
        bad = next(c for c in families(["errors"], {})["errors"] if c.invalid)
        assert index.validator(bad.op).check(bad.body, {}) != []


# -- against the project's mock -------------------------------------------------------------------------


@pytest.fixture(scope="module", params=[SPEC_30, SPEC_31], ids=["spec3.0", "spec3.1"])
def mock(request: pytest.FixtureRequest) -> Iterator[tuple[str, Any]]:
    with MockServer(spec=request.param) as base_url:
        yield base_url, request.param


def test_every_family_of_the_mock_conforms(mock: tuple[str, Any]) -> None:
    base_url, spec = mock
    started = time.monotonic()
    report = conform.run(base_url, api_key=FAKE_KEY, spec=spec)
    assert time.monotonic() - started < 30
    assert report.problems == []
    assert report.exit_status == 0 and report.score == 100.0
    assert list(report.families) == list(FAMILIES)
    assert all(f.offered and f.sent == f.passed > 0 for f in report.families.values())
    data = report.to_dict()
    assert set(data) == {"server", "score", "families"}
    assert all(set(f) == {"offered", "sent", "passed", "problems"} for f in data["families"].values())


def test_strict_mode_reports_more(mock: tuple[str, Any]) -> None:
    base_url, spec = mock
    report = conform.run(base_url, api_key=FAKE_KEY, spec=spec, only=["chat"], strict=True)
    rules = {p.rule for p in report.problems}
    assert rules and rules <= {"strict.undeclared", "strict.missing-optional"}
    assert all(set(p.to_dict()) == {"path", "rule", "expected", "got", "request"} for p in report.problems)


def test_a_family_the_spec_lacks_is_skipped_with_a_reason(tmp_path: Any) -> None:
    import yaml

    doc = yaml.safe_load(SPEC_30.read_text())
    doc["paths"] = {k: v for k, v in doc["paths"].items() if k not in ("/moderations", "/files/{file_id}/content")}
    small = tmp_path / "no-moderations.yaml"
    small.write_text(yaml.safe_dump(doc))
    with MockServer(spec=SPEC_30) as base_url:
        report = conform.run(base_url, api_key=FAKE_KEY, spec=small, only="moderations,models,files")
    assert report.families["moderations"].offered is False
    assert report.families["moderations"].note == "the spec has no createModeration"
    assert report.families["models"].offered and report.exit_status == 0
    files = report.families["files"]  # the operations the spec has are run, and the note says which it lacks
    assert (files.offered, files.sent, files.note) == (True, 4, "the spec has no downloadFile")


# -- the command line --------------------------------------------------------------------------------


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_the_command_exits_0_and_writes_both_reports(mock: tuple[str, Any], tmp_path: Any) -> None:
    base_url, spec = mock
    status, out, err = _cli(
        "--spec", str(spec), "conform", base_url, "--only", "chat,models", "--api-key", FAKE_KEY,
        "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html"),
    )  # fmt: skip
    assert (status, err) == (0, "")
    assert "chat: 9/9 requests passed, conforms" in out and "score: 100.0%" in out
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["server"] == base_url and data["score"] == 100.0 and list(data["families"]) == ["models", "chat"]
    assert "<h2>chat</h2>" in (tmp_path / "r.html").read_text()
    assert FAKE_KEY not in out + (tmp_path / "r.json").read_text() + (tmp_path / "r.html").read_text()


def test_the_command_exits_2_when_it_cannot_run(tmp_path: Any) -> None:
    status, _, err = _cli("conform", "http://127.0.0.1:1/v1", "--api-key", FAKE_KEY)
    assert status == 2 and "conform could not run" in err and "Connection refused" in err
    assert FAKE_KEY not in err
    status, _, err = _cli("conform", "http://127.0.0.1:1/v1", "--only", "chat,bogus")
    assert status == 2 and "unknown family bogus: choose from models, chat" in err
    status, _, err = _cli("conform", "http://127.0.0.1:1/v1", "--model", "a", "--model", "b")
    assert status == 2 and "--model: give one model" in err


def test_the_pytest_option_adds_a_test_per_family(mock: tuple[str, Any], tmp_path: Any) -> None:
    base_url, spec = mock
    env = {**os.environ, "OPENAI_API_KEY": FAKE_KEY, "OPENAPI_CLIENT_OPENAI_SPEC": str(spec)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--openai-conform", base_url,
         "--openai-conform-only", "models,chat", "-rA"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASSED ::openai-conform[models]" in done.stdout and "PASSED ::openai-conform[chat]" in done.stdout
    assert "2 passed" in done.stdout


# -- the README's section ----------------------------------------------------------------------------


def _section() -> str:
    from conftest import ROOT

    text = (ROOT / "README.md").read_text()
    start = text.index("## Conformance")
    return text[start : text.index("\n## ", start + 5)]


def test_the_readme_lists_every_rule_as_the_code_has_it() -> None:
    rows = re.findall(r"^\| `([^`]+)` \| (.+) \|$", _section(), re.M)
    assert dict(rows) == conform.RULES


def test_the_readme_python_example_runs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (block,) = re.findall(r"```python\n(.*?)```", _section(), re.S)
    monkeypatch.setenv("OPENAPI_CLIENT_OPENAI_SPEC", str(SPEC_31))
    namespace: dict[str, Any] = {"__name__": "readme"}
    exec(compile(block, "README.md (Conformance)", "exec", dont_inherit=True), namespace)
    assert namespace["report"].exit_status == 0 and set(namespace["data"]) == {"server", "score", "families"}
    assert "100.0% of requests passed; exit status 0" in capsys.readouterr().out


def test_the_readme_commands_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import shlex

    (block,) = re.findall(r"```sh\n(.*?)```", _section(), re.S)
    lines = block.replace("\\\n", " ").strip().splitlines()
    monkeypatch.chdir(tmp_path)
    env = {**os.environ, "OPENAI_API_KEY": FAKE_KEY, "OPENAPI_CLIENT_OPENAI_SPEC": str(SPEC_31)}
    monkeypatch.setenv("OPENAPI_CLIENT_OPENAI_SPEC", str(SPEC_31))
    with MockServer(spec=SPEC_31) as base_url:
        statuses = []
        for line in lines:
            words = [w.replace("http://127.0.0.1:8000/v1", base_url) for w in shlex.split(line, comments=True)]
            if words[0] == "openapi-client-openai":
                statuses.append(_cli(*words[1:], "--api-key", FAKE_KEY)[0])
            else:
                assert words[0] == "pytest"
                done = subprocess.run(
                    [sys.executable, "-m", *words, "-p", "no:cacheprovider", "-q"],
                    cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                )  # fmt: skip
                statuses.append(done.returncode)
                assert f"{len(FAMILIES)} passed" in done.stdout, done.stdout
    assert statuses == [0, 1, 0]  # --strict finds the optional fields the mock leaves out
    assert json.loads((tmp_path / "report.json").read_text())["score"] == 100.0
    assert (tmp_path / "report.html").exists()


def test_the_terminal_report_shows_what_came_back_as_text_never_as_markup() -> None:
    from openapi_client_openai.conform import FamilyReport, Problem, Report

    odd = Problem("[DONE]", "prose.stream.done", "data: [DONE]", "[/bold][red]x", "call x --body '[bold]'")
    report = Report("http://127.0.0.1:1/v1", {"chat": FamilyReport(True, 1, 0, [odd], note="[b]note")})
    shown = io.StringIO()
    report.print(shown)
    text = shown.getvalue()
    assert "[DONE]" in text and "[/bold][red]x" in text and "call x --body '[bold]'" in text and "([b]note)" in text
