"""Request building: pure, offline checks of what goes on the wire."""

from __future__ import annotations

import io
import json
import pathlib
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openapi_client_openai import ParameterError
from openapi_client_openai._multipart import flatten_form, sniff, to_file
from openapi_client_openai._qs import encode, flatten
from openapi_client_openai._request import build_request
from openapi_client_openai.spec import load_index

from conftest import SPEC_30, SPEC_31

BASE = "http://127.0.0.1:9/v1"


def op(name: str, spec=SPEC_31):
    return load_index(spec).operation(name)


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def test_json_body_from_keywords_and_body() -> None:
    req = build_request(op("createChatCompletion"), BASE, {}, {"model": "m"}, {"messages": [], "temperature": None})
    assert req.method == "POST" and req.url == BASE + "/chat/completions"
    assert json.loads(req.content) == {"model": "m", "messages": []}
    assert req.headers["Content-Type"] == "application/json"


def test_empty_body_is_still_sent() -> None:
    req = build_request(op("createVectorStore"), BASE, {}, {})
    assert req.content == b"{}"


def test_unknown_body_fields_pass_through() -> None:
    req = build_request(op("createChatCompletion"), BASE, {}, None, {"model": "m", "brand_new_field": {"x": 1}})
    assert json.loads(req.content)["brand_new_field"] == {"x": 1}


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        ("ft:gpt-4o-mini:org:x:id", "ft:gpt-4o-mini:org:x:id"),
        ("a/b", "a%2Fb"),
        ("a?b#c", "a%3Fb%23c"),
        ("with space", "with%20space"),
        ("!$&'()*+,;=:@", "!$&'()*+,;=:@"),
        ("caf\u00e9", "caf%C3%A9"),
        ("..%2F", "..%252F"),
    ],
)
def test_path_values_are_encoded_like_the_sdk(value: str, sent: str) -> None:
    req = build_request(op("retrieveModel"), BASE, {}, None, {"model": value})
    assert req.url == BASE + "/models/" + sent


@pytest.mark.parametrize("bad", ["", ".", ".."])
def test_path_values_that_would_change_the_path_are_refused(bad: str) -> None:
    with pytest.raises(ParameterError, match="may not be"):
        build_request(op("retrieveFile"), BASE, {}, None, {"file_id": bad})


def test_missing_path_parameter_is_a_clear_error() -> None:
    with pytest.raises(ParameterError, match=r"file_id=\.\.\."):
        build_request(op("retrieveFile"), BASE, {}, None, {})


def test_query_arrays_objects_and_booleans() -> None:
    req = build_request(
        op("getResponse"),
        BASE,
        {},
        None,
        {"response_id": "resp_1", "include": ["a", "b"], "stream": False},
        query={"extra": True, "meta": {"k": "v"}, "skip": None},
    )
    assert query_of(req.url) == [
        ("include[]", "a"),
        ("include[]", "b"),
        ("stream", "false"),
        ("extra", "true"),
        ("meta[k]", "v"),
    ]


def test_path_written_with_a_query_sends_it() -> None:
    req = build_request(
        op("beta_createResponse"), BASE, {}, {"model": "m"}, {"openai_beta": ["responses_multi_agent=v1"]}
    )
    assert req.url == BASE + "/responses?beta=true"
    assert req.headers["openai-beta"] == "responses_multi_agent=v1"


def test_beta_header_and_override() -> None:
    req = build_request(op("listAssistants"), BASE, {}, None, {"limit": 2})
    assert req.headers["OpenAI-Beta"] == "assistants=v2"
    req = build_request(op("listAssistants"), BASE, {}, None, headers={"openai-beta": "assistants=v3"})
    assert req.headers == {"openai-beta": "assistants=v3"}


def test_multipart_flattening_like_the_sdk(tmp_path: pathlib.Path) -> None:
    audio = tmp_path / "speech.mp3"
    audio.write_bytes(b"ID3fake")
    req = build_request(
        op("createTranscription"),
        BASE,
        {},
        {
            "file": audio,
            "model": "whisper-1",
            "timestamp_granularities": ["word", "segment"],
            "temperature": 0.5,
            "stream": False,
            "chunking_strategy": {"type": "server_vad", "threshold": 0.5},
            "prompt": None,
        },
    )
    assert req.content.content_type == req.headers["Content-Type"]  # a MultipartBody, one boundary
    assert req.fields == [
        ("model", "whisper-1"),
        ("timestamp_granularities[]", "word"),
        ("timestamp_granularities[]", "segment"),
        ("temperature", "0.5"),
        ("stream", "false"),
        ("chunking_strategy[type]", "server_vad"),
        ("chunking_strategy[threshold]", "0.5"),
    ]
    ((name, spec),) = req.files
    assert (name, spec.filename, spec.content_type) == ("file", "speech.mp3", "audio/mpeg")


def test_json_or_multipart_by_content() -> None:
    image_edit = op("createImageEdit")
    assert set(image_edit.content_types) == {"application/json", "multipart/form-data"}
    as_json = build_request(image_edit, BASE, {}, {"prompt": "p", "images": [{"image_url": "https://x"}]})
    assert as_json.headers["Content-Type"] == "application/json"
    as_form = build_request(
        image_edit, BASE, {}, {"prompt": "p", "image": [b"\x89PNG\r\n\x1a\nA", b"\x89PNG\r\n\x1a\nB"]}
    )
    assert [n for n, _ in as_form.files] == ["image[]", "image[]"]
    assert as_form.files[0][1].filename == "image.png"


