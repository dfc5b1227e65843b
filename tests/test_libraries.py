"""The libraries people build on, unchanged, against the mock (issue 11's "done when").

The official ``openai`` SDK, ``langchain-openai`` and ``openai-agents`` are pointed at the
mock's base URL the way their documentation says; each test asserts on what the library
hands its user: parsed objects of the right types, tool calls executed with typed arguments,
final outputs, stored messages and items.
"""

from __future__ import annotations

import asyncio
import datetime
import uuid

import pytest

from openapi_client_openai.mock import MockServer

from conftest import SPEC_30, SPEC_31

pydantic = pytest.importorskip("pydantic")
openai = pytest.importorskip("openai")

pytestmark = pytest.mark.filterwarnings(
    # The SDK's streamed chunk types `parsed` as None and pydantic says so when LangChain dumps a
    # chunk holding a parsed model; the real API gives the same warning.
    "ignore:Pydantic serializer warnings:UserWarning"
)


class Meeting(pydantic.BaseModel):
    id: uuid.UUID
    day: datetime.date
    starts: datetime.time
    booked_at: datetime.datetime
    organiser: pydantic.EmailStr
    topics: list[str] = pydantic.Field(min_length=1, max_length=3)
    room: str = pydantic.Field(pattern=r"^[A-Z]-\d{3}$")
    note: str | None


def _is_meeting(value: object) -> bool:
    return (
        isinstance(value, Meeting)
        and isinstance(value.id, uuid.UUID)
        and type(value.day) is datetime.date
        and isinstance(value.starts, datetime.time)
        and isinstance(value.booked_at, datetime.datetime)
        and "@" in value.organiser
    )


@pytest.fixture(scope="module", params=[SPEC_30, SPEC_31], ids=["spec3.0", "spec3.1"])
def any_spec(request):
    with MockServer(spec=request.param, seed=17) as url:
        yield request.param, url


@pytest.fixture(scope="module")
def url():
    with MockServer(spec=SPEC_31, seed=19) as base_url:
        yield base_url


# -- the official SDK ---------------------------------------------------------------------------


def test_sdk_parse_into_models_with_uuid_date_time_email_fields(any_spec) -> None:
    _, base_url = any_spec
    sdk = openai.OpenAI(api_key="sk-test", base_url=base_url, max_retries=0)
    messages = [{"role": "user", "content": "Plan a meeting."}]
    parsed = sdk.chat.completions.parse(model="gpt-4o-mini", messages=messages, response_format=Meeting)
    assert _is_meeting(parsed.choices[0].message.parsed)
    with sdk.chat.completions.stream(model="gpt-4o-mini", messages=messages, response_format=Meeting) as stream:
        assert _is_meeting(stream.get_final_completion().choices[0].message.parsed)
    answer = sdk.responses.parse(model="gpt-4.1", input="Plan a meeting.", text_format=Meeting)
    assert _is_meeting(answer.output_parsed)
    assert answer.text.format.type == "json_schema" and answer.text.format.name == "Meeting"


def test_sdk_logprobs(url) -> None:
    sdk = openai.OpenAI(api_key="sk-test", base_url=url, max_retries=0)
    done = sdk.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Hi"}], logprobs=True, top_logprobs=2, n=2
    )
    for choice in done.choices:
        tokens = choice.logprobs.content
        assert "".join(t.token for t in tokens) == choice.message.content
        assert all(len(t.top_logprobs) == 2 and t.top_logprobs[0].token == t.token for t in tokens)
    text, logged = {}, {}
    stream = sdk.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Hi"}], logprobs=True, n=2, stream=True
    )
    for chunk in stream:
        for choice in chunk.choices:
            text[choice.index] = text.get(choice.index, "") + (choice.delta.content or "")
            if choice.logprobs and choice.logprobs.content:
                logged[choice.index] = logged.get(choice.index, "") + "".join(t.token for t in choice.logprobs.content)
    assert set(text) == {0, 1} and text == logged
    response = sdk.responses.create(
        model="gpt-4.1", input="Hi", include=["message.output_text.logprobs"], top_logprobs=1
    )
    part = response.output[0].content[0]
    assert "".join(t.token for t in part.logprobs) == part.text == response.output_text


