"""Stand-in servers that each break one rule: the run reports that rule at the right place and
nothing else.

Each stand-in is a small Starlette app in front of the project's mock (which conforms, see
test_conform.py): it forwards the request in-process and changes what comes back in one way.
One parametrized fixture serves each on 127.0.0.1 under uvicorn.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from openapi_client_openai import conform
from openapi_client_openai.mock import MockServer, create_app

from conftest import FAKE_KEY, SPEC_31

Reply = tuple[int, dict[str, str], bytes]


# -- what a stand-in may change ------------------------------------------------------------------------


def _json_body(change: Callable[[dict[str, Any]], None], when: Callable[[int], bool] = lambda s: s < 300) -> Any:
    """A change to JSON answers (of the statuses ``when`` accepts)."""

    def apply(request: dict[str, Any], status: int, headers: dict[str, str], body: bytes) -> Reply:
        if not headers.get("content-type", "").startswith("application/json") or not when(status):
            return status, headers, body
        data = json.loads(body)
        change(data)
        return status, headers, json.dumps(data).encode()

    return apply


def _events(change: Callable[[list[Any]], list[Any]], ops: tuple[str, ...] = ("/chat/completions",)) -> Any:
    """A change to the events of streams (a list of parsed data, ``"[DONE]"`` as it is)."""

    def apply(request: dict[str, Any], status: int, headers: dict[str, str], body: bytes) -> Reply:
        if not headers.get("content-type", "").startswith("text/event-stream") or request["path"] not in ops:
            return status, headers, body
        blocks = [b for b in body.decode().split("\n\n") if b.strip()]
        items = []
        for block in blocks:
            data = "\n".join(line[6:] for line in block.split("\n") if line.startswith("data: "))
            items.append(data if data == "[DONE]" else json.loads(data))
        lines = []
        for item in change(items):
            if item == "[DONE]":
                lines.append("data: [DONE]\n\n")
            else:
                name = f"event: {item['type']}\n" if request["path"] == "/responses" and "type" in item else ""
                lines.append(f"{name}data: {json.dumps(item)}\n\n")
        return status, headers, "".join(lines).encode()

    return apply


def _headers(change: Callable[[dict[str, str]], None]) -> Any:
    def apply(request: dict[str, Any], status: int, headers: dict[str, str], body: bytes) -> Reply:
        headers = dict(headers)
        change(headers)
        return status, headers, body

    return apply


def _chunks(items: list[Any]) -> list[dict[str, Any]]:
    return [i for i in items if isinstance(i, dict)]


def _no_first_role(items: list[Any]) -> list[Any]:
    _chunks(items)[0]["choices"][0]["delta"].pop("role", None)
    return items


def _usage_chunk_with_choices(items: list[Any]) -> list[Any]:
    last = _chunks(items)[-1]
    if last.get("usage") is not None:
        last["choices"] = [{"index": 0, "delta": {}, "finish_reason": None}]
    return items


def _no_usage_chunk(items: list[Any]) -> list[Any]:
    return [i for i in items if not (isinstance(i, dict) and i.get("usage") is not None and i.get("choices") == [])]


def _no_done(items: list[Any]) -> list[Any]:
    return [i for i in items if i != "[DONE]"]


def _no_tool_index(items: list[Any]) -> list[Any]:
    for chunk in _chunks(items):
        for choice in chunk["choices"]:
            for call in choice["delta"].get("tool_calls") or ():
                call.pop("index", None)
    return items


def _no_created(items: list[Any]) -> list[Any]:
    kept = [i for i in items if not (isinstance(i, dict) and i.get("type") == "response.created")]
    for n, item in enumerate(_chunks(kept)):
        item["sequence_number"] = n
    return kept


def _sequence_from_one(items: list[Any]) -> list[Any]:
    for item in _chunks(items):
        item["sequence_number"] += 1
    return items


def _strip_id_prefix(data: dict[str, Any]) -> None:
    if data.get("object") == "chat.completion":
        data["id"] = data["id"].removeprefix("chatcmpl-")


def _finish_outside_enum(data: dict[str, Any]) -> None:
    for choice in data.get("choices") or ():
        if choice.get("finish_reason"):
            choice["finish_reason"] = "end_turn"


def _no_refusal(data: dict[str, Any]) -> None:
    for choice in data.get("choices") or ():
        if isinstance(choice.get("message"), dict):
            choice["message"].pop("refusal", None)


def _short_embeddings(data: dict[str, Any]) -> None:
    for item in data.get("data") or ():
        if isinstance(item.get("embedding"), list):
            item["embedding"] = item["embedding"][:3]


def _no_model_code(data: dict[str, Any]) -> None:
    data["error"]["code"] = None


def _not_an_envelope(request: dict[str, Any], status: int, headers: dict[str, str], body: bytes) -> Reply:
    if status != 400:
        return status, headers, body
    return status, headers, json.dumps({"detail": json.loads(body)["error"]["message"]}).encode()


def _no_auth_check(request: dict[str, Any], status: int, headers: dict[str, str], body: bytes) -> Reply:
    return status, headers, body  # the forwarding below adds a key to requests without one


def _text_plain(request: dict[str, Any], status: int, headers: dict[str, str], body: bytes) -> Reply:
    if headers.get("content-type", "").startswith("application/json"):
        headers = {**headers, "content-type": "text/plain; charset=utf-8"}
    return status, headers, body


def _content_as_json(request: dict[str, Any], status: int, headers: dict[str, str], body: bytes) -> Reply:
    # What the spec's schema (a JSON string) would have, not what the API sends (the bytes).
    if not request["path"].endswith("/content"):
        return status, headers, body
    return status, {**headers, "content-type": "application/json"}, json.dumps(body.decode()).encode()


def _drop_ratelimit(headers: dict[str, str]) -> None:
    for name in [n for n in headers if n.startswith("x-ratelimit-")]:
        del headers[name]


@dataclass
class StandIn:
    """One broken rule: the change, the families to run, and the (path pattern, rule) pairs the
    report must hold, each at least once, and nothing else."""

    change: Any
    only: str
    expected: list[tuple[str, str]]
    accept_any_key: bool = False


STANDINS = {
    "first chunk lacks role": StandIn(
        _events(_no_first_role), "chat", [(r"events\[0\]\.choices\[0\]\.delta\.role", "prose.stream.first-role")]
    ),
    "usage chunk with choices": StandIn(
        _events(_usage_chunk_with_choices), "chat", [(r"events\[\d+\]\.choices", "prose.stream.usage-chunk")]
    ),
    "no usage chunk": StandIn(
        _events(_no_usage_chunk), "chat", [(r"events\[\d+\]\.usage", "prose.stream.usage-chunk")]
    ),
    "no [DONE]": StandIn(
        _events(_no_done, ("/chat/completions", "/completions")),
        "chat,completions",
        [(r"\[DONE\]", "prose.stream.done")],
    ),
    "tool-call deltas without index": StandIn(
        _events(_no_tool_index),
        "chat",
        [(r"events\[\d+\]\.choices\[0\]\.delta\.tool_calls\[0\]\.index", "schema.event")],
    ),
    "ids without prefix": StandIn(_json_body(_strip_id_prefix), "chat", [(r"\$\.id", "prose.id-prefix")]),
    "finish_reason outside the enum": StandIn(
        _json_body(_finish_outside_enum), "chat", [(r"\$\.choices\[\d\]\.finish_reason", "schema")]
    ),
    "required nullable field missing": StandIn(
        _json_body(_no_refusal), "chat", [(r"\$\.choices\[\d\]\.message\.refusal", "schema")]
    ),
    "errors not in the envelope": StandIn(_not_an_envelope, "errors", [(r"\$\.error", "error.envelope")]),
    "no 401 without a key": StandIn(_no_auth_check, "errors", [("status", "auth.401")], accept_any_key=True),
    "unknown model without model_not_found": StandIn(
        _json_body(_no_model_code, lambda s: s == 404), "models", [(r"\$\.error\.code", "model.not-found")]
    ),
    "no x-request-id": StandIn(
        _headers(lambda h: h.pop("x-request-id", None)), "models", [("x-request-id", "prose.header.x-request-id")]
    ),
    "no x-ratelimit-*": StandIn(_headers(_drop_ratelimit), "chat", [(r"x-ratelimit-\*", "prose.header.x-ratelimit")]),
    "JSON as text/plain": StandIn(_text_plain, "models", [("content-type", "content-type")]),
    "dimensions ignored": StandIn(
        _json_body(_short_embeddings), "embeddings", [(r"\$\.data\[\d\]\.embedding", "prose.embeddings.dimensions")]
    ),
    "file content as a JSON string": StandIn(_content_as_json, "files", [(r"\$", "prose.files.content")]),
    "Responses stream without response.created": StandIn(
        _events(_no_created, ("/responses",)), "responses", [(r"events\[0\]\.type", "prose.responses.event-order")]
    ),
    "sequence numbers from 1": StandIn(
        _events(_sequence_from_one, ("/responses",)),
        "responses",
        [(r"events\[0\]\.sequence_number", "prose.responses.sequence")],
    ),
}


def standin_app(mock: Any, standin: StandIn) -> Any:
    """A Starlette app that forwards every request to ``mock`` and changes the answer."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=mock), base_url="http://mock")

    async def forward(request: Request) -> Response:
        headers = {k: v for k, v in request.headers.items() if k not in ("host", "content-length")}
        if standin.accept_any_key and headers.get("authorization", "").strip() == "Bearer":
            headers["authorization"] = "Bearer sk-accepted-anyway"
        answer = await client.request(request.method, request.url.path, headers=headers, content=await request.body())
        kept = {k: v for k, v in answer.headers.items() if k not in ("content-length", "transfer-encoding")}
        info = {"path": request.url.path.removeprefix("/v1")}
        status, kept, body = standin.change(info, answer.status_code, kept, answer.content)
        return Response(body, status, headers=kept)

    return Starlette(routes=[Route("/{path:path}", forward, methods=["GET", "POST", "DELETE"])])


