"""Structured outputs from Python types (issue 13): strict schemas, parsing, refusals and cut
answers, streamed partial parsing; on the blocking and asyncio clients, against the mock.

The schemas are compared with the official SDK's ``to_strict_json_schema`` on twenty models:
each difference is listed in ``DIFFERENCES`` with the reason, and any other must not exist.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import decimal
import enum
import inspect
import json
import uuid
from typing import Any, Literal, Optional, Union

import pytest

from openapi_client_openai import (
    AsyncOpenAIClient,
    ContentFilterFinishReasonError,
    LengthFinishReasonError,
    OpenAIClient,
    OutputValidationError,
    ParameterError,
    RefusalError,
    RequestValidationError,
    StrictSchemaError,
    StructuredOutputError,
    strict_schema,
)
from openapi_client_openai.mock import MockServer

from conftest import FAKE_KEY, SPEC_30, SPEC_31, Reply

pydantic = pytest.importorskip("pydantic")
from pydantic import BaseModel, ConfigDict, Field  # noqa: E402
from typing_extensions import TypedDict  # noqa: E402  (pydantic needs it before Python 3.12)

USER = [{"role": "user", "content": "Book me a room."}]


# -- twenty representative models -----------------------------------------------------------------


class Color(str, enum.Enum):
    RED = "red"
    GREEN = "green"


class Simple(BaseModel):
    name: str
    age: int
    score: float
    active: bool


class WithOptional(BaseModel):
    title: str
    subtitle: Optional[str] = None  # noqa: UP045 - the spelling people write
    note: str | None


class WithEnum(BaseModel):
    color: Color
    mode: Literal["fast", "slow"]


class Address(BaseModel):
    street: str
    city: str


class Nested(BaseModel):
    """A person with an address."""

    name: str
    address: Address
    previous: list[Address]


class Node(BaseModel):
    value: int
    children: list[Node]


class Formats(BaseModel):
    id: uuid.UUID
    day: datetime.date
    at: datetime.datetime
    starts: datetime.time
    lasts: datetime.timedelta


class Described(BaseModel):
    city: str = Field(description="The city")
    home: Address = Field(description="Where they live")


class Defaults(BaseModel):
    units: str = "metric"
    count: int = 3
    color: Color = Color.RED


class Constrained(BaseModel):
    code: str = Field(pattern=r"^[A-Z]{3}$")
    qty: int = Field(ge=1, le=10)
    tags: list[str] = Field(min_length=1, max_length=3)


class Cat(BaseModel):
    kind: Literal["cat"]
    lives: int


class Dog(BaseModel):
    kind: Literal["dog"]
    good: bool


class Pet(BaseModel):
    pet: Union[Cat, Dog] = Field(discriminator="kind")  # noqa: UP007


class PlainUnion(BaseModel):
    value: int | str
    either: Cat | Dog


@dataclasses.dataclass
class Point:
    x: float
    y: float


class Movie(TypedDict):
    title: str
    year: int


class Lengths(BaseModel):
    short: str = Field(max_length=10)
    email: pydantic.EmailStr


class TreeNode(BaseModel):
    label: str
    left: TreeNode | None = None
    right: TreeNode | None = None


class Tree(BaseModel):
    root: TreeNode | None


class Setish(BaseModel):
    ids: set[int]


class Link(BaseModel):
    url: pydantic.AnyUrl
    amount: decimal.Decimal


class Booking(BaseModel):
    """A hotel booking."""

    id: uuid.UUID
    guest: Address
    nights: int = Field(ge=1)
    check_in: datetime.date
    kind: Literal["single", "double"]
    extras: list[str] = []
    notes: str | None = None


class FreeForm(BaseModel):
    counts: dict[str, int]


MODELS = [
    Simple,
    WithOptional,
    WithEnum,
    Nested,
    Node,
    Formats,
    Described,
    Defaults,
    Constrained,
    Pet,
    PlainUnion,
    Point,
    Movie,
    Lengths,
    Tree,
    Setish,
    Link,
    Booking,
    Address,
    FreeForm,
]

# Where our schema differs from the SDK's, and why (the module docstring of _parse.py says more).
DIFFERENCES = {
    "Defaults": "defaults are dropped whatever their value (the SDK drops only null ones; the API refuses "
    "`default` in strict schemas at times, and strict mode asks for every field anyway), so `color` stays a "
    "plain $ref instead of being inlined for its sibling `default`",
    "Pet": "pydantic's discriminated union is a oneOf with a discriminator: strict mode has no oneOf, so it "
    "becomes anyOf (the variants are disjoint by their tag) and the discriminator goes",
    "Lengths": "maxLength is not a strict-mode keyword: it moves into the description (pydantic still checks it)",
    "Setish": "uniqueItems (from set[int]) is not a strict-mode keyword: it moves into the description",
    "Link": "format 'uri' is not among strict mode's formats and minLength/maxLength are not strict-mode keywords: "
    "they move into the description",
    "Booking": "the `extras: list[str] = []` default is dropped (see Defaults)",
    "FreeForm": "dict[str, int] cannot be strict (its keys are free): refused before sending, where the SDK sends "
    "a schema the API refuses",
}


def _sdk_schema(model: Any) -> Any:
    from openai.lib._pydantic import to_strict_json_schema

    if isinstance(model, type) and issubclass(model, BaseModel):
        return to_strict_json_schema(model)
    return to_strict_json_schema(pydantic.TypeAdapter(model))


def _ours(model: Any) -> Any:
    try:
        return strict_schema(model)
    except StrictSchemaError as exc:
        return exc


def test_twenty_models_match_the_official_sdk_or_differ_for_a_stated_reason() -> None:
    assert len(MODELS) == 20
    differ = []
    for model in MODELS:
        ours = _ours(model)
        if ours != _sdk_schema(model):
            differ.append(model.__name__)
    assert sorted(differ) == sorted(DIFFERENCES)
    # Each stated reason is what actually differs:
    defaults = strict_schema(Defaults)["properties"]
    assert "default" not in json.dumps(defaults) and defaults["color"] == {"$ref": "#/$defs/Color"}
    assert "anyOf" in strict_schema(Pet)["properties"]["pet"] and "oneOf" not in json.dumps(strict_schema(Pet))
    assert strict_schema(Lengths)["properties"]["short"]["description"] == "maxLength=10"
    assert strict_schema(Setish)["properties"]["ids"]["description"] == "uniqueItems=true"
    url = strict_schema(Link)["properties"]["url"]
    assert "format" not in url and 'format="uri"' in url["description"]
    assert "default" not in strict_schema(Booking)["properties"]["extras"]
    assert isinstance(_ours(FreeForm), StrictSchemaError)


def test_what_strict_mode_requires_holds_at_every_level() -> None:
    def objects(node: Any) -> list[dict]:
        found = []
        if isinstance(node, dict):
            if node.get("type") == "object":
                found.append(node)
            for value in node.values():
                found += objects(value)
        elif isinstance(node, list):
            for value in node:
                found += objects(value)
        return found

    for model in MODELS[:-1]:
        schema = strict_schema(model)
        assert schema["type"] == "object"
        for obj in objects(schema):
            assert obj["additionalProperties"] is False
            assert obj["required"] == list(obj["properties"])
        assert "default" not in json.dumps(schema)
    tree = strict_schema(Tree)
    assert tree["properties"]["root"]["anyOf"] == [{"$ref": "#/$defs/TreeNode"}, {"type": "null"}]  # recursion
    assert strict_schema(Formats)["properties"]["id"]["format"] == "uuid"  # supported formats kept
    assert strict_schema(Nested)["description"] == "A person with an address."


class Person(BaseModel):
    name: str
    mentor: Person | None = Field(description="Who taught them")
    best_friend: Person = Field(description="Their best friend")


def test_a_described_field_of_a_models_own_type_is_strict_and_finite() -> None:
    # The official SDK inlines every $ref that has a description beside it, and recurses without
    # end on this model; inside its own definition the reference goes into an anyOf of one.
    # (The model is contrived: best_friend makes every Person infinite; the schema still is not.)
    schema = strict_schema(Person)
    friend = schema["$defs"]["Person"]["properties"]["best_friend"]
    assert friend == {"anyOf": [{"$ref": "#/$defs/Person"}], "description": "Their best friend"}
    assert schema["properties"]["best_friend"] == friend and schema["type"] == "object"
    with pytest.raises(RecursionError):
        _sdk_schema(Person)


def test_unsupported_keywords_become_notes_pydantic_still_checks() -> None:
    lookaround = pydantic.create_model(
        "Code",
        __config__=ConfigDict(regex_engine="python-re"),  # pydantic's default engine has no look-around either
        code=(str, Field(pattern=r"^(?!0)\d+$", description="A code")),
    )
    field = strict_schema(lookaround)["properties"]["code"]
    assert "pattern" not in field and field["description"] == 'A code (pattern="^(?!0)\\\\d+$")'
    plain = pydantic.create_model("Plain", code=(str, Field(pattern=r"^\d+$")))
    assert strict_schema(plain)["properties"]["code"]["pattern"] == r"^\d+$"  # no look-around: kept


@pytest.mark.parametrize(
    ("annotation", "where", "says"),
    [
        (dict[str, int], "Bad.field", "keys chosen freely"),
        (dict, "Bad.field", "keys chosen freely"),
        (Any, "Bad.field", "any value"),
        (list, "Bad.field", "without an item type"),
        (list[Any], "Bad.field", "without an item type"),
    ],
)
def test_a_type_that_cannot_be_strict_is_refused_naming_the_field(annotation: Any, where: str, says: str) -> None:
    bad = pydantic.create_model("Bad", field=(annotation, ...))
    with pytest.raises(StrictSchemaError, match=says) as caught:
        strict_schema(bad)
    assert caught.value.path == where and where in str(caught.value)


def test_a_root_that_is_not_an_object_and_open_models_are_refused() -> None:
    with pytest.raises(StrictSchemaError, match="object at the top"):
        strict_schema(list[Address])
    with pytest.raises(StrictSchemaError, match="extra='allow'"):
        strict_schema(pydantic.create_model("Open", __config__=ConfigDict(extra="allow"), a=(int, ...)))


# -- against the mock, both clients ---------------------------------------------------------------


@pytest.fixture(scope="module")
def mock_url():
    with MockServer(spec=SPEC_31, seed=11) as url:
        yield url


async def maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


@pytest.fixture(params=["sync", "async"])
def play(request):
    """``play(url, scenario)`` runs ``scenario(client)`` on the blocking or the asyncio client."""
    cls = OpenAIClient if request.param == "sync" else AsyncOpenAIClient

    def run(url: str, scenario: Any, spec: Any = SPEC_31) -> Any:
        async def main() -> Any:
            client = cls(spec=spec, api_key=FAKE_KEY, base_url=url, max_retries=0)
            try:
                return await scenario(client)
            finally:
                await maybe(client.close() if cls is OpenAIClient else client.aclose())

        return asyncio.run(main())

    return run


async def collect(iterator: Any) -> list:
    if hasattr(iterator, "__aiter__"):
        return [item async for item in iterator]
    return list(iterator)


class Guest(BaseModel):
    name: str
    email: pydantic.EmailStr
    vip: bool


class Stay(BaseModel):
    """Everything the issue lists: nested models, enums, Literal, UUID, date, optional and list fields, recursion."""

    id: uuid.UUID
    check_in: datetime.date
    guest: Guest
    companions: list[Guest]
    color: Color
    room: Literal["single", "double", "suite"]
    note: str | None = None
    plan: TreeNode


def _is_stay(value: Any) -> bool:
    return (
        isinstance(value, Stay)
        and isinstance(value.id, uuid.UUID)
        and type(value.check_in) is datetime.date
        and isinstance(value.guest, Guest)
        and all(isinstance(g, Guest) for g in value.companions)
        and isinstance(value.color, Color)
        and value.room in ("single", "double", "suite")
        and isinstance(value.plan, TreeNode)
    )


def test_parse_chat_and_responses_into_models_on_both_clients(play, mock_url) -> None:
    async def scenario(client: Any) -> None:
        answer = await maybe(client.parse("createChatCompletion", model="gpt-4o", messages=USER, response_format=Stay))
        assert _is_stay(answer.parsed)
        message = answer.json()["choices"][0]["message"]
        assert message["parsed"] is answer.parsed and message["refusal"] is None
        # the operation's own method, given the type, does the same:
        again = await maybe(client.create_chat_completion(model="gpt-4o", messages=USER, response_format=Stay))
        assert _is_stay(again.parsed)
        response = await maybe(client.parse("createResponse", model="gpt-4.1", input="Book it", text_format=Stay))
        assert _is_stay(response.parsed) and response.json()["output_parsed"] is response.parsed
        plain = await maybe(client.create_response(model="gpt-4.1", input="Book it", text_format=Stay))
        assert _is_stay(plain.parsed)

    play(mock_url, scenario)


def test_dataclasses_and_typeddicts_parse_too(mock_url) -> None:
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=mock_url) as client:
        point = client.create_chat_completion(model="gpt-4o", messages=USER, response_format=Point).parsed
        assert isinstance(point, Point) and isinstance(point.x, float)
        movie = client.create_response(model="gpt-4.1", input="A film", text_format=Movie).parsed
        assert isinstance(movie, dict) and set(movie) == {"title", "year"} and isinstance(movie["year"], int)
        # A JSON format given as a dict: parse() gives the JSON value.
        fmt = {"type": "json_schema", "json_schema": {"name": "m", "schema": strict_schema(Movie), "strict": True}}
        value = client.parse("createChatCompletion", model="gpt-4o", messages=USER, response_format=fmt).parsed
        assert isinstance(value, dict) and isinstance(value["title"], str)


def test_the_request_carries_the_strict_schema_under_a_name_the_api_takes(server) -> None:
    server.default = lambda req: Reply(
        body=json.dumps(_chat_answer('{"name": "a", "age": 1, "score": 1, "active": true}'))
    )
    generic = pydantic.create_model("Page[Simple]", __base__=Simple)
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as client:
        client.create_chat_completion(model="gpt-4o", messages=USER, response_format=generic, temperature=0)
        sent = server.last.json()
    assert sent["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "Page_Simple_", "schema": strict_schema(generic), "strict": True},
    }
    assert sent["temperature"] == 0 and sent["messages"] == USER
    server.default = lambda req: Reply(body=json.dumps(_response_answer('{"street": "a", "city": "b"}')))
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as client:
        result = client.create_response(model="gpt-4.1", input="x", text={"verbosity": "low"}, text_format=Address)
        assert result.parsed == Address(street="a", city="b")
        text = server.last.json()["text"]
    assert text == {
        "verbosity": "low",
        "format": {"type": "json_schema", "name": "Address", "schema": strict_schema(Address), "strict": True},
    }


def test_types_in_the_wrong_place_or_that_cannot_be_strict_are_refused_before_sending(server) -> None:
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as client:
        with pytest.raises(StrictSchemaError, match=r"FreeForm\.counts"):
            client.create_chat_completion(model="gpt-4o", messages=USER, response_format=FreeForm)
        with pytest.raises(ParameterError, match="text_format="):
            client.create_response(model="gpt-4.1", input="x", response_format=Address)
        with pytest.raises(ParameterError, match="response_format= for structured outputs"):
            client.create_chat_completion(model="gpt-4o", messages=USER, text_format=Address)
        with pytest.raises(ParameterError, match="text= must be an object"):
            client.create_response(model="gpt-4.1", input="x", text="plain", text_format=Address)
        with pytest.raises(ParameterError, match="only chat completions and the Responses API"):
            client.create_embedding(model="text-embedding-3-small", input="x", response_format=Address)
        with pytest.raises(RequestValidationError):  # a value that is neither a type nor a format
            client.create_chat_completion(model="gpt-4o", messages=USER, response_format="json")
    assert server.requests == []


# -- refusals, cut answers, JSON that does not fit ------------------------------------------------


@pytest.mark.parametrize(
    ("finish", "error"),
    [
        ("refusal", RefusalError),
        ("length", LengthFinishReasonError),
        ("content_filter", ContentFilterFinishReasonError),
    ],
)
@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
def test_refusals_and_cut_answers_raise_their_own_errors_with_the_raw_answer(
    play, mock_url, finish: str, error: type, streamed: bool
) -> None:
    asked = {"extra_headers": {"x-mock-finish": finish}}

    async def scenario(client: Any) -> None:
        for operation, args in (
            ("createChatCompletion", {"model": "gpt-4o", "messages": USER, "response_format": Booking}),
            ("createResponse", {"model": "gpt-4.1", "input": "Book it", "text_format": Booking}),
        ):
            with pytest.raises(error) as caught:
                answer = await maybe(client.parse(operation, **args, **asked, stream=streamed))
                if streamed:
                    await maybe(answer.final())
            exc = caught.value
            assert isinstance(exc, StructuredOutputError) and exc.result is not None
            raw = exc.result if streamed else exc.result.json()
            if finish == "refusal":
                assert "can't help" in exc.refusal and "can't help" in str(exc)
            else:
                if "choices" in raw:  # the text cut short, as received
                    assert exc.content == raw["choices"][0]["message"]["content"]
                else:
                    assert raw["status"] == "incomplete" and exc.content == raw["output"][0]["content"][0]["text"]
                with pytest.raises(ValueError):
                    json.loads(exc.content)

    play(mock_url, scenario)


def _chat_answer(content: str) -> dict:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content, "refusal": None}, "finish_reason": "stop"}
        ],
    }


def _response_answer(text: str) -> dict:
    return {
        "id": "resp_1",
        "object": "response",
        "created_at": 1,
        "status": "completed",
        "model": "gpt-4.1",
        "output": [
            {
                "type": "message",
                "id": "msg_1",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            }
        ],
    }


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"street": "Main St"}', "city: Field required"),
        ('{"street": 5, "city": "x"}', "street: Input should be a valid string"),
        ("Sure! Here is your booking", "not JSON"),
    ],
)
def test_json_that_does_not_fit_the_type_raises_with_the_raw_text(server, content: str, says: str) -> None:
    server.default = lambda req: Reply(body=json.dumps(_chat_answer(content)))
    with (
        OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as client,
        pytest.raises(OutputValidationError, match=says) as caught,
    ):
        client.create_chat_completion(model="gpt-4o", messages=USER, response_format=Address)
    assert caught.value.content == content and caught.value.result.json()["id"] == "chatcmpl-1"
    assert isinstance(caught.value.errors, list)
    server.default = lambda req: Reply(body=json.dumps(_response_answer(content)))
    with (
        OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as client,
        pytest.raises(OutputValidationError, match=says),
    ):
        client.create_response(model="gpt-4.1", input="x", text_format=Address)


def test_the_errors_are_documented_in_the_error_tree() -> None:
    from openapi_client_openai import _errors

    for name in ("RefusalError", "LengthFinishReasonError", "ContentFilterFinishReasonError", "OutputValidationError"):
        assert name in _errors.__doc__
        assert issubclass(getattr(_errors, name), StructuredOutputError)


# -- streams: final() parsed, partial() as the JSON arrives --------------------------------------


@pytest.mark.parametrize("operation", ["createChatCompletion", "createResponse"])
def test_streamed_parse_gives_partial_objects_then_the_parsed_final(play, mock_url, operation: str) -> None:
    if operation == "createChatCompletion":
        args: dict[str, Any] = {"model": "gpt-4o", "messages": USER, "response_format": Stay}
    else:
        args = {"model": "gpt-4.1", "input": "Book it", "text_format": Stay}

    async def scenario(client: Any) -> None:
        stream = await maybe(client.parse(operation, **args, stream=True))
        partials = await collect(stream.partial())
        final = await maybe(stream.final())
        parsed = final["choices"][0]["message"]["parsed"] if "choices" in final else final["output_parsed"]
        assert _is_stay(parsed)
        whole = parsed.model_dump(mode="json")
        assert partials[-1] == whole
        assert len(partials) > 10 and all(isinstance(p, dict) for p in partials)
        # each partial object is a prefix of the final one: what has arrived never changes
        for earlier in partials[:-1]:
            assert earlier.keys() <= whole.keys()
            for key, value in earlier.items():
                if isinstance(value, str) and key != "note":
                    assert whole[key].startswith(value)
        assert partials[0] != whole and any(set(p) < set(whole) for p in partials)

    play(mock_url, scenario)


def test_partial_reads_json_cut_anywhere() -> None:
    from openapi_client_openai._parse import partial_json

    text = json.dumps({"a": [1, {"b": "hello"}], "c": None, "d": "wörld"})
    seen = [partial_json(text[:i]) for i in range(len(text) + 1)]
    assert seen[-1] == json.loads(text)
    assert {"a": [1, {"b": "hel"}]} in seen and {"a": [1, {"b": "hello"}], "c": None, "d": "w"} in seen


def test_the_2025_spec_parses_too() -> None:
    with MockServer(spec=SPEC_30, seed=3) as url, OpenAIClient(spec=SPEC_30, api_key=FAKE_KEY, base_url=url) as c:
        assert _is_stay(c.create_chat_completion(model="gpt-4o", messages=USER, response_format=Stay).parsed)
        assert _is_stay(c.create_response(model="gpt-4.1", input="Book it", text_format=Stay).parsed)