def test_sdk_stored_messages_and_input_items(any_spec) -> None:
    _, base_url = any_spec
    sdk = openai.OpenAI(api_key="sk-test", base_url=base_url, max_retries=0)
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "One"},
        {"role": "assistant", "content": "Two"},
        {"role": "user", "content": "Three"},
    ]
    done = sdk.chat.completions.create(model="gpt-4o", messages=messages, store=True)
    stored = list(sdk.chat.completions.messages.list(done.id, limit=2))  # pages followed by the SDK
    assert [(m.role, m.content) for m in stored] == [(m["role"], m["content"]) for m in messages]
    assert [m.id for m in stored] == [f"{done.id}-{i}" for i in range(4)]
    first = sdk.responses.create(model="gpt-4.1", input="Tell me a story.")
    items = list(sdk.responses.input_items.list(first.id))
    assert len(items) == 1 and items[0].role == "user" and items[0].content[0].text == "Tell me a story."
    second = sdk.responses.create(
        model="gpt-4.1",
        previous_response_id=first.id,
        input=[{"role": "user", "content": "Shorter."}, {"role": "user", "content": "Please."}],
    )
    texts = [i.content[0].text for i in sdk.responses.input_items.list(second.id, order="asc")]
    assert texts == ["Shorter.", "Please."] and second.previous_response_id == first.id


# -- langchain-openai ------------------------------------------------------------------------------


def test_langchain_chat_tools_and_structured_output(url) -> None:
    lc = pytest.importorskip("langchain_openai")
    from langchain_core.messages import AIMessage, HumanMessage
    from langchain_core.tools import tool

    seen = []

    @tool
    def add(a: int, b: int) -> int:
        """Add two integers."""
        seen.append((a, b))
        return a + b

    llm = lc.ChatOpenAI(model="gpt-4o-mini", api_key="sk-test", base_url=url, max_retries=0)
    reply = llm.invoke("Hello")
    assert isinstance(reply, AIMessage) and reply.content and reply.usage_metadata["total_tokens"] > 0
    with_tools = llm.bind_tools([add])
    history = [HumanMessage("What is 2 + 3?")]
    asked = with_tools.invoke(history)
    (call,) = asked.tool_calls
    assert call["name"] == "add" and set(call["args"]) == {"a", "b"}
    result = add.invoke(call)  # LangChain runs the tool with the model's typed arguments
    assert seen == [(call["args"]["a"], call["args"]["b"])] and result.content == str(sum(seen[0]))
    final = with_tools.invoke([*history, asked, result])
    assert final.content and final.tool_calls == []
    structured = llm.with_structured_output(Meeting)
    assert _is_meeting(structured.invoke("Plan a meeting."))
    streamed = list(structured.stream("Plan a meeting."))
    assert streamed and _is_meeting(streamed[-1])
    with_logprobs = lc.ChatOpenAI(
        model="gpt-4o-mini", api_key="sk-test", base_url=url, max_retries=0, logprobs=True, top_logprobs=2
    )
    message = with_logprobs.invoke("Hi")
    assert "".join(t["token"] for t in message.response_metadata["logprobs"]["content"]) == message.content


def test_langchain_responses_api_multi_turn_tools_and_streamed_structured_output(url) -> None:
    lc = pytest.importorskip("langchain_openai")
    from langchain_core.messages import HumanMessage
    from langchain_core.tools import tool

    @tool
    def lookup(city: str) -> str:
        """Weather for a city."""
        return f"Sunny in {city}"

    llm = lc.ChatOpenAI(model="gpt-4.1", api_key="sk-test", base_url=url, use_responses_api=True, max_retries=0)
    first = llm.invoke("Hello")
    second = llm.invoke([HumanMessage("Hello"), first, HumanMessage("Again, please.")])  # output sent back
    assert first.text and second.text and second.response_metadata["id"] != first.response_metadata["id"]
    chained = lc.ChatOpenAI(
        model="gpt-4.1", api_key="sk-test", base_url=url, use_responses_api=True, use_previous_response_id=True
    )
    one = chained.invoke("Hello")
    two = chained.invoke([HumanMessage("Hello"), one, HumanMessage("More.")])
    sdk = openai.OpenAI(api_key="sk-test", base_url=url)
    kept = sdk.responses.retrieve(two.response_metadata["id"])
    assert two.text and kept.previous_response_id == one.response_metadata["id"]
    assert [i.content[0].text for i in sdk.responses.input_items.list(kept.id)] == ["More."]  # only the new turn
    with_tools = llm.bind_tools([lookup])
    history = [HumanMessage("Weather in Oslo?")]
    asked = with_tools.invoke(history)
    (call,) = asked.tool_calls
    result = lookup.invoke(call)
    assert call["name"] == "lookup" and result.content == f"Sunny in {call['args']['city']}"
    final = with_tools.invoke([*history, asked, result])
    assert final.text and final.tool_calls == []
    structured = llm.with_structured_output(Meeting)
    assert _is_meeting(structured.invoke("Plan a meeting."))
    streamed = list(structured.stream("Plan a meeting."))
    assert streamed and _is_meeting(streamed[-1])


