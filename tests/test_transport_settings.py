"""Transport settings on every path: ``proxy=``, ``verify=``, ``cert=``, ``limits=``, the system
trust store, ``with_options`` sharing the pool, and per-call ``max_retries=``.

A private CA and client certificate are made by ``trustme``; the TLS server and the proxy are
small threaded servers on 127.0.0.1 (``wire_servers``).  Each scenario runs on the lean stack
and on httpx, blocking and asyncio, plain and streamed, as the wire layer would pick them.
"""

from __future__ import annotations

import asyncio
import inspect
import ssl
import threading
import time

import httpx
import pytest
import trustme

from openapi_client_openai import (
    APIConnectionError,
    APIError,
    AsyncOpenAIClient,
    ConfigError,
    InternalServerError,
    Limits,
    OpenAIClient,
    ParameterError,
)
from openapi_client_openai.cli import main
from wire_servers import Proxy, TLSServer, answer

from conftest import FAKE_KEY, SPEC_31

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], "stream": True}
PROXY_PASSWORD = "pr0xy-s3cret-passw0rd"


async def maybe(value):
    return await value if inspect.isawaitable(value) else value


async def collect(stream) -> str:
    """The text a chat stream carries, whichever client made it."""
    chunks = [c async for c in stream] if hasattr(stream, "__aiter__") else list(stream)
    return "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)


