"""Every operation of both fixture specs, called against a real HTTP server on 127.0.0.1.

For each one the server checks what arrived: method, path (with path parameters filled and
encoded), the spec's own query, the parameters given, the auth and beta headers, and a body
in the content type the spec asks for.
"""

from __future__ import annotations

import json
import zlib

import pytest

from openapi_client_openai import OpenAIClient
from openapi_client_openai.spec import beta_header_for, load_index, snake_case

from conftest import FAKE_KEY, SPEC_30, SPEC_31

SAMPLE = {"array": ["a", "b"], "object": {"k": "v"}, "scalar": "x1"}


def _cases():
    for spec in (SPEC_30, SPEC_31):
        for op_id in load_index(spec).operation_ids:
            yield pytest.param(spec, op_id, id=f"{spec.stem}:{op_id}")


@pytest.fixture(scope="module")
def clients(_server):
    made = {}
    for spec in (SPEC_30, SPEC_31):
        made[spec] = OpenAIClient(
            spec=spec,
            api_key=FAKE_KEY,
            admin_api_key=FAKE_KEY,  # the organization endpoints take the admin key (test_admin_key)
            base_url=_server.url + "/",
            organization="org-1",
            project="proj-1",
            max_retries=0,
            timeout=5,
            validate="off",  # placeholder bodies: this test is about the wire, test_validation about the spec
        )
    yield made
    for c in made.values():
        c.close()


@pytest.mark.parametrize(("spec", "op_id"), list(_cases()))
def test_every_operation_reaches_the_server_as_specified(server, clients, spec, op_id: str) -> None:
    client = clients[spec]
    op = client.operation(op_id)
    kwargs = {}
    expected_path = op.path
    expected_query = [tuple(p.split("=", 1)) for p in op.static_query.split("&")] if op.static_query else []
    expected_headers = {}
    for prm in op.params:
        if prm.location == "path":
            value = f"{prm.name}-1:a"
            expected_path = expected_path.replace("{" + prm.name + "}", value)
            kwargs[prm.kwarg] = value
        elif prm.location == "query":
            kwargs[prm.kwarg] = SAMPLE[prm.kind]
            if prm.kind == "array":
                expected_query += [(prm.wire, "a"), (prm.wire, "b")]
            elif prm.kind == "object":
                expected_query.append((f"{prm.wire}[k]", "v"))
            else:
                expected_query.append((prm.wire, "x1"))
        elif prm.location == "header":
            kwargs[prm.kwarg] = ["h1", "h2"] if prm.kind == "array" else "h1"
            expected_headers[prm.name.lower()] = "h1,h2" if prm.kind == "array" else "h1"
    body = None
    if op.content_types:
        if "application/json" in op.content_types:
            body = {"probe": 1, "nested": {"ok": True}}
        elif "multipart/form-data" in op.content_types:
            body = {"file": b"RIFF\x00\x00\x00\x00WAVEfmt ", "purpose": "probe"}
        else:
            body = "raw body"
    # call by the snake_case alias half the time, so both routes are exercised on the wire
    name = snake_case(op_id) if zlib.crc32(op_id.encode()) % 2 else op_id
    method = client.call if not name.isidentifier() else getattr(client, name)
    result = method(name, body, **kwargs) if method == client.call else method(body, **kwargs)
    assert result.status_code == 200 and result.json() == {"object": "ok"}

    seen = server.last
    assert seen.method == op.method
    assert seen.path == "/v1" + expected_path
    assert seen.query == expected_query
    assert seen.headers["authorization"] == f"Bearer {FAKE_KEY}"
    assert seen.headers["openai-organization"] == "org-1"
    assert seen.headers["openai-project"] == "proj-1"
    assert seen.headers["user-agent"].startswith("openapi-client-openai/")
    beta = beta_header_for(op.path)
    if beta:
        assert seen.headers["openai-beta"] == beta
    for key, value in expected_headers.items():
        assert seen.headers[key] == value
    if body is None:
        assert seen.body == b""
    elif isinstance(body, dict) and "application/json" in op.content_types:
        assert seen.headers["content-type"] == "application/json"
        assert json.loads(seen.body) == body
    elif isinstance(body, dict):
        assert seen.headers["content-type"].startswith("multipart/form-data; boundary=")
        assert b'name="purpose"\r\n\r\nprobe' in seen.body
        assert b'name="file"; filename="file.wav"' in seen.body
    else:
        assert seen.body == b"raw body"
