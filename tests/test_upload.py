"""Large uploads through the Uploads API against the mock, resume included."""

from __future__ import annotations

import os

import pytest

from openapi_client_openai import APIConnectionError, OpenAIClient
from openapi_client_openai.mock import MockServer

from conftest import FAKE_KEY, SPEC_31


@pytest.fixture(scope="module")
def mock():
    server = MockServer(spec=SPEC_31, seed=6)
    server.start()
    yield server
    server.stop()


def test_small_files_go_in_one_request(mock, tmp_path) -> None:
    path = tmp_path / "small.jsonl"
    path.write_bytes(b'{"a": 1}\n')
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=mock.base_url)
    done = client.upload_file(path, purpose="batch", multipart_threshold=1024)
    assert done["id"].startswith("file-") and done["bytes"] == path.stat().st_size
    assert client.downloadFile(file_id=done["id"]).content == path.read_bytes()


def test_large_files_go_through_the_uploads_api_in_parts(mock, tmp_path) -> None:
    path = tmp_path / "big.jsonl"
    data = os.urandom(10_000)
    path.write_bytes(data)
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=mock.base_url)
    before = len(mock.app.parts)
    done = client.upload_file(path, purpose="batch", part_size=1024, multipart_threshold=4096)
    assert done["object"] == "file" and done["bytes"] == 10_000
    assert client.downloadFile(file_id=done["id"]).content == data
    assert len(mock.app.parts) - before == 10


def test_an_interrupted_upload_resumes(mock, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "resume.bin"
    data = os.urandom(8_000)
    path.write_bytes(data)
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=mock.base_url, max_retries=0)
    real = client.add_upload_part
    sent = []

    def flaky(*args, **kwargs):
        if len(sent) >= 3:
            raise APIConnectionError("cut")
        sent.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(client, "add_upload_part", flaky)
    monkeypatch.setattr("openapi_client_openai._upload._WORKERS", 1)
    with pytest.raises(APIConnectionError):
        client.upload_file(path, purpose="batch", part_size=1000, multipart_threshold=1000)
    monkeypatch.setattr(client, "add_upload_part", real)
    before = len(mock.app.parts)
    done = client.upload_file(path, purpose="batch", part_size=1000, multipart_threshold=1000)
    assert len(mock.app.parts) - before == 5  # only the parts still missing
    assert client.downloadFile(file_id=done["id"]).content == data


def test_an_expired_upload_starts_again(mock, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "expired.bin"
    data = os.urandom(5_000)
    path.write_bytes(data)
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=mock.base_url, max_retries=0)
    real = client.add_upload_part
    sent = []

    def flaky(*args, **kwargs):
        if len(sent) >= 2:
            raise APIConnectionError("cut")
        sent.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(client, "add_upload_part", flaky)
    monkeypatch.setattr("openapi_client_openai._upload._WORKERS", 1)
    with pytest.raises(APIConnectionError):
        client.upload_file(path, purpose="batch", part_size=1000, multipart_threshold=1000)
    monkeypatch.setattr(client, "add_upload_part", real)
    mock.app.store["/uploads"].clear()  # the server forgets it, as after the hour an upload lives
    done = client.upload_file(path, purpose="batch", part_size=1000, multipart_threshold=1000)
    assert client.downloadFile(file_id=done["id"]).content == data
