"""Function tools from Python functions and the ``run_tools`` loop (issue 13), on both clients,
for chat completions and the Responses API, against the mock and a scripted server."""

from __future__ import annotations

import asyncio
import datetime
import inspect
import json
import threading
import uuid
from typing import Any, Literal

import pytest

from openapi_client_openai import (
    AsyncOpenAIClient,
    FunctionTool,
    OpenAIClient,
    ParameterError,
    StrictSchemaError,
    ToolError,
    ToolRun,
    function_tool,
    strict_schema,
)
from openapi_client_openai.mock import MockServer

from conftest import FAKE_KEY, SPEC_31, Reply

pydantic = pytest.importorskip("pydantic")

USER = [{"role": "user", "content": "What is the weather in Paris, and the time there?"}]


def get_weather(city: str, units: Literal["metric", "imperial"] = "metric") -> dict:
    """Get the current weather in a city.

    Args:
        city: The city's name, such as Paris.
        units: Which units to give the temperature in.
    """
    return {"city": city, "temperature": 21 if units == "metric" else 70, "units": units}


async def get_time(city: str, day: datetime.date) -> str:
    """Tell the local time in a city.

    :param city: The city's name.
    :param day: The day asked about.
    """
    await asyncio.sleep(0)
    return f"12:00 in {city} on {day.isoformat()}"


class Booking(pydantic.BaseModel):
    id: uuid.UUID
    nights: int
    kind: Literal["single", "double"]


# -- definitions ---------------------------------------------------------------------------------


def test_a_function_becomes_a_strict_tool_from_its_hints_and_docstring() -> None:
    tool = function_tool(get_weather)
    assert isinstance(tool, FunctionTool) and tool.name == "get_weather"
    assert tool.description == "Get the current weather in a city."
    params = tool.parameters
    assert params["required"] == ["city", "units"] and params["additionalProperties"] is False
    assert params["properties"]["city"] == {
        "description": "The city's name, such as Paris.",
        "title": "City",
        "type": "string",
    }
    assert (
        params["properties"]["units"]["enum"] == ["metric", "imperial"]
        and "default" not in params["properties"]["units"]
    )
    assert tool.definition("chat") == {
        "type": "function",
        "function": {"name": "get_weather", "parameters": params, "strict": True, "description": tool.description},
    }
    assert tool.definition("responses") == {
        "type": "function",
        "name": "get_weather",
        "parameters": params,
        "strict": True,
        "description": tool.description,
    }
    assert tool("Oslo") == get_weather("Oslo")  # still the function
    timed = function_tool(get_time)
    assert timed.is_async and timed.parameters["properties"]["day"]["format"] == "date"
    assert timed.parameters["properties"]["day"]["description"] == "The day asked about."
    assert timed.description == "Tell the local time in a city."


def test_a_model_argument_decorators_and_names() -> None:
    @function_tool
    def book(booking: Booking) -> str:
        """Book a room."""
        return booking.kind

    assert book.parameters["properties"]["booking"] == {"$ref": "#/$defs/Booking"}
    assert book.parameters["$defs"]["Booking"] == strict_schema(Booking)
    arguments = json.dumps({"booking": {"id": str(uuid.uuid4()), "nights": 2, "kind": "double"}})
    assert book.invoke(arguments) == "double"

    @function_tool(name="lookup-v2", description="Look it up.")
    def lookup(query: str) -> str:
        return query

    assert lookup.name == "lookup-v2" and lookup.description == "Look it up."
    assert lookup.arguments('{"query": "x"}') == {"query": "x"}


def test_functions_that_cannot_be_tools_are_refused_clearly() -> None:
    def untyped(city):
        return city

    with pytest.raises(StrictSchemaError, match="'city' has no type hint"):
        function_tool(untyped)

    def rest(*cities: str) -> str:
        return ""

    with pytest.raises(StrictSchemaError, match="named arguments only"):
        function_tool(rest)

    def free(counts: dict[str, int]) -> str:
        return ""

    with pytest.raises(StrictSchemaError, match=r"free\.counts.*keys chosen freely"):
        function_tool(free)
    with pytest.raises(ParameterError, match="not one the API takes"):
        function_tool(get_weather, name="get weather")
    with pytest.raises(ParameterError, match="takes a function"):
        function_tool(42)  # type: ignore[arg-type]


# -- the loop ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mock_url():
    with MockServer(spec=SPEC_31, seed=4) as url:
        yield url


