"""Running the suite against a server: the HTTP exchanges, and findings turned into the report.

Requests go out with plain httpx, not the client: the client retries, raises on errors and
hides ``[DONE]``, and a conformance check must see exactly what the server sent.  Streams are
read with the project's SSE decoder, every event kept, ``[DONE]`` included.  The API key is
held in a ``Secret``: it is sent, and never written into a report, a replay or an error.
"""

from __future__ import annotations

import json
import re
import shlex
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from .._errors import OpenAPIClientError, Secret
from .._sse import SSEError
from ._report import FamilyReport, Problem, Report
from ._rules import Event, Finding
from ._suite import Answer, Case, Context, families

__all__ = ["ConformError", "run"]


class ConformError(OpenAPIClientError):
    """The run could not be made: the server cannot be reached, or the arguments are wrong."""


def run(
    base_url: str,
    *,
    model: str | Mapping[str, str] | None = None,
    only: Sequence[str] | str | None = None,
    api_key: str | None = None,
    strict: bool = False,
    spec: Any = None,
    timeout: float = 30.0,
) -> Report:
    """Check the OpenAI-compatible server at ``base_url`` (ending in ``/v1``) against the spec.

    Sends a small suite of spec-valid requests per family (``only`` picks some, as a list or a
    comma-separated text of the names in ``FAMILIES``: models, chat, completions, embeddings,
    responses, moderations, files, batches, errors), checks every answer and streamed event
    against the spec's schemas and the family's rules, and returns the ``Report``.  ``model``
    is the model of chat, completions and responses, or a mapping from family to model;
    ``api_key`` is sent as a bearer key and never reported; ``strict`` also flags undeclared
    fields and missing optional ones; ``spec`` picks the spec (default: the one the client
    uses); ``timeout`` is the seconds each answer may take.  Raises ``ConformError`` when the
    server cannot be reached at all or an argument is wrong, ``SpecError`` when the spec
    cannot be read.
    """
    secret = Secret(api_key)
    names = [n.strip() for n in only.split(",") if n.strip()] if isinstance(only, str) else list(only or [])
    models = _models(model)
    try:
        suite = families(names, models)
    except ValueError as exc:
        raise ConformError(str(exc)) from None
    from ..spec import load_index

    index = load_index(spec)
    schemas = index.schemas()
    base = base_url.rstrip("/")
    report = Report(server=base)
    started = time.monotonic()
    import httpx

    headers = {"Authorization": f"Bearer {secret.get()}"} if secret else {}
    with httpx.Client(base_url=base + "/", headers=headers, timeout=timeout) as http:
        for name, cases in suite.items():
            missing = [c.op for c in cases if c.op not in schemas["ops"]]
            if missing and len(missing) == len(cases):
                report.families[name] = FamilyReport(offered=False, note=f"the spec has no {missing[0]}")
                continue
            ctx = Context(defs=schemas["defs"], ops=schemas["ops"], strict=strict)
            fam = _family(http, index, ctx, [c for c in cases if c.op not in missing], base, secret)
            if missing and fam.offered:
                lacks = f"the spec has no {', '.join(dict.fromkeys(missing))}"
                fam.note = f"{fam.note}; {lacks}" if fam.note else lacks
            report.families[name] = fam
    report.seconds = time.monotonic() - started
    return report


def _models(model: str | Mapping[str, str] | None) -> dict[str, str]:
    if model is None:
        return {}
    if isinstance(model, str):
        # One model for the families that generate; models, embeddings and moderations keep theirs.
        return {name: model for name in ("chat", "completions", "responses", "errors", "models")}
    return dict(model)


def _family(http: Any, index: Any, ctx: Context, cases: list[Case], base: str, secret: Secret) -> FamilyReport:
    fam = FamilyReport(offered=True)
    unsent = []
    for i, case in enumerate(cases):
        if case.after is not None:
            found = case.after(ctx)
            if found is None:  # what it needs (an uploaded file's id) never came: reported there
                unsent.append(case.name)
                continue
            if case.body is not None:
                case = replace(case, body={**case.body, **found})
            else:
                case = replace(case, params={**case.params, **found})
        answer = _send(http, index, case, secret)
        if i == 0 and answer.status in (404, 405) and not _is_envelope(answer.body):
            return FamilyReport(offered=False, note=f"{index.operation(case.op).path} answered {answer.status}")
        ctx.seen[case.name] = answer
        findings = case.check(ctx, case, answer) if case.check is not None else []
        fam.sent += 1
        fam.passed += not findings
        replay = replay_command(base, index, case)
        fam.problems += [_problem(f, replay, secret) for f in _unique(findings)]
    if unsent:
        fam.note = f"not sent, for want of an earlier answer: {', '.join(unsent)}"
    return fam


