"""Provider profiles: ``provider="groq"|"deepseek"|"together"|"xai"`` (and any OpenAI-protocol
overlay of the installed spec package) take the base URL from the overlay's first server and
the key from the provider's variable; an explicit ``base_url``/``api_key`` still wins."""

from __future__ import annotations

import asyncio
import os

import httpx
import pytest
import yaml

from openapi_client_openai import AsyncOpenAIClient, ConfigError, MissingAPIKeyError, OpenAIClient
from openapi_client_openai._providers import providers
from openapi_client_openai.spec._default import _data_root

from conftest import FAKE_KEY, SPEC_31

KEYS = {"groq": "GROQ_API_KEY", "deepseek": "DEEPSEEK_API_KEY", "together": "TOGETHER_API_KEY", "xai": "XAI_API_KEY"}
OPENAI_KEY = "sk-openai-" + "must-not-leak" * 3


def overlay_url(name: str) -> str:
    """The first server of the provider's overlay, read here on its own."""
    path = os.path.join(_data_root(), "upstream", "openai", name, "overlay.yml")
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)["servers"][0]["url"].rstrip("/")


def recorder(seen: list) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"object": "list", "data": []})

    return httpx.MockTransport(handle)


@pytest.mark.parametrize("name", sorted(KEYS))
def test_each_profile_sends_to_its_url_with_its_key(name, monkeypatch: pytest.MonkeyPatch) -> None:
    key = f"{name}-key-" + "x" * 20
    monkeypatch.setenv(KEYS[name], key)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # OpenAI's: not the provider's
    seen: list[httpx.Request] = []
    with OpenAIClient(spec=SPEC_31, provider=name, http_client=httpx.Client(transport=recorder(seen))) as c:
        assert c.base_url == overlay_url(name) and c.provider == name
        c.list_models()

    async def go():
        client = httpx.AsyncClient(transport=recorder(seen))
        async with AsyncOpenAIClient(spec=SPEC_31, provider=name.upper(), http_client=client) as c:
            await c.create_chat_completion(model="m", messages=[{"role": "user", "content": "hi"}])

    asyncio.run(go())
    assert [str(r.url) for r in seen] == [overlay_url(name) + "/models", overlay_url(name) + "/chat/completions"]
    assert all(r.headers["authorization"] == f"Bearer {key}" for r in seen)


def test_the_package_lists_the_four_and_their_variables() -> None:
    known = providers()
    assert {n: p.key_variable for n, p in known.items() if n in KEYS} == KEYS
    assert known["groq"].base_url == "https://api.groq.com/openai/v1"  # the /openai/ layer kept


def test_an_explicit_base_url_and_key_win(server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROQ_API_KEY", "gsk-from-the-environment-123")
    with OpenAIClient(spec=SPEC_31, provider="groq", base_url=server.url) as c:
        c.list_models()
        assert server.last.headers["authorization"] == "Bearer gsk-from-the-environment-123"
    with OpenAIClient(spec=SPEC_31, provider="groq", base_url=server.url, api_key="gsk-given-4567890") as c:
        c.list_models()
        assert server.last.headers["authorization"] == "Bearer gsk-given-4567890"


def test_the_openai_key_is_never_sent_to_a_provider(server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    wanted = "set the DEEPSEEK_API_KEY environment variable or pass api_key="
    with (
        OpenAIClient(spec=SPEC_31, provider="deepseek", base_url=server.url) as c,
        pytest.raises(MissingAPIKeyError, match=wanted),
    ):
        c.list_models()
    assert server.requests == []


def test_an_unknown_provider_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown provider 'grok'.*'deepseek', 'groq', 'together', 'xai'"):
        OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, provider="grok")
    with pytest.raises(ConfigError, match="unknown provider 3"):
        OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, provider=3)  # type: ignore[arg-type]