async def maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


@pytest.fixture(params=["sync", "async"])
def play(request):
    """``play(url, scenario)`` runs ``scenario(client)`` on the blocking or the asyncio client."""
    cls = OpenAIClient if request.param == "sync" else AsyncOpenAIClient

    def run(url: str, scenario: Any) -> Any:
        async def main() -> Any:
            client = cls(spec=SPEC_31, api_key=FAKE_KEY, base_url=url, max_retries=0)
            try:
                return await scenario(client)
            finally:
                await maybe(client.close() if cls is OpenAIClient else client.aclose())

        return asyncio.run(main())

    return run


def _meeting_tools() -> tuple[list, list]:
    """A plain and an async tool that each wait for the other to have started: run one after the
    other, the first would wait in vain (and report an error); run together, both finish."""
    plain_started, async_started = threading.Event(), threading.Event()
    ran: list[str] = []

    def weather(city: str) -> dict:
        """The weather in a city."""
        plain_started.set()
        if not async_started.wait(10):
            raise TimeoutError("time never started: the calls did not run together")
        ran.append("weather")
        return {"city": city, "sky": "clear"}

    async def clock(city: str) -> str:
        """The time in a city."""
        async_started.set()
        for _ in range(1000):
            if plain_started.is_set():
                break
            await asyncio.sleep(0.01)
        else:
            raise TimeoutError("weather never started: the calls did not run together")
        ran.append("clock")
        return f"noon in {city}"

    return [weather, function_tool(clock)], ran


@pytest.mark.parametrize("operation", ["createChatCompletion", "createResponse"])
def test_two_tools_called_in_parallel_run_together_and_the_loop_ends_in_an_answer(play, mock_url, operation) -> None:
    tools, ran = _meeting_tools()
    if operation == "createChatCompletion":
        args: dict[str, Any] = {"model": "gpt-4o", "messages": USER}
    else:
        args = {"model": "gpt-4.1", "input": USER[0]["content"]}

    async def scenario(client: Any) -> ToolRun:
        return await maybe(client.run_tools(operation, **args, tools=tools, parallel_tool_calls=True))

    run = play(mock_url, scenario)
    assert isinstance(run, ToolRun) and run.finished and run.steps == 2
    assert sorted(ran) == ["clock", "weather"]
    if operation == "createChatCompletion":
        user, asked, *answers, final = run.messages
        assert user == USER[0] and [c["function"]["name"] for c in asked["tool_calls"]] == ["weather", "clock"]
        assert [a["role"] for a in answers] == ["tool", "tool"]
        assert [a["tool_call_id"] for a in answers] == [c["id"] for c in asked["tool_calls"]]
        assert json.loads(answers[0]["content"])["sky"] == "clear" and answers[1]["content"].startswith("noon in ")
        assert final["role"] == "assistant" and final["content"] == run.final.json()["choices"][0]["message"]["content"]
    else:
        user, *calls, out1, out2, final = run.messages
        assert user == {"role": "user", "content": USER[0]["content"]}
        assert [c["name"] for c in calls] == ["weather", "clock"]
        assert [o["call_id"] for o in (out1, out2)] == [c["call_id"] for c in calls]
        assert out2["output"].startswith("noon in ") and final["type"] == "message"
        assert run.final.json()["output"][0]["type"] == "message"


def test_a_failing_tool_becomes_an_error_message_unless_asked_to_raise(play, mock_url) -> None:
    def broken(city: str) -> str:
        """Always fails."""
        raise ValueError(f"no weather station in {city}")

    async def scenario(client: Any) -> None:
        run = await maybe(client.run_tools("createChatCompletion", model="gpt-4o", messages=USER, tools=[broken]))
        assert run.finished and run.messages[2]["role"] == "tool"
        assert run.messages[2]["content"].startswith("Error: broken raised ValueError: no weather station in ")
        with pytest.raises(ToolError, match="broken raised ValueError") as caught:
            await maybe(
                client.run_tools(
                    "createResponse", model="gpt-4.1", input="Weather?", tools=[broken], raise_tool_errors=True
                )
            )
        assert isinstance(caught.value.__cause__, ValueError) and caught.value.tool == "broken"
        assert json.loads(caught.value.arguments)["city"]

    play(mock_url, scenario)