_EVENT = re.compile(r"^events\[(\d+)\]")


def _unique(findings: list[Finding]) -> list[Finding]:
    """The findings without repeats: the same rule broken the same way in many events of one
    stream (a field missing from every chunk) is one finding at its first event, saying how
    many more events break it."""
    out: dict[Any, list[Any]] = {}
    for f in findings:
        key = (_EVENT.sub("events[*]", f.path), f.rule, f.expected, f.got if not _EVENT.match(f.path) else "")
        if key in out:
            out[key][1] += 1
        else:
            out[key] = [f, 0]
    return [
        f if more == 0 else Finding(f.path, f.rule, f.expected, f"{f.got} (and in {more} more event{'s' * (more > 1)})")
        for f, more in out.values()
    ]


def _problem(f: Finding, replay: str, secret: Secret) -> Problem:
    # What a server sends back may echo the key (some echo the Authorization header): redact it.
    return Problem(secret.redact(f.path), f.rule, secret.redact(f.expected), secret.redact(f.got), replay)


def _is_envelope(body: Any) -> bool:
    return isinstance(body, Mapping) and isinstance(body.get("error"), Mapping)


def replay_command(base: str, index: Any, case: Case) -> str:
    """The ``call`` command line that sends the same request (the key from $OPENAI_API_KEY)."""
    op = index.operation(case.op)
    words = ["openapi-client-openai", "--base-url", base, "call", op.id]
    words += [f"{k}={v}" for k, v in case.params.items()]
    words += [f"{k}={v}" for k, v in (case.form or {}).items()]
    prefix = ""
    if case.upload is not None:
        name, content = case.upload
        words.append(f"file@{name}")
        prefix = f"printf '%s\\n' {shlex.quote(content.decode().rstrip(chr(10)))} > {shlex.quote(name)} && "
    if case.body is not None:
        words += ["--body", json.dumps(case.body, separators=(",", ":"))]
    words += [f"{k}:{v}" for k, v in case.headers.items()]
    if case.stream:
        words.append("--events")
    if case.invalid:
        words += ["--validate", "off"]
    return prefix + " ".join(shlex.quote(w) for w in words)


def _send(http: Any, index: Any, case: Case, secret: Secret) -> Answer:
    import httpx

    op = index.operation(case.op)
    path = op.path
    for key, value in case.params.items():
        path = path.replace("{" + key + "}", value)
    sent: dict[str, Any] = {"json": case.body} if case.form is None else {"data": case.form}
    if case.upload is not None:
        sent["files"] = {"file": (case.upload[0], case.upload[1], "application/jsonl")}
    try:
        with http.stream(op.method, path.lstrip("/"), headers=case.headers or None, **sent) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            ctype = headers.get("content-type", "")
            if case.stream and response.status_code < 300 and ctype.startswith("text/event-stream"):
                return Answer(response.status_code, headers, events=_read_events(response))
            raw = response.read()
    except httpx.ConnectError as exc:  # nothing listens there: no request can be checked
        raise ConformError(secret.redact(f"{op.method} {http.base_url}{path.lstrip('/')} failed: {exc}")) from None
    except (httpx.TransportError, SSEError) as exc:
        # One answer that never came whole (a timeout, a connection cut mid-stream) is that
        # request's problem, not the end of the run.
        kind = "no answer in time" if isinstance(exc, httpx.TimeoutException) else "the answer broke off"
        return Answer(0, {}, text=secret.redact(f"{kind} ({type(exc).__name__}: {exc})"))
    text = raw.decode("utf-8", "replace")
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    events = _events_from_text(raw) if case.stream and ctype.startswith("text/event-stream") else None
    return Answer(response.status_code, headers, body, text, events, raw)


def _read_events(response: Any) -> list[Event]:
    from .._sse import SSEDecoder

    decoder = SSEDecoder()
    out: list[Event] = []
    for chunk in response.iter_raw():
        out += [_event(sse) for sse in decoder.feed(chunk)]
    out += [_event(sse) for sse in decoder.feed(b"\n\n")] if decoder.pending else []
    return out


def _events_from_text(raw: bytes) -> list[Event]:
    from .._sse import SSEDecoder

    decoder = SSEDecoder()
    return [_event(sse) for sse in decoder.feed(raw + b"\n\n")]


def _event(sse: Any) -> Event:
    text = sse.data
    try:
        data = json.loads(text) if text.strip() != "[DONE]" else None
    except ValueError:
        data = None
    return Event(sse.event or "message", text, data)
