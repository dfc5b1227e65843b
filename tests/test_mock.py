"""The mock server: every operation of both specs through the project's client, and the rules.

Requests are made from each operation's own schemas (valid by construction, and checked by
the client's validator before sending); every 2xx JSON answer must validate against the
operation's response schema.
"""

from __future__ import annotations

import pytest

from openapi_client_openai import (
    OpenAIClient,
    RequestValidationError,
)
from openapi_client_openai._validation import _Explainer
from openapi_client_openai.mock import MockServer
from openapi_client_openai.mock._fake import Faker

from conftest import FAKE_KEY, SPEC_30, SPEC_31

WAV = b"RIFF\x00\x00\x00\x00WAVEfmt "


@pytest.fixture(scope="module", params=[SPEC_30, SPEC_31], ids=["spec3.0", "spec3.1"])
def lenient(request):
    with MockServer(spec=request.param, lenient_ids=True, seed=7) as url:
        yield request.param, url


@pytest.fixture(scope="module")
def strict():
    with MockServer(spec=SPEC_31, seed=3) as url:
        yield url


def _request_for(client: OpenAIClient, op_id: str, faker: Faker) -> tuple[dict, object]:
    """Path/query/header parameters and a body for an operation, made from its own schemas."""
    spec = client.spec
    schemas = spec.schemas()["ops"][op_id]
    op = client.operation(op_id)
    params = {}
    for name, location, required, schema in schemas["params"]:
        prm = op.by_kwarg.get(name) or op.by_kwarg.get(name[:-2])
        if location == "path":
            params[prm.kwarg] = f"{name}_1"
        elif required:
            params[prm.kwarg] = faker.value(schema, name)
    body = None
    validator = spec.validator(op_id)
    if "application/json" in schemas["body"]:
        body = faker.value(schemas["body"]["application/json"])
    elif "multipart/form-data" in schemas["body"]:
        form_schema = schemas["body"]["multipart/form-data"]
        required = set(_Explainer(spec.schemas()["defs"], "").resolve(form_schema).get("required") or ())
        body = {k: v for k, v in faker.value(form_schema).items() if k in required}
        for name, kind in validator._file_fields(form_schema).items():
            if name in body:
                body[name] = WAV if kind != "many" else [WAV]
    elif schemas["body"]:
        body = "v=0\r\n"
    if isinstance(body, dict):
        body.pop("stream", None)
        body.pop("stream_format", None)
    return params, body


def _body_schema(client: OpenAIClient, op_id: str) -> dict:
    bodies = client.spec.schemas()["ops"][op_id]["body"]
    return bodies.get("application/json") or bodies.get("multipart/form-data") or {}


def test_every_operation_answers_as_the_spec_says(lenient) -> None:
    spec, url = lenient
    client = OpenAIClient(spec=spec, api_key=FAKE_KEY, base_url=url, max_retries=0)
    faker = Faker(client.spec.schemas()["defs"], seed=11)
    defs = client.spec.schemas()["defs"]
    failures = []
    for op_id in client.spec.operation_ids:
        params, body = _request_for(client, op_id, faker)
        if client.validate(op_id, body, **params) and isinstance(body, dict):
            # The made-up optional fields break a rule the maker does not know (`not`...):
            # the required fields alone must do.
            required = set(_Explainer(defs, "").resolve(_body_schema(client, op_id)).get("required") or ())
            body = {k: v for k, v in body.items() if k in required}
        try:
            result = client.call(op_id, body, **params)
        except RequestValidationError as exc:
            failures.append(f"{op_id}: the made-up request is invalid: {exc.problems[:2]}")
            continue
        except Exception as exc:
            failures.append(f"{op_id}: {type(exc).__name__}: {exc}")
            continue
        if not 200 <= result.status_code < 300:
            failures.append(f"{op_id}: status {result.status_code}")
            continue
        answers = client.spec.schemas()["ops"][op_id]["responses"].get(str(result.status_code)) or {}
        if result.content_type.startswith("application/json") and "application/json" in answers:
            problems = _Explainer(defs, "").check(answers["application/json"], result.json())
            if problems:
                failures.append(f"{op_id}: answer does not fit the spec: {[str(p) for p in problems[:2]]}")
        elif answers and not result.content_type.startswith("application/json"):
            assert result.content  # binary or text answers are not empty
    assert failures == [], "\n".join(failures)
