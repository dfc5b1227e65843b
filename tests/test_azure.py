"""Azure OpenAI: ``AzureOpenAIClient``/``AsyncAzureOpenAIClient`` against the mock in Azure mode
(OpenAI's spec under Azure's URL scheme, checking ``api-key`` and ``api-version``), on both
stacks, blocking and asyncio, plain and streamed; token providers that rotate; Azure's own spec
(``spec="azure"``); and the official SDK's ``AzureOpenAI`` run unchanged against the same mock."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from types import SimpleNamespace

import pytest

from openapi_client_openai import (
    AsyncAzureOpenAIClient,
    AuthenticationError,
    AzureOpenAIClient,
    BadRequestError,
    ConfigError,
    MissingAPIKeyError,
    NotFoundError,
    ParameterError,
)
from openapi_client_openai.mock import MockServer

from conftest import SPEC_31

KEY = "azure-key-" + "0123456789abcdef" * 2
VERSION = "2024-10-21"
MESSAGES = [{"role": "user", "content": "Hello"}]


class Recorder:
    """Wraps the mock's ASGI app to record each request's path, query and credentials."""

    def __init__(self, app) -> None:
        self.app = app
        self.azure = app.azure
        self.seen: list[SimpleNamespace] = []

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
            self.seen.append(
                SimpleNamespace(
                    path=scope["path"],
                    query=scope["query_string"].decode(),
                    key=headers.get("api-key"),
                    auth=headers.get("authorization"),
                )
            )
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def azure_mock():
    server = MockServer(spec=SPEC_31, azure=True)
    server.app = Recorder(server.app)
    endpoint = server.start()
    yield SimpleNamespace(endpoint=endpoint, seen=server.app.seen)
    server.stop()


@pytest.fixture
def mock(azure_mock):
    azure_mock.seen.clear()
    return azure_mock


async def maybe(value):
    return await value if inspect.isawaitable(value) else value


async def texts(stream) -> str:
    chunks = [c async for c in stream] if hasattr(stream, "__aiter__") else list(stream)
    return "".join((c["choices"][0]["delta"].get("content") or "") for c in chunks if c.get("choices"))


@pytest.fixture(params=["lean-sync", "lean-async", "httpx-sync", "httpx-async"])
def play(request, monkeypatch: pytest.MonkeyPatch):
    """``play(scenario, **options)``: ``scenario(client)`` on an Azure client of one of four paths."""
    stack, flavour = request.param.split("-")
    if stack == "httpx":
        monkeypatch.setattr("openapi_client_openai._transports.lean.lean_allowed", lambda: False)
    cls = AzureOpenAIClient if flavour == "sync" else AsyncAzureOpenAIClient

    def run(scenario, **options):
        async def main_():
            client = cls(**{"spec": SPEC_31, "max_retries": 0, **options})
            try:
                return await scenario(client)
            finally:
                await maybe(client.close() if flavour == "sync" else client.aclose())

        return asyncio.run(main_())

    run.flavour = flavour
    return run


def test_chat_streams_embeddings_and_files_go_to_azures_urls(play, mock) -> None:
    async def scenario(c):
        chat = await maybe(c.create_chat_completion(model="gpt4o-prod", messages=MESSAGES))
        text = await texts(await maybe(c.create_chat_completion(model="gpt4o-prod", messages=MESSAGES, stream=True)))
        vectors = await maybe(c.create_embedding(model="embed-prod", input="hello"))
        made = await maybe(c.create_file(file=("batch.jsonl", b'{"a": 1}\n'), purpose="batch"))
        listed = await maybe(c.list_files())
        return chat.json()["model"], text, vectors.json()["object"], made.json()["id"], listed.json()["object"]

    model, text, vectors, file_id, listed = play(
        scenario, azure_endpoint=mock.endpoint, api_version=VERSION, api_key=KEY
    )
    assert model == "gpt4o-prod" and text and vectors == "list" and file_id.startswith("file-") and listed == "list"
    assert [(r.path, r.query) for r in mock.seen] == [
        ("/openai/deployments/gpt4o-prod/chat/completions", f"api-version={VERSION}"),
        ("/openai/deployments/gpt4o-prod/chat/completions", f"api-version={VERSION}"),
        ("/openai/deployments/embed-prod/embeddings", f"api-version={VERSION}"),
        ("/openai/files", f"api-version={VERSION}"),
        ("/openai/files", f"api-version={VERSION}"),
    ]
    assert all(r.key == KEY and r.auth is None for r in mock.seen)


def test_azure_deployment_routes_calls_without_a_model(play, mock) -> None:
    async def scenario(c):
        await maybe(c.create_chat_completion(messages=MESSAGES))
        return await texts(await maybe(c.create_chat_completion(messages=MESSAGES, stream=True)))

    assert play(scenario, azure_endpoint=mock.endpoint, api_version=VERSION, api_key=KEY, azure_deployment="dep-1")
    assert {r.path for r in mock.seen} == {"/openai/deployments/dep-1/chat/completions"}


def test_the_v1_api_when_no_dated_version_is_given(play, mock) -> None:
    async def scenario(c):
        await maybe(c.create_chat_completion(model="dep-1", messages=MESSAGES))
        await maybe(c.list_models())

    play(scenario, azure_endpoint=mock.endpoint + "/", api_key=KEY)
    play(scenario, azure_endpoint=mock.endpoint, api_key=KEY, api_version="v1")
    assert [(r.path, r.query) for r in mock.seen] == [
        ("/openai/v1/chat/completions", ""),
        ("/openai/v1/models", ""),
    ] * 2


def _provider_of(tokens: list[str], calls: list[int], expires_in: float | None = None, asynchronous: bool = False):
    def next_token():
        calls[0] += 1
        token = tokens[calls[0] - 1]
        if expires_in is None:
            return token
        return SimpleNamespace(token=token, expires_on=int(time.time() + expires_in))

    if not asynchronous:
        return next_token

    async def provider():
        await asyncio.sleep(0)
        return next_token()

    return provider


def test_a_token_provider_that_rotates_is_asked_before_each_call(play, mock) -> None:
    tokens, calls = [f"entra-token-{n}-" + "x" * 16 for n in range(5)], [0]
    provider = _provider_of(tokens, calls, asynchronous=play.flavour == "async")

    async def scenario(c):
        await maybe(c.create_chat_completion(model="d", messages=MESSAGES))
        await texts(await maybe(c.create_chat_completion(model="d", messages=MESSAGES, stream=True)))
        await maybe(c.list_files())

    play(scenario, azure_endpoint=mock.endpoint, api_version=VERSION, azure_ad_token_provider=provider)
    assert [r.auth for r in mock.seen] == [f"Bearer {t}" for t in tokens[:3]]
    assert all(r.key is None for r in mock.seen)


@pytest.mark.parametrize(("expires_in", "asked"), [(3600, 1), (60, 3)], ids=["cached", "near-expiry"])
def test_a_token_with_an_expiry_is_asked_for_again_only_near_it(play, mock, expires_in, asked) -> None:
    tokens, calls = [f"entra-token-{n}-" + "y" * 16 for n in range(5)], [0]
    provider = _provider_of(tokens, calls, expires_in, asynchronous=play.flavour == "async")

    async def scenario(c):
        for _ in range(3):
            await maybe(c.list_models())

    play(scenario, azure_endpoint=mock.endpoint, api_version=VERSION, azure_ad_token_provider=provider)
    assert calls[0] == asked
    assert [r.auth for r in mock.seen] == [f"Bearer {tokens[0 if asked == 1 else n]}" for n in range(3)]


def test_a_static_token_and_the_environment(mock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", mock.endpoint)
    monkeypatch.setenv("OPENAI_API_VERSION", VERSION)
    monkeypatch.setenv("AZURE_OPENAI_AD_TOKEN", "entra-from-the-environment-1234")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    with AzureOpenAIClient(spec=SPEC_31) as c:  # the token wins over the key, as with the SDK
        c.list_models()
    with AzureOpenAIClient(spec=SPEC_31, api_key=KEY) as c:  # a credential given: the environment's unused
        c.list_models()
    with AzureOpenAIClient(spec=SPEC_31, azure_ad_token="entra-given-token-56789") as c:
        c.list_models()
    assert [(r.key, r.auth) for r in mock.seen] == [
        (None, "Bearer entra-from-the-environment-1234"),
        (KEY, None),
        (None, "Bearer entra-given-token-56789"),
    ]
    assert all(r.query == f"api-version={VERSION}" for r in mock.seen)


def test_the_openai_key_is_never_sent_to_azure(mock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-must-not-go-to-azure")
    with (
        AzureOpenAIClient(spec=SPEC_31, azure_endpoint=mock.endpoint) as c,
        pytest.raises(MissingAPIKeyError, match="AZURE_OPENAI_API_KEY"),
    ):
        c.list_models()
    assert mock.seen == []


def test_settings_that_cannot_work_are_refused(mock) -> None:
    def provider() -> str:
        return "t" * 20

    with pytest.raises(ConfigError, match="pass only one way to authenticate"):
        AzureOpenAIClient(spec=SPEC_31, azure_endpoint=mock.endpoint, api_key=KEY, azure_ad_token_provider=provider)
    with pytest.raises(ConfigError, match="AZURE_OPENAI_ENDPOINT"):
        AzureOpenAIClient(spec=SPEC_31, api_key=KEY)
    with pytest.raises(ConfigError, match="azure_endpoint"):
        AzureOpenAIClient(spec=SPEC_31, api_key=KEY, azure_endpoint=mock.endpoint, base_url=mock.endpoint)
    c = AzureOpenAIClient(spec=SPEC_31, azure_endpoint=mock.endpoint, api_version=VERSION, api_key=KEY)
    with c, pytest.raises(ParameterError, match="deployment-scoped on Azure: pass azure_deployment="):
        c.create_chat_completion(messages=MESSAGES)

    async def async_provider() -> str:
        return "t" * 20

    c = AzureOpenAIClient(spec=SPEC_31, azure_endpoint=mock.endpoint, azure_ad_token_provider=async_provider)
    with c, pytest.raises(ConfigError, match="use AsyncAzureOpenAIClient"):
        c.list_models()
    c = AzureOpenAIClient(spec=SPEC_31, azure_endpoint=mock.endpoint, azure_ad_token_provider=lambda: "")
    with c, pytest.raises(ConfigError, match="must return a token"):
        c.list_models()
    assert mock.seen == []


def test_the_mock_checks_the_key_the_version_and_the_deployment(mock) -> None:
    import httpx

    base = f"{mock.endpoint}/openai"
    body = {"model": "m", "messages": MESSAGES}
    with httpx.Client() as h:
        no_key = h.post(f"{base}/deployments/d/chat/completions?api-version={VERSION}", json=body)
        no_version = h.post(f"{base}/deployments/d/chat/completions", json=body, headers={"api-key": KEY})
        bad_version = h.get(f"{base}/models?api-version=tomorrow", headers={"api-key": KEY})
        no_deployment = h.post(f"{base}/chat/completions?api-version={VERSION}", json=body, headers={"api-key": KEY})
        openai_path = h.get(f"{mock.endpoint}/v1/models", headers={"api-key": KEY})
    assert no_key.status_code == 401 and "api-key" in no_key.json()["error"]["message"]
    assert no_version.status_code == 400 and no_version.json()["error"]["code"] == "MissingApiVersionParameter"
    assert bad_version.status_code == 400 and "api-version" in bad_version.json()["error"]["message"]
    assert no_deployment.status_code == 404 and no_deployment.json()["error"]["code"] == "DeploymentNotFound"
    assert openai_path.status_code == 404
    c = AzureOpenAIClient(spec=SPEC_31, azure_endpoint=mock.endpoint, api_version=VERSION, api_key=KEY)
    with c, pytest.raises(AuthenticationError):
        c.list_models(extra_headers={"api-key": " "})  # one's own header is sent as given


def test_azures_own_spec_by_name(play, mock) -> None:
    async def scenario(c):
        made = await maybe(c.ChatCompletions_Create(messages=MESSAGES))
        vectors = await maybe(c.embeddings_create(input="hi", model="embed"))
        return made.status_code, vectors.status_code

    options = {"azure_endpoint": mock.endpoint, "api_version": VERSION, "api_key": KEY, "azure_deployment": "dep-9"}
    assert play(scenario, **{**options, "spec": "azure"}) == (200, 200)
    assert [(r.path, r.query) for r in mock.seen] == [
        ("/openai/deployments/dep-9/chat/completions", f"api-version={VERSION}"),
        ("/openai/deployments/dep-9/embeddings", f"api-version={VERSION}"),
    ]
    with AzureOpenAIClient(**{**options, "spec": "azure"}) as c:
        assert c.spec.source.endswith("azure/openapi.json") and "Azure" in c.spec.data["title"]


def test_secrets_never_show(mock, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="openapi_client_openai")
    token = "entra-secret-token-" + "z" * 20
    with AzureOpenAIClient(spec=SPEC_31, azure_endpoint=mock.endpoint, api_version=VERSION, api_key=KEY) as c:
        c.create_chat_completion(model="d", messages=[{"role": "user", "content": f"my key is {KEY}"}])
        text = repr(c) + repr(vars(c))
        with pytest.raises(BadRequestError) as info:
            c.create_chat_completion(model="d", messages=MESSAGES, extra_query={"api-version": "x"})
    with AzureOpenAIClient(spec=SPEC_31, azure_endpoint=mock.endpoint, azure_ad_token_provider=lambda: token) as c:
        c.list_models()
        text += repr(c) + repr(vars(c))
    text += caplog.text + str(info.value)
    assert "api-key': '<hidden>'" in caplog.text and "request POST" in caplog.text
    assert KEY not in text and token not in text


def test_not_found_from_azure_is_an_api_error(mock) -> None:
    options = {"azure_endpoint": mock.endpoint, "api_version": VERSION, "api_key": KEY}
    with AzureOpenAIClient(spec=SPEC_31, **options) as c, pytest.raises(NotFoundError):
        c.retrieve_file(file_id="file-missing")


# -- the official SDK, unchanged, against the same mock -----------------------------------


def test_the_official_sdk_runs_unchanged_against_the_azure_mock(mock) -> None:
    import openai

    sdk = openai.AzureOpenAI(azure_endpoint=mock.endpoint, api_version=VERSION, api_key=KEY, max_retries=0)
    chat = sdk.chat.completions.create(model="gpt4o-prod", messages=MESSAGES)
    assert chat.model == "gpt4o-prod" and chat.choices[0].message.content
    streamed = "".join(
        c.choices[0].delta.content or ""
        for c in sdk.chat.completions.create(model="gpt4o-prod", messages=MESSAGES, stream=True)
        if c.choices
    )
    assert streamed
    assert sdk.embeddings.create(model="embed-prod", input="hello").data
    made = sdk.files.create(file=("batch.jsonl", b'{"a": 1}\n'), purpose="batch")
    assert sdk.files.retrieve(made.id).id == made.id
    tokens = iter([f"sdk-token-{n}-" + "q" * 12 for n in range(3)])
    by_token = openai.AzureOpenAI(
        azure_endpoint=mock.endpoint, api_version=VERSION, azure_ad_token_provider=lambda: next(tokens)
    )
    by_token.models.list()
    by_token.models.list()
    assert [(r.path, r.query) for r in mock.seen[:5]] == [
        ("/openai/deployments/gpt4o-prod/chat/completions", f"api-version={VERSION}"),
        ("/openai/deployments/gpt4o-prod/chat/completions", f"api-version={VERSION}"),
        ("/openai/deployments/embed-prod/embeddings", f"api-version={VERSION}"),
        ("/openai/files", f"api-version={VERSION}"),
        (f"/openai/files/{made.id}", f"api-version={VERSION}"),
    ]
    assert [r.auth for r in mock.seen[5:]] == ["Bearer sdk-token-0-" + "q" * 12, "Bearer sdk-token-1-" + "q" * 12]


def test_the_official_async_sdk_streams_from_the_azure_mock(mock) -> None:
    import openai

    async def go():
        sdk = openai.AsyncAzureOpenAI(azure_endpoint=mock.endpoint, api_version=VERSION, api_key=KEY)
        stream = await sdk.chat.completions.create(model="dep", messages=MESSAGES, stream=True)
        return [c async for c in stream]

    assert asyncio.run(go())
