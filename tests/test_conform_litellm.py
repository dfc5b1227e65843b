"""Conformance of a server nobody here wrote: the LiteLLM proxy, offline on 127.0.0.1, its models
answering with ``mock_response`` (no upstream is ever called).

The run must complete and list LiteLLM's real differences from the spec; the ones that hold
for the pinned range are asserted, so a change in LiteLLM shows here.  Skipped, with the
reason, when the proxy is not installed (it comes with the ``test`` extra).
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from openapi_client_openai import conform

from conftest import SPEC_31

MASTER_KEY = "sk-conform-" + "master" * 4
CONFIG = """
model_list:
  - model_name: gpt-4o-mini
    litellm_params: {model: openai/gpt-4o-mini, mock_response: "Hello from the mock", api_key: sk-unused}
  - model_name: gpt-3.5-turbo-instruct
    litellm_params:
      model: text-completion-openai/gpt-3.5-turbo-instruct
      mock_response: "Hello from the mock"
      api_key: sk-unused
  - model_name: text-embedding-3-small
    litellm_params:
      model: openai/text-embedding-3-small
      mock_response: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
      api_key: sk-unused
general_settings: {master_key: MASTER}
litellm_settings: {telemetry: false}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def litellm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if importlib.util.find_spec("litellm") is None or importlib.util.find_spec("fastapi") is None:
        pytest.skip("the LiteLLM proxy is not installed (pip install 'litellm[proxy]', part of the test extra)")
    folder = tmp_path_factory.mktemp("litellm")
    config = folder / "config.yaml"
    config.write_text(CONFIG.replace("MASTER", MASTER_KEY))
    port = _free_port()
    # Offline: the cost map is read from the package, not fetched; no telemetry.
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_TELEMETRY": "False", "NO_PROXY": "*"}
    env.pop("OPENAI_API_KEY", None)
    log = (folder / "litellm.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "litellm.proxy.proxy_cli", "--config", str(config), "--host", "127.0.0.1",
         "--port", str(port)],
        cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.skip(f"the LiteLLM proxy exited at start ({proc.returncode}): see {folder / 'litellm.log'}")
            try:
                if httpx.get(base + "/health/liveliness", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.skip("the LiteLLM proxy did not start within 90 s")
            time.sleep(0.25)
        yield base + "/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def report(litellm: str) -> Any:
    started = time.monotonic()
    found = conform.run(litellm, api_key=MASTER_KEY, spec=SPEC_31)
    found.seconds = time.monotonic() - started
    return found


def _has(report: Any, family: str, path: str, rule: str) -> bool:
    return any((p.path, p.rule) == (path, rule) for p in report.families[family].problems)


def test_the_run_completes_and_lists_litellms_differences(report: Any) -> None:
    assert report.seconds < 30
    assert all(report.families[name].offered for name in ("models", "chat", "completions", "embeddings", "errors"))
    assert report.families["chat"].sent == 9 and report.exit_status == 1
    # Differences LiteLLM shows (see the note of issue 17), each at its place:
    assert _has(report, "chat", "x-request-id", "prose.header.x-request-id")  # no request id header
    assert _has(report, "chat", "$.choices[0].message.refusal", "schema")  # required (nullable) field left out
    assert _has(report, "chat", "$.choices[0].logprobs", "schema")
    assert _has(report, "chat", "events[0].choices[0].finish_reason", "schema.event")  # chunks leave it out
    assert _has(report, "completions", "$.id", "prose.id-prefix")  # chatcmpl- ids for text completions
    assert _has(report, "embeddings", "$.data[0].embedding", "prose.embeddings.base64")  # floats when base64 asked
    assert _has(report, "models", "$.error", "error.envelope")  # {"detail": ...} for an unknown model
    assert _has(report, "errors", "status", "auth.401")  # a request without a key is not a 401
    assert _has(report, "errors", "status", "model.not-found")  # an unknown model is a 400, not a 404
    for problem in report.problems:
        assert f"openapi-client-openai --base-url {report.server} call " in problem.request
        assert MASTER_KEY not in problem.got + problem.expected + problem.request


def test_the_report_is_written_without_the_key(report: Any, tmp_path: Any) -> None:
    text = report.to_json() + report.to_html()
    assert MASTER_KEY not in text and '"score": ' in text