def test_max_steps_stops_a_loop_that_keeps_calling_tools(play, mock_url) -> None:
    calls = []

    def lookup(query: str) -> str:
        """Look something up."""
        calls.append(query)
        return "found"

    async def scenario(client: Any) -> None:
        run = await maybe(
            client.run_tools(
                "createChatCompletion",
                model="gpt-4o",
                messages=USER,
                tools=[lookup],
                tool_choice="required",
                max_steps=3,
            )
        )
        assert not run.finished and run.steps == 3 and len(calls) == 3
        assert run.final.json()["choices"][0]["finish_reason"] == "tool_calls"
        assert [m["role"] for m in run.messages] == ["user", *["assistant", "tool"] * 3]

    play(mock_url, scenario)


def test_structured_final_answers_and_model_arguments(mock_url) -> None:
    booked = []

    def book(booking: Booking) -> str:
        """Book a room."""
        booked.append(booking)
        return "booked"

    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=mock_url) as client:
        run = client.run_tools(
            "createChatCompletion", model="gpt-4o", messages=USER, tools=[book], response_format=Booking
        )
    assert isinstance(booked[0], Booking) and isinstance(booked[0].id, uuid.UUID)
    assert isinstance(run.parsed, Booking) and run.parsed is run.final.parsed


def _tool_call_answer(name: str, arguments: str) -> Reply:
    call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": arguments}}
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                "finish_reason": "tool_calls",
            }
        ],
    }
    return Reply(body=json.dumps(body))


def _text_answer() -> Reply:
    body = {
        "id": "chatcmpl-2",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Done."}, "finish_reason": "stop"}],
    }
    return Reply(body=json.dumps(body))


def test_arguments_that_do_not_fit_and_unknown_tools_are_told_to_the_model(server) -> None:
    server.script(
        _tool_call_answer("get_weather", '{"city": 5}'),
        _tool_call_answer("get_wether", '{"city": "Paris"}'),
        _text_answer(),
    )
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as client:
        run = client.run_tools("createChatCompletion", model="gpt-4o", messages=USER, tools=[get_weather])
    assert run.finished and run.steps == 3
    first, second = (m["content"] for m in run.messages if m["role"] == "tool")
    assert first.startswith("Error: the arguments do not fit get_weather: city: Input should be a valid string")
    assert second == "Error: there is no tool named 'get_wether' (tools: get_weather)"
    sent = server.requests[0].json()
    assert sent["tools"] == [function_tool(get_weather).definition("chat")]
    assert server.requests[2].json()["messages"][-1] == {"role": "tool", "tool_call_id": "call_1", "content": second}
    server.script(_tool_call_answer("get_weather", "{}"))
    with (
        OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as client,
        pytest.raises(ToolError, match="arguments do not fit get_weather: city: Field required"),
    ):
        client.run_tools(
            "createChatCompletion", model="gpt-4o", messages=USER, tools=[get_weather], raise_tool_errors=True
        )


def test_run_tools_refuses_what_it_cannot_do_before_sending(server) -> None:
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as client:
        run = client.run_tools
        with pytest.raises(ParameterError, match="max_steps must be a whole number >= 1"):
            run("createChatCompletion", model="gpt-4o", messages=USER, tools=[get_weather], max_steps=0)
        with pytest.raises(ParameterError, match="leave stream= out"):
            run("createChatCompletion", model="gpt-4o", messages=USER, tools=[get_weather], stream=True)
        with pytest.raises(ParameterError, match="needs tools="):
            run("createChatCompletion", model="gpt-4o", messages=USER, tools=[])
        with pytest.raises(ParameterError, match="not createEmbedding"):
            run("createEmbedding", model="x", input="y", tools=[get_weather])
        with pytest.raises(ParameterError, match="two tools are named 'get_weather'"):
            run("createChatCompletion", model="gpt-4o", messages=USER, tools=[get_weather, get_weather])
        with pytest.raises(ParameterError, match="needs messages="):
            run("createChatCompletion", model="gpt-4o", tools=[get_weather])
    assert server.requests == []


def test_functions_in_tools_work_in_a_plain_call_too(mock_url) -> None:
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=mock_url) as client:
        answer = client.create_chat_completion(model="gpt-4o", messages=USER, tools=[get_weather, get_time])
        call = answer.json()["choices"][0]["message"]["tool_calls"][0]
        assert call["function"]["name"] == "get_weather" and json.loads(call["function"]["arguments"])["city"]
        response = client.create_response(model="gpt-4.1", input="Time?", tools=[function_tool(get_time)])
        assert response.json()["output"][0]["name"] == "get_time"