# -- openai-agents ----------------------------------------------------------------------------------


@pytest.fixture
def agents(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPENAI_AGENTS_DISABLE_TRACING", "1")  # no network: no traces to export
    module = pytest.importorskip("agents")
    module.set_tracing_disabled(True)
    return module


def test_agents_run_a_function_tool_to_completion(agents, url) -> None:
    calls = []

    @agents.function_tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        calls.append(city)
        return f"Sunny in {city}"

    client = openai.AsyncOpenAI(api_key="sk-test", base_url=url, max_retries=0)
    for use_responses in (True, False):  # the Responses API and Chat Completions models
        config = agents.RunConfig(
            model_provider=agents.OpenAIProvider(openai_client=client, use_responses=use_responses)
        )
        agent = agents.Agent(name="Forecaster", instructions="Answer with the weather.", tools=[get_weather])
        result = agents.Runner.run_sync(agent, "Weather in Paris?", run_config=config)
        kinds = [type(item).__name__ for item in result.new_items]
        assert kinds == ["ToolCallItem", "ToolCallOutputItem", "MessageOutputItem"]
        assert result.new_items[1].output == f"Sunny in {calls[-1]}"
        assert isinstance(result.final_output, str) and result.final_output
    assert len(calls) == 2

    class Forecast(pydantic.BaseModel):
        city: str
        day: datetime.date

    typed = agents.Agent(name="Typed", tools=[get_weather], output_type=Forecast)
    config = agents.RunConfig(model_provider=agents.OpenAIProvider(openai_client=client))
    result = agents.Runner.run_sync(typed, "Forecast for Rome", run_config=config)
    assert isinstance(result.final_output, Forecast) and type(result.final_output.day) is datetime.date


def test_agents_session_backed_by_the_conversations_api(agents, url) -> None:
    async def main() -> tuple:
        calls = []

        @agents.function_tool
        def get_weather(city: str) -> str:
            """The weather in a city."""
            calls.append(city)
            return f"Sunny in {city}"

        client = openai.AsyncOpenAI(api_key="sk-test", base_url=url, max_retries=0)
        config = agents.RunConfig(model_provider=agents.OpenAIProvider(openai_client=client))
        agent = agents.Agent(name="Forecaster", tools=[get_weather])
        session = agents.OpenAIConversationsSession(openai_client=client)
        first = await agents.Runner.run(agent, "Weather in Rome?", session=session, run_config=config)
        second = await agents.Runner.run(agent, "And tomorrow?", session=session, run_config=config)
        items = await session.get_items()
        stored = [i async for i in client.conversations.items.list(session.session_id, order="asc")]
        popped = await session.pop_item()
        after_pop = await session.get_items()
        await session.clear_session()
        return calls, first, second, items, stored, popped, after_pop

    calls, first, second, items, stored, popped, after_pop = asyncio.run(main())
    assert len(calls) == 2 and first.final_output and second.final_output
    kinds = [(i.get("type", "message"), i.get("role")) for i in items]
    turn = [("message", "user"), ("function_call", None), ("function_call_output", None), ("message", "assistant")]
    assert kinds == turn + turn
    assert items[0]["content"][0]["text"] == "Weather in Rome?" and items[4]["content"][0]["text"] == "And tomorrow?"
    assert [i.id for i in stored] == [i["id"] for i in items]
    assert popped["id"] == items[-1]["id"] and len(after_pop) == len(items) - 1