def test_unnamed_files_get_a_name_and_type() -> None:
    assert sniff(b"RIFF\x00\x00\x00\x00WAVEfmt ") == (".wav", "audio/wav")
    assert sniff(b"\x89PNG\r\n\x1a\n") == (".png", "image/png")
    assert sniff(b'{"custom_id": 1}\n{"custom_id": 2}') == (".jsonl", "application/json")
    assert sniff(b"\x00\x01\x02\x03\xff\xfe\x00\x00more bytes here") == (".bin", "application/octet-stream")
    spec = to_file("file", io.BytesIO(b"ID3abc"))
    assert (spec.filename, spec.content_type) == ("file.mp3", "audio/mpeg")
    spec = to_file("file", ("notes.jsonl", b"{}\n"))
    assert (spec.filename, spec.content_type) == (
        "notes.jsonl",
        "application/octet-stream",
    ) or spec.filename == "notes.jsonl"
    spec = to_file("file", ("x.wav", b"....", "audio/x-custom"))
    assert spec.content_type == "audio/x-custom"


def test_text_mode_files_are_refused(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "a.txt"
    p.write_text("hi")
    with open(p) as f, pytest.raises(ParameterError, match="text mode"):
        to_file("file", f)


def test_path_in_a_json_only_body_is_a_clear_error(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "a.bin"
    p.write_bytes(b"x")
    with pytest.raises(ParameterError, match="cannot be sent as JSON"):
        build_request(op("createChatCompletion"), BASE, {}, {"file": p})


def test_raw_body_operation(tmp_path: pathlib.Path) -> None:
    call = op("create-realtime-call")
    req = build_request(call, BASE, {}, "v=0\r\n")
    assert req.content == b"v=0\r\n" and req.headers["Content-Type"] == "application/sdp"


def test_header_parameters_by_python_name_and_spec_name() -> None:
    a = build_request(op("beta_getResponse"), BASE, {}, None, {"response_id": "r", "openai_beta": ["x", "y"]})
    b = build_request(op("beta_getResponse"), BASE, {}, None, {"response_id": "r", "openai-beta": ["x", "y"]})
    assert a.headers["openai-beta"] == b.headers["openai-beta"] == "x,y"


def test_old_spec_still_builds() -> None:
    req = build_request(op("createChatCompletion", SPEC_30), BASE, {}, {"model": "m", "messages": []})
    assert req.url.endswith("/chat/completions")


def test_form_flatten_nested() -> None:
    fields, files = flatten_form({"a": {"b": {"c": 1}}, "l": [1, True], "n": None})
    assert fields == [("a[b][c]", "1"), ("l[]", "1"), ("l[]", "true")] and files == []


_scalars = st.one_of(st.text(max_size=8), st.integers(), st.booleans())
_keys = st.text(min_size=1, max_size=6)


def _wire(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, st.one_of(_scalars, st.lists(_scalars, max_size=3)), max_size=5))
def test_query_encoding_round_trips(params: dict) -> None:
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        flatten(key, value, pairs)
    encoded = encode(pairs)
    decoded = [tuple(unquote(part) for part in item.split("=", 1)) for item in encoded.split("&") if item]
    assert decoded == pairs
    expected = []
    for key, value in params.items():
        if isinstance(value, list):
            wire = key if key.endswith("[]") else key + "[]"
            expected += [(wire, _wire(v)) for v in value]
        else:
            expected.append((key, _wire(value)))
    assert pairs == expected


def test_unknown_keywords_of_a_bodyless_operation_become_query_fields() -> None:
    req = build_request(op("listFiles"), BASE, {}, None, {"purpose": "batch", "new_filter": ["x"]})
    assert query_of(req.url) == [("purpose", "batch"), ("new_filter[]", "x")]
    assert req.content is None and req.fields is None


def test_per_call_query_replaces_call_and_spec_values() -> None:
    req = build_request(op("listFiles"), BASE, {}, None, {"limit": 10, "purpose": "batch"}, query={"limit": 5})
    assert query_of(req.url) == [("purpose", "batch"), ("limit", "5")]
    req = build_request(op("beta_createResponse"), BASE, {}, {"model": "m"}, query={"beta": "false"})
    assert query_of(req.url) == [("beta", "false")]


def test_nested_arrays_keep_their_brackets() -> None:
    pairs: list = []
    flatten("a", [[1, 2]], pairs)
    assert pairs == [("a[][]", "1"), ("a[][]", "2")]
    pairs = []
    flatten("include[]", ["x"], pairs)
    assert pairs == [("include[]", "x")]
    fields, _ = flatten_form({"m": [[1]], "t": ("word", "segment")})
    assert fields == [("m[][]", "1"), ("t[]", "word"), ("t[]", "segment")]


def test_two_strings_are_an_array_not_a_file() -> None:
    from openapi_client_openai._multipart import is_file

    assert not is_file(("word", "segment"))
    assert is_file(("a.txt", b"data")) and is_file(("a.txt", "text", "text/plain"))