@pytest.fixture(params=list(STANDINS))
def standin(request: pytest.FixtureRequest) -> Iterator[tuple[str, StandIn]]:
    chosen = STANDINS[request.param]
    server = MockServer(spec=SPEC_31)
    server.app = standin_app(create_app(SPEC_31), chosen)
    with server as base_url:
        yield base_url, chosen


def test_each_standin_is_reported_at_the_broken_rule_and_nowhere_else(standin: tuple[str, StandIn]) -> None:
    base_url, chosen = standin
    report = conform.run(base_url, api_key=FAKE_KEY, spec=SPEC_31, only=chosen.only)
    found = [(p.path, p.rule) for p in report.problems]
    assert found, "the broken rule went unnoticed"
    unexpected = [f for f in found if not any(re.fullmatch(p, f[0]) and r == f[1] for p, r in chosen.expected)]
    assert unexpected == [], found
    for pattern, rule in chosen.expected:
        assert any(re.fullmatch(pattern, path) and r == rule for path, r in found), (pattern, rule, found)
    assert report.exit_status == 1 and report.score < 100
    for problem in report.problems:
        assert problem.request.startswith(f"openapi-client-openai --base-url {base_url} call ")
        assert problem.expected and problem.got


def test_a_standin_fails_the_command_with_status_1_and_a_replayable_request(tmp_path: Any) -> None:
    from openapi_client_openai.cli import main

    server = MockServer(spec=SPEC_31)
    server.app = standin_app(create_app(SPEC_31), STANDINS["ids without prefix"])
    with server as base_url:
        out, err = io.StringIO(), io.StringIO()
        argv = ["--spec", str(SPEC_31), "conform", base_url, "--only", "chat", "--json", str(tmp_path / "r.json")]
        status = main([*argv, "--api-key", FAKE_KEY], stdout=out, stderr=err)
        assert status == 1, err.getvalue()
        problem = json.loads((tmp_path / "r.json").read_text())["families"]["chat"]["problems"][0]
        assert set(problem) == {"path", "rule", "expected", "got", "request"}
        assert (problem["path"], problem["rule"]) == ("$.id", "prose.id-prefix")
        # The replay, run as the command line it is, shows the same answer.
        import shlex

        words = shlex.split(problem["request"])
        replay_out = io.StringIO()
        assert main(words[1:], env={"OPENAI_API_KEY": FAKE_KEY}, stdout=replay_out, stderr=err) == 0, err.getvalue()
        assert not json.loads(replay_out.getvalue())["id"].startswith("chatcmpl-")


