"""Admin key routing from the spec's security schemes: operations whose scheme is
``AdminApiKeyAuth`` (the organization endpoints) send ``admin_api_key=``/``OPENAI_ADMIN_KEY``,
the others the API key; a missing admin key is a clear error naming both ways to give it."""

from __future__ import annotations

import logging

import pytest

from openapi_client_openai import AuthenticationError, ConfigError, MissingAPIKeyError, OpenAIClient
from openapi_client_openai.spec import load_index
from test_transport_settings import maybe, play  # noqa: F401 - play is a fixture
from wire_servers import answer

from conftest import FAKE_KEY, SPEC_30, SPEC_31

ADMIN = "sk-admin-" + "adm1n" * 9


def test_the_index_knows_each_operations_security_schemes() -> None:
    index = load_index(SPEC_31)
    ops = [index.operation(op_id) for op_id in index.operation_ids]
    admin = [op for op in ops if "AdminApiKeyAuth" in op.security]
    assert len(admin) == 119 and all(op.path.startswith(("/organization/", "/projects/")) for op in admin)
    assert index.operation("list-project-roles").security == ("AdminApiKeyAuth",)  # the spec decides, not the path
    assert index.operation("createChatCompletion").security == ("ApiKeyAuth",)
    assert index.schemes["AdminApiKeyAuth"] == ("http", "bearer", "")
    old = load_index(SPEC_30)  # the 3.0 spec has one scheme, for every operation
    assert {old.operation(o).security for o in old.operation_ids} == {("ApiKeyAuth",)}


def test_admin_operations_send_the_admin_key_on_every_path(play, raw_server, caplog) -> None:  # noqa: F811
    seen: list[bytes] = []
    srv = raw_server(lambda conn, request: seen.append(request) or conn.sendall(answer(request)))
    caplog.set_level(logging.DEBUG, logger="openapi_client_openai")

    async def scenario(c):
        await maybe(c.admin_api_keys_list())
        await maybe(c.list_models())
        await maybe(c.list_project_service_accounts(project_id="proj_1"))

    play(scenario, base_url=srv.url, admin_api_key=ADMIN)
    auth = [next(line for line in r.split(b"\r\n") if line.lower().startswith(b"authorization:")) for r in seen]
    assert auth == [f"Authorization: Bearer {k}".encode() for k in (ADMIN, FAKE_KEY, ADMIN)]
    assert ADMIN not in caplog.text and FAKE_KEY not in caplog.text


def test_the_admin_key_comes_from_the_environment(server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", ADMIN)
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as c:
        c.admin_api_keys_list()
        assert server.last.headers["authorization"] == f"Bearer {ADMIN}"
        assert ADMIN not in repr(c) and ADMIN not in repr(vars(c))
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url, admin_api_key="sk-admin-given-1234") as c:
        c.admin_api_keys_list()  # the argument wins over the environment
        assert server.last.headers["authorization"] == "Bearer sk-admin-given-1234"


def test_a_missing_admin_key_is_a_clear_error(server) -> None:
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as c:
        with pytest.raises(
            MissingAPIKeyError, match=r"needs an admin key .*AdminApiKeyAuth.*OPENAI_ADMIN_KEY.*admin_api_key="
        ):
            c.admin_api_keys_list()
        c.admin_api_keys_list(extra_headers={"Authorization": f"Bearer {ADMIN}"})  # one's own header wins
    assert len(server.requests) == 1


def test_the_admin_key_is_masked_in_errors(server) -> None:
    from conftest import Reply

    server.script(Reply(401, f'{{"error": {{"message": "Incorrect API key provided: {ADMIN}"}}}}'))
    options = {"spec": SPEC_31, "api_key": FAKE_KEY, "base_url": server.url, "admin_api_key": ADMIN, "max_retries": 0}
    with OpenAIClient(**options) as c, pytest.raises(AuthenticationError) as info:
        c.admin_api_keys_list()
    assert ADMIN not in str(info.value) and ADMIN not in repr(info.value.body)


def test_an_admin_key_that_cannot_be_sent_is_refused() -> None:
    with pytest.raises(ConfigError, match="OPENAI_ADMIN_KEY or admin_api_key="):
        OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, admin_api_key="sk-admin\nx")