@pytest.fixture(params=["lean-sync", "lean-async", "httpx-sync", "httpx-async"])
def play(request, monkeypatch: pytest.MonkeyPatch):
    """``play(scenario, **client_options)`` runs ``scenario(client)`` on one of four paths."""
    stack, flavour = request.param.split("-")
    if stack == "httpx":
        monkeypatch.setattr("openapi_client_openai._transports.lean.lean_allowed", lambda: False)
    cls = OpenAIClient if flavour == "sync" else AsyncOpenAIClient

    def run(scenario, **options):
        options = {"spec": SPEC_31, "api_key": FAKE_KEY, "max_retries": 0, **options}

        async def main_():
            client = cls(**options)
            try:
                return await scenario(client)
            finally:
                await maybe(client.close() if flavour == "sync" else client.aclose())

        return asyncio.run(main_())

    run.stack, run.flavour = stack, flavour
    return run


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A private CA, its bundle on disk, and a client certificate (PEM with key) it issued."""
    ca = trustme.CA()
    client_ca = trustme.CA()
    where = tmp_path_factory.mktemp("pki")
    bundle = where / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    client = client_ca.issue_cert("client@example.test")
    client_pem = where / "client.pem"
    client.private_key_and_cert_chain_pem.write_to_path(str(client_pem))
    cert_file, key_file = where / "client.crt", where / "client.key"
    client.cert_chain_pems[0].write_to_path(str(cert_file))
    client.private_key_pem.write_to_path(str(key_file))
    return {
        "ca": ca,
        "client_ca": client_ca,
        "bundle": str(bundle),
        "pem": str(client_pem),
        "pair": (str(cert_file), str(key_file)),
    }


@pytest.fixture
def tls(pki):
    """An HTTPS server that requires a client certificate from the client CA."""
    srv = TLSServer(pki["ca"], pki["client_ca"])
    yield srv
    srv.close()


# -- verify= and cert= -------------------------------------------------------------------


@pytest.mark.parametrize("cert", ["pem", "pair"])
def test_a_private_ca_and_a_client_certificate_work_plain_and_streamed(play, tls, pki, cert) -> None:
    async def scenario(c):
        page = await maybe(c.list_models())
        text = await collect(await maybe(c.create_chat_completion(**CHAT)))
        return page.json(), text

    page, text = play(scenario, base_url=tls.url, verify=pki["bundle"], cert=pki[cert])
    assert page == {"object": "list", "data": []}
    assert text == "Hello"
    subject = dict(x[0] for x in tls.peers[0]["subject"])
    assert subject.get("commonName") == "client@example.test" or "client@example.test" in str(tls.peers[0])


def test_an_ssl_context_is_used_as_given(play, tls, pki) -> None:
    ctx = ssl.create_default_context(cafile=pki["bundle"])
    ctx.load_cert_chain(pki["pem"])

    async def scenario(c):
        return (await maybe(c.list_models())).status_code

    assert play(scenario, base_url=tls.url, verify=ctx) == 200


def test_the_default_trust_refuses_a_private_ca(play, tls, pki) -> None:
    async def scenario(c):
        with pytest.raises(APIError, match="TLS certificate was refused") as info:
            await maybe(c.list_models())
        return info.value

    error = play(scenario, base_url=tls.url, cert=pki["pem"])
    assert not isinstance(error, APIConnectionError)  # not retried: it would fail the same way


def test_without_a_client_certificate_the_server_refuses(play, tls, pki) -> None:
    async def scenario(c):
        with pytest.raises(APIError):
            await maybe(c.list_models())

    play(scenario, base_url=tls.url, verify=pki["bundle"])
    assert tls.peers == []


def test_the_system_trust_store(play, tls, pki, monkeypatch: pytest.MonkeyPatch) -> None:
    # The system store here is OpenSSL's default paths (truststore reads them too on Linux),
    # which SSL_CERT_FILE points at the private CA for this test.
    monkeypatch.setenv("SSL_CERT_FILE", pki["bundle"])

    async def scenario(c):
        return (await maybe(c.list_models())).status_code

    assert play(scenario, base_url=tls.url, verify="system", cert=pki["pem"]) == 200


def test_tls_settings_that_cannot_work_are_refused_by_name(pki, tmp_path) -> None:
    with pytest.raises(ConfigError, match="no such CA bundle"):
        OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, verify=str(tmp_path / "nope.pem"))
    with pytest.raises(ConfigError, match="verify must be"):
        OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, verify=42)
    with pytest.raises(ConfigError, match="cert: no such file"):
        OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, cert=str(tmp_path / "client.pem"))
    with pytest.raises(ConfigError, match="cannot be added to an SSLContext"):
        OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, verify=ssl.create_default_context(), cert=pki["pem"])
    with pytest.raises(ConfigError, match="used as given"):
        OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, http_client=httpx.Client(), proxy="http://127.0.0.1:1")


def test_a_key_file_that_does_not_load_is_a_config_error_without_the_password(tls, pki, tmp_path) -> None:
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    c = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=tls.url, verify=pki["bundle"])
    c2 = OpenAIClient(
        spec=SPEC_31, api_key=FAKE_KEY, base_url=tls.url, verify=pki["bundle"], cert=(str(broken), None, "hunter2-pw")
    )
    with c, c2, pytest.raises(ConfigError, match="could not be loaded") as info:
        c2.list_models()
    assert "hunter2" not in str(info.value)


# -- proxy= -------------------------------------------------------------------------------


@pytest.fixture
def origin(raw_server):
    return raw_server(lambda conn, request: conn.sendall(answer(request)))


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_proxy_carries_plain_calls_and_streams(origin, flavour) -> None:
    proxy = Proxy()
    cls = OpenAIClient if flavour == "sync" else AsyncOpenAIClient

    async def go():
        c = cls(spec=SPEC_31, api_key=FAKE_KEY, base_url=origin.url, proxy=proxy.url, max_retries=0)
        try:
            page = await maybe(c.list_models())
            text = await collect(await maybe(c.create_chat_completion(**CHAT)))
            return page.status_code, text
        finally:
            await maybe(c.close() if flavour == "sync" else c.aclose())

    try:
        assert asyncio.run(go()) == (200, "Hello")
    finally:
        proxy.close()
    assert proxy.seen and proxy.seen[0].startswith(b"GET http://127.0.0.1:")  # absolute form: it went through


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_proxy_tunnels_tls_with_credentials_that_never_show(tls, pki, flavour) -> None:
    proxy = Proxy(auth=f"alice:{PROXY_PASSWORD}")
    cls = OpenAIClient if flavour == "sync" else AsyncOpenAIClient
    good = f"http://alice:{PROXY_PASSWORD}@127.0.0.1:{proxy.port}"
    bad = f"http://alice:wrong-{PROXY_PASSWORD}@127.0.0.1:{proxy.port}"
    options = {"spec": SPEC_31, "api_key": FAKE_KEY, "base_url": tls.url, "verify": pki["bundle"], "cert": pki["pem"]}

    async def go(url):
        c = cls(**options, proxy=url, max_retries=0)
        try:
            assert PROXY_PASSWORD not in repr(c) and PROXY_PASSWORD not in repr(c.__dict__)
            page = await maybe(c.list_models())
            text = await collect(await maybe(c.create_chat_completion(**CHAT)))
            return page.status_code, text
        finally:
            await maybe(c.close() if flavour == "sync" else c.aclose())

    try:
        assert asyncio.run(go(good)) == (200, "Hello")
        assert proxy.seen[0].startswith(f"CONNECT 127.0.0.1:{tls.port}".encode())
        with pytest.raises(APIError) as info:
            asyncio.run(go(bad))
        assert PROXY_PASSWORD not in str(info.value) and PROXY_PASSWORD not in repr(info.value.args)
    finally:
        proxy.close()


def test_a_proxy_that_is_not_a_url_is_refused_without_its_password() -> None:
    with pytest.raises(ConfigError, match="proxy must be a URL") as info:
        OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, proxy=f"ftp://bob:{PROXY_PASSWORD}@host")
    assert PROXY_PASSWORD not in str(info.value)


def test_the_cli_takes_the_proxy_the_ca_and_the_certificate(tls, pki, capsys) -> None:
    proxy = Proxy()
    argv = ["--spec", str(SPEC_31), "--base-url", tls.url, "call", "list_models", "--api-key", FAKE_KEY]
    try:
        status = main([*argv, "--proxy", proxy.url, "--verify", pki["bundle"], "--cert", *pki["pair"]])
    finally:
        proxy.close()
    assert status == 0, capsys.readouterr().err
    assert '"object": "list"' in capsys.readouterr().out
    assert proxy.seen[0].startswith(b"CONNECT ")
    assert main([*argv, "--verify", pki["bundle"], "--cert", "a", "b", "c"]) != 0


# -- limits= ------------------------------------------------------------------------------


def test_no_idle_connection_kept_means_a_connection_per_request(play, origin) -> None:
    async def scenario(c):
        for _ in range(3):
            await maybe(c.list_models())
            await collect(await maybe(c.create_chat_completion(**CHAT)))

    play(scenario, base_url=origin.url, limits=Limits(max_keepalive_connections=0))
    assert origin.connections == 6


def test_idle_connections_expire(play, origin) -> None:
    async def scenario(c):
        await maybe(c.list_models())
        await maybe(c.list_models())  # reused
        await asyncio.sleep(0.3)
        await maybe(c.list_models())  # past keepalive_expiry: a fresh connection

    play(scenario, base_url=origin.url, limits=httpx.Limits(max_keepalive_connections=5, keepalive_expiry=0.1))
    assert origin.connections == 2


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_max_connections_bounds_the_connections_open_at_once(raw_server, flavour) -> None:
    open_now, most = [0], [0]
    lock = threading.Lock()

    def slow(conn, request):
        with lock:
            open_now[0] += 1
            most[0] = max(most[0], open_now[0])
        time.sleep(0.05)
        with lock:
            open_now[0] -= 1
        conn.sendall(answer(request))

    srv = raw_server(slow)
    options = {"spec": SPEC_31, "api_key": FAKE_KEY, "base_url": srv.url, "limits": Limits(max_connections=1)}
    if flavour == "sync":
        from concurrent.futures import ThreadPoolExecutor

        with OpenAIClient(**options) as c, ThreadPoolExecutor(4) as pool:
            codes = list(pool.map(lambda _: c.list_models().status_code, range(4)))
    else:

        async def go():
            async with AsyncOpenAIClient(**options) as c:
                return [r.status_code for r in await asyncio.gather(*(c.list_models() for _ in range(4)))]

        codes = asyncio.run(go())
    assert codes == [200] * 4
    assert srv.connections == 1 and most[0] == 1


def test_limits_that_cannot_work_are_refused() -> None:
    with pytest.raises(ConfigError, match="max_connections must be at least 1"):
        Limits(max_connections=0)
    with pytest.raises(ConfigError, match="keepalive_expiry"):
        Limits(keepalive_expiry=-1)
    with pytest.raises(ConfigError, match="limits must be a Limits"):
        OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, limits={"max_connections": 3})


# -- with_options and per-call max_retries ------------------------------------------------


def test_with_options_shares_the_pool_and_changes_only_what_is_given(play, raw_server) -> None:
    seen: list[bytes] = []
    srv = raw_server(lambda conn, request: seen.append(request) or conn.sendall(answer(request)))

    async def scenario(c):
        await maybe(c.list_models())
        quick = c.with_options(timeout=5, max_retries=4, default_headers={"X-Team": "blue"})
        await maybe(quick.list_models())
        await collect(await maybe(quick.create_chat_completion(**CHAT)))
        assert quick._transport is c._transport
        assert (quick.max_retries, c.max_retries, quick.timeout) == (4, 0, 5)
        assert c.default_headers == {"X-Kept": "1"}
        assert quick.default_headers == {"X-Kept": "1", "X-Team": "blue"}
        assert quick.list_models._client is quick  # methods looked up on c are not carried over

    play(scenario, base_url=srv.url, default_headers={"X-Kept": "1"})
    assert srv.connections == 1  # one pooled connection for the client and its copy
    assert b"x-team: blue" not in seen[0].lower() and b"x-team: blue" in seen[1].lower()
    assert all(b"x-kept: 1" in r.lower() for r in seen)


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
def test_max_retries_per_call(play, raw_server, streamed) -> None:
    count = [0]

    def failing(conn, request):
        count[0] += 1
        body = b'{"error": {"message": "boom", "type": "server_error"}}'
        head = "HTTP/1.1 500 Oops\r\ncontent-type: application/json\r\nretry-after-ms: 1\r\n"
        head += f"content-length: {len(body)}\r\n\r\n"
        conn.sendall(head.encode() + body)

    srv = raw_server(failing)

    async def scenario(c):
        call = (lambda **kw: c.create_chat_completion(**CHAT, **kw)) if streamed else c.list_models
        with pytest.raises(InternalServerError) as info:
            await maybe(call(max_retries=2))
        assert info.value.attempts == 3 and count[0] == 3
        with pytest.raises(InternalServerError):
            await maybe(c.with_options(max_retries=3).call("list_models", max_retries=0))
        assert count[0] == 4
        with pytest.raises(ParameterError, match="max_retries"):
            await maybe(call(max_retries=-1))

    play(scenario, base_url=srv.url)


def test_max_retries_is_in_every_operation_signature() -> None:
    c = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY)
    assert "max_retries" in inspect.signature(c.create_chat_completion).parameters
    assert "max_retries" in inspect.signature(c.list_models).parameters