def _echo_key(request: dict[str, Any], status: int, headers: dict[str, str], body: bytes) -> Reply:
    if status != 400:
        return status, headers, body
    return status, headers, json.dumps({"detail": f"refused, key {FAKE_KEY}"}).encode()


def test_the_key_never_appears_in_a_report_even_when_the_server_echoes_it(tmp_path: Any) -> None:
    from openapi_client_openai.cli import main

    server = MockServer(spec=SPEC_31)
    server.app = standin_app(create_app(SPEC_31), StandIn(_echo_key, "errors", []))
    with server as base_url:
        report = conform.run(base_url, api_key=FAKE_KEY, spec=SPEC_31, only="errors")
        assert any(p.rule == "error.envelope" and "sk-" in p.got for p in report.problems)
        shown = io.StringIO()
        report.print(shown)
        assert FAKE_KEY not in report.to_json() + report.to_html() + shown.getvalue() + repr(report)
        out, err = io.StringIO(), io.StringIO()
        argv = [
            "conform",
            base_url,
            "--only",
            "errors",
            "--json",
            str(tmp_path / "r.json"),
            "--html",
            str(tmp_path / "r.html"),
        ]
        assert main(argv, env={"OPENAI_API_KEY": FAKE_KEY}, stdout=out, stderr=err) == 1
        written = (tmp_path / "r.json").read_text() + (tmp_path / "r.html").read_text()
        assert FAKE_KEY not in out.getvalue() + err.getvalue() + written


