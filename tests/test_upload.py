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


def test_part_size_is_checked_against_the_uploads_api_limits(mock, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openapi_client_openai import ParameterError

    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=mock.base_url)

    def nothing_may_be_sent(*args, **kwargs):
        raise AssertionError("a request was sent for a part_size the API would refuse")

    for name in ("create_file", "create_upload", "add_upload_part"):
        monkeypatch.setattr(client, name, nothing_may_be_sent)
    small = tmp_path / "small.bin"
    small.write_bytes(b"x" * 100)
    three_mb = tmp_path / "three.bin"
    three_mb.write_bytes(os.urandom(3 * 1024 * 1024))
    huge = tmp_path / "huge.bin"
    with open(huge, "wb") as f:  # sparse: nothing of it is read
        f.truncate(8 * 1024**3 + 1)
    cases = [
        (small, {"part_size": 64 * 1024 * 1024 + 1}, r"at most 64 MB \(67,108,864 bytes\)"),
        (three_mb, {"part_size": 10, "multipart_threshold": 1024}, r"into 314,573 parts.*at least 315 bytes"),
        (huge, {}, r"at most 8 GB \(8,589,934,592 bytes\)"),
        (small, {"part_size": 0}, "positive whole number"),
        (small, {"part_size": "1000"}, "positive whole number"),
    ]
    for path, kwargs, match in cases:
        with pytest.raises(ParameterError, match=match):
            client.upload_file(path, purpose="batch", **kwargs)


def _bytes_written() -> int:
    """What this process has passed to write(2) so far (Linux); socket sends are not counted."""
    with open("/proc/self/io") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("wchar:"))


def test_recording_a_part_costs_the_same_whatever_the_part_count(mock, tmp_path) -> None:
    if not os.path.exists("/proc/self/io"):
        pytest.skip("needs Linux's /proc/self/io to count the bytes written")
    path = tmp_path / "many.bin"
    data = os.urandom(200_000)
    path.write_bytes(data)
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=mock.base_url)
    before = _bytes_written()
    done = client.upload_file(path, purpose="batch", part_size=100, multipart_threshold=1000)
    written = _bytes_written() - before
    assert client.downloadFile(file_id=done["id"]).content == data
    # 2,000 parts: a log line of ~40 bytes each, and ~0.5 KB that the HTTP exchange itself counts
    # here.  Rewriting the whole state after each part wrote ~2,000 x 2,000 / 2 x ~25 bytes (50 MB).
    assert written < 2_000 * 2_000, f"{written:,} bytes written to record 2,000 parts"


def test_an_unreadable_or_old_format_state_starts_the_upload_afresh(
    mock, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from openapi_client_openai.spec import cache_dir

    folder = os.path.join(cache_dir(), "uploads")
    before = set(os.listdir(folder)) if os.path.isdir(folder) else set()
    path = tmp_path / "old.bin"
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
    (state,) = set(os.listdir(folder)) - before
    old_format = {"upload_id": "upload_gone", "part_size": 1000, "parts": {"0": "part_gone", "1": "part_gone"}}
    legacy = os.path.join(folder, state[: -len(".jsonl")] + ".json")
    for content in (json.dumps(old_format), '{"v": 2, "upload_id": "upload_x", "part_size": 1000}\n{"part": "x"', "\0"):
        with open(os.path.join(folder, state), "w") as f:
            f.write(content)
        with open(legacy, "w") as f:
            json.dump(old_format, f)
        parts = len(mock.app.parts)
        done = client.upload_file(path, purpose="batch", part_size=1000, multipart_threshold=1000)
        assert client.downloadFile(file_id=done["id"]).content == data
        if '"v": 2' not in content:  # not this version's log: every part sent again
            assert len(mock.app.parts) - parts == 8
        assert not os.path.exists(legacy) and not os.path.exists(os.path.join(folder, state))


def test_the_async_client_uploads_in_parts_and_resumes(mock, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same steps as the blocking client's, driven by asyncio: parts as tasks, an interrupted
    upload resumed with only the parts still missing, a small file in one request."""
    import asyncio

    from openapi_client_openai import AsyncOpenAIClient

    path = tmp_path / "async.bin"
    data = os.urandom(9_000)
    path.write_bytes(data)
    small = tmp_path / "small.txt"
    small.write_bytes(b"hello")

    async def main() -> None:
        async with AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=mock.base_url, max_retries=0) as client:
            real = client.add_upload_part
            sent = []

            async def flaky(*args, **kwargs):
                if len(sent) >= 4:
                    raise APIConnectionError("cut")
                sent.append(1)
                return await real(*args, **kwargs)

            monkeypatch.setattr(client, "add_upload_part", flaky)
            monkeypatch.setattr("openapi_client_openai._upload._WORKERS", 1)
            with pytest.raises(APIConnectionError):
                await client.upload_file(path, purpose="batch", part_size=1000, multipart_threshold=1000)
            monkeypatch.setattr(client, "add_upload_part", real)
            monkeypatch.setattr("openapi_client_openai._upload._WORKERS", 4)
            before = len(mock.app.parts)
            done = await client.upload_file(path, purpose="batch", part_size=1000, multipart_threshold=1000)
            assert len(mock.app.parts) - before == 5  # only the parts still missing
            assert (await (await client.downloadFile(file_id=done["id"])).aread()) == data
            one = await client.upload_file(small, purpose="batch")
            assert one["object"] == "file" and one["bytes"] == 5

    asyncio.run(main())