def _no_embeddings(request: dict[str, Any], status: int, headers: dict[str, str], body: bytes) -> Reply:
    # What a server without the route answers (FastAPI's default 404), not OpenAI's error envelope.
    if request["path"] != "/embeddings":
        return status, headers, body
    return 404, {"content-type": "application/json"}, b'{"detail": "Not Found"}'


def test_a_family_answered_404_without_the_envelope_is_not_offered_not_failed() -> None:
    server = MockServer(spec=SPEC_31)
    server.app = standin_app(create_app(SPEC_31), StandIn(_no_embeddings, "", []))
    with server as base_url:
        report = conform.run(base_url, api_key=FAKE_KEY, spec=SPEC_31, only="embeddings,moderations")
    embeddings = report.families["embeddings"]
    assert (embeddings.offered, embeddings.sent, embeddings.problems) == (False, 0, [])
    assert embeddings.note == "/embeddings answered 404"
    assert report.problems == [] and report.exit_status == 0
    assert report.to_dict()["families"]["embeddings"] == {"offered": False, "sent": 0, "passed": 0, "problems": []}
    shown = io.StringIO()
    report.print(shown)
    assert "embeddings: not run (/embeddings answered 404)" in shown.getvalue()
    nothing = conform.Report(server=base_url, families={"embeddings": embeddings})
    assert nothing.exit_status == 2  # no family offered: could not run
