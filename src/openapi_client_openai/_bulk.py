"""Bulk runs: a file of Batch API requests sent from this machine, exactly once, resumable.

``run(input, output)`` reads requests in the Batch API's input format (``custom_id``, ``method``,
``url``, ``body``) and appends one line per request to ``output`` in the Batch API's output
format.  The input is read once at the start: its ids go into a temporary SQLite table on disk
(to find duplicates, and to know what an earlier run finished), and the run then sends exactly
the lines read then - lines appended later wait for the next run - so memory stays the same
whether the input has ten thousand lines or ten million.  Each answer is appended with one
``write`` as soon as it arrives, so a run killed at any moment (SIGKILL included) leaves complete
lines and at most one torn last line, which the next run cuts off before resuming with only the
ids not yet written.  The output file itself (whatever name or symlink leads to it) is locked
for the whole run, so a second run on it is refused instead of sending everything twice.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import IO, Any

from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    MissingAPIKeyError,
    OpenAPIClientError,
    RequestValidationError,
)

__all__ = ["MAX_IN_FLIGHT", "BulkAuthError", "BulkError", "Summary", "run", "run_async", "submit"]

# A client keeps 100 connections per server (the lean stack's idle pool; httpx's pool, with a
# proxy).  More requests in flight would open and close a connection each on the lean stack, and
# queue on httpx, whose pool slows down with every waiter (1,500 requests: 2.8 s at 16 workers,
# more than 45 s at 1,000): the requests in flight are capped at the pool's size.
MAX_IN_FLIGHT = 100


class BulkError(OpenAPIClientError, ValueError):
    """The input of a bulk run is not usable (a line that is not a request, a duplicate id), or
    its output is in use by another run."""


class BulkAuthError(BulkError):
    """The run stopped because there is no API key, or because the server refused it.

    ``status_code`` is the server's answer (401 or 403), or None when no key was set.  Nothing
    is written for the refused request or for the requests not yet sent, so the same command
    with a good key carries on from there.  ``summary`` tells what the run did before it stopped.
    """

    def __init__(self, message: str, status_code: int | None, summary: Summary) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.summary = summary


class Summary:
    """What a bulk run did: requests sent now, already done before, failed, and left for later.

    ``pending`` counts the requests that are not in the output and that the next run sends:
    failures worth another try (connection errors, 408/409/429/5xx after the client's retries)
    and, after ``stopped``, those not sent.  ``failures`` maps the cause of each such failure
    (``"connection refused at http://host/v1"``, ``"HTTP 503"``) to its number of requests.
    """

    __slots__ = ("done", "errors", "failures", "pending", "seconds", "skipped", "stopped", "total")

    def __init__(self) -> None:
        self.total = self.done = self.skipped = self.errors = self.pending = 0
        self.seconds = 0.0
        self.failures: dict[str, int] = {}
        self.stopped: str | None = None

    def __repr__(self) -> str:
        return (
            f"Summary(total={self.total}, sent={self.done}, already_done={self.skipped}, errors={self.errors}, "
            f"pending={self.pending}, seconds={self.seconds:.1f}, failures={self.failures!r})"
        )


class _Ids:
    """Request ids on disk (SQLite, stdlib): memory does not grow with the input."""

    def __init__(self) -> None:
        import sqlite3

        # "": SQLite's own temporary database, on disk and removed when closed or killed.
        self.db = sqlite3.connect("")
        for pragma in ("synchronous=OFF", "cache_size=-4000", "temp_store=FILE"):  # journal kept: rollback
            self.db.execute(f"PRAGMA {pragma}")
        self.db.execute("CREATE TABLE input (id TEXT PRIMARY KEY) WITHOUT ROWID")
        self.db.execute("CREATE TABLE done (id TEXT PRIMARY KEY) WITHOUT ROWID")

    def add_input(self, ids: list[str], path: str) -> None:
        import sqlite3

        try:
            self.db.executemany("INSERT INTO input VALUES (?)", ((i,) for i in ids))
            self.db.commit()
        except sqlite3.IntegrityError:
            self.db.rollback()  # this batch only: the earlier ones are committed
            raise BulkError(f"{path}: the custom_id {self._duplicate(ids)!r} appears more than once") from None

    def _duplicate(self, ids: list[str]) -> str:
        seen: set[str] = set()
        for custom_id in ids:
            known = self.db.execute("SELECT 1 FROM input WHERE id = ?", (custom_id,)).fetchone()
            if custom_id in seen or known is not None:
                return custom_id
            seen.add(custom_id)
        return "?"

    def add_done(self, ids: list[str]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO done VALUES (?)", ((i,) for i in ids))

    def is_done(self, custom_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM done WHERE id = ?", (custom_id,)).fetchone() is not None

    def done_before(self) -> int:
        """How many of the input's requests an earlier run answered."""
        return self.db.execute("SELECT COUNT(*) FROM input JOIN done USING (id)").fetchone()[0]

    def close(self) -> None:
        self.db.close()


class _Input:
    """The input file, held open from the check to the end of the run, and read only up to
    where the check stopped: lines appended meanwhile belong to the next run, and a file
    replaced by rename goes on being read as it was."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self.file: IO[bytes] = open(path, "rb")  # noqa: SIM115 - held for the run, closed by close()
        except OSError as exc:
            raise BulkError(f"cannot read the input {path}: {exc.strerror}") from None
        self.end: int | None = None

    def lines(self):
        """Yield (line number, line) for each non-blank line, up to the end found by ``check``."""
        f, end = self.file, self.end
        f.seek(0)
        offset = number = 0
        while end is None or offset < end:
            line = f.readline() if end is None else f.readline(end - offset)
            if not line:
                break
            offset += len(line)
            number += 1
            if line.strip():
                yield number, line
        if self.end is None:
            self.end = offset

    def check(self, ids: _Ids) -> int:
        """Fail before anything is sent if a line is not a request or an id repeats; return the count."""
        self.end = None
        count = 0
        batch: list[str] = []
        for number, line in self.lines():
            try:
                request = json.loads(line)
            except ValueError:
                raise BulkError(f"{self.path}:{number}: not JSON") from None
            if (
                not isinstance(request, dict)
                or not isinstance(request.get("custom_id"), str)
                or not request["custom_id"]
            ):
                raise BulkError(f"{self.path}:{number}: every line needs a non-empty string custom_id")
            if not isinstance(request.get("url"), str):
                raise BulkError(f"{self.path}:{number}: missing url (e.g. /v1/chat/completions)")
            batch.append(request["custom_id"])
            count += 1
            if len(batch) >= 500:
                ids.add_input(batch, self.path)
                batch = []
        if batch:
            ids.add_input(batch, self.path)
        return count

    def close(self) -> None:
        self.file.close()


class _Output:
    """The output, opened for appending and locked (the file itself, so that a symlink or
    another name for it meets the same lock) until closed."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self.fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise BulkError(f"cannot write the output {path}: {exc.strerror}") from None
        try:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # no fcntl (Windows): no lock
            pass
        except OSError:
            os.close(self.fd)
            real = os.path.realpath(path)
            also = f" ({real})" if real != os.path.abspath(path) else ""
            raise BulkError(f"another run is writing {path}{also}: wait for it to end, or use another output") from None

    def read_done(self, ids: _Ids) -> None:
        """Record the ids already written; a torn last line is cut off first."""
        good = 0
        batch: list[str] = []
        with open(os.dup(self.fd), "rb") as f:
            f.seek(0)
            for line in f:
                if not line.endswith(b"\n"):
                    break
                try:
                    record = json.loads(line)
                except ValueError:
                    break
                batch.append(str(record.get("custom_id")))
                good += len(line)
                if len(batch) >= 500:
                    ids.add_done(batch)
                    batch = []
        ids.add_done(batch)
        if good != os.fstat(self.fd).st_size:
            os.ftruncate(self.fd, good)  # a line torn by a kill: only whole lines stay

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)  # one write per whole line: a kill tears at most the last

    def close(self) -> None:
        os.close(self.fd)


class _Pacer:
    """Keeps under --max-rpm/--max-tpm and follows the server's x-ratelimit-* headers."""

    def __init__(self, max_rpm: float | None, max_tpm: float | None) -> None:
        self.max_rpm, self.max_tpm = max_rpm, max_tpm
        self.next_at = 0.0
        self.pause_until = 0.0

    async def wait(self, tokens: int) -> None:
        now = time.monotonic()
        gap = 0.0
        if self.max_rpm:
            gap = max(gap, 60.0 / self.max_rpm)
        if self.max_tpm:
            gap = max(gap, 60.0 * tokens / self.max_tpm)
        start = max(now, self.next_at, self.pause_until)
        self.next_at = start + gap
        while start > time.monotonic():
            await asyncio.sleep(start - time.monotonic())
            start = max(start, self.pause_until)  # a 429 seen meanwhile pushes every worker back

    def back_off(self, seconds: float | None) -> None:
        """A 429 told everyone to wait (Retry-After), not just the request that got it."""
        self.pause_until = max(self.pause_until, time.monotonic() + min(seconds or 1.0, 60.0))

    def observe(self, limits: Any) -> None:
        # Nothing left in the window: wait for it to reset before sending more.
        for remaining, reset in (
            (limits.remaining_requests, limits.reset_requests),
            (limits.remaining_tokens, limits.reset_tokens),
        ):
            if remaining == 0 and reset:
                self.pause_until = max(self.pause_until, time.monotonic() + min(reset, 60.0))


def _record(request: dict, response: dict | None = None, error: dict | None = None) -> dict:
    return {
        "id": "batch_req_" + os.urandom(12).hex(),
        "custom_id": request["custom_id"],
        "response": response,
        "error": error,
    }


_RETRY_LATER = frozenset({408, 409, 429}) | frozenset(range(500, 600))


class _Refused(Exception):
    """No key, or the server refused it: every other request would fail the same way."""

    def __init__(self, message: str, status_code: int | None) -> None:
        super().__init__(message)
        self.status_code = status_code


def _connection_cause(exc: APIConnectionError, base_url: str) -> str:
    """Name why a connection failed, from the OS error under the client's (the client's message
    says "Connection error" whatever happened)."""
    import socket

    if isinstance(exc, APITimeoutError):
        return f"no answer in time from {base_url}"
    seen: set[int] = set()
    inner: BaseException = exc
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return f"connection refused at {base_url}"
        if isinstance(cause, ConnectionResetError):
            return f"connection reset by {base_url}"
        if isinstance(cause, socket.gaierror):
            return f"host not found: {base_url}"
        if isinstance(cause, TimeoutError):
            return f"no answer in time from {base_url}"
        inner = cause
        cause = cause.__cause__ or cause.__context__
    text = str(exc).lower()
    if "refused" in text:
        return f"connection refused at {base_url}"
    # The innermost error names what happened without the request's URL, so that failures
    # of one kind count together whatever endpoint they hit.
    detail = " ".join(str(inner).split())[:200] or type(inner).__name__
    return f"connection failed at {base_url}: {detail}"


def _tokens(body: Any) -> int:
    text = json.dumps(body) if body is not None else ""
    limit = body.get("max_completion_tokens") or body.get("max_tokens") or 0 if isinstance(body, dict) else 0
    return len(text) // 4 + int(limit or 0)


def _route(client: Any, method: str, path: str, routes: dict) -> Any:
    # The spec's router tries each operation in turn (~50 us); a bulk input names a handful of
    # URLs, so remember them - a bounded number, for inputs with an id in every URL.
    key = (method, path)
    found = routes.get(key, routes)
    if found is routes:
        if len(routes) >= 4096:
            routes.clear()
        found = routes[key] = client.spec.route(method, path)
    return found


async def _one(client: Any, request: dict, pacer: _Pacer, routes: dict) -> tuple[dict, str | None, bool]:
    """Send one request; return its output record, the cause if it is worth another try (then
    it is not written), and whether the server answered.  Raises ``_Refused`` for the key."""
    method = str(request.get("method", "POST")).upper()
    url, _, query_text = request["url"].partition("?")
    path = url[3:] if url.startswith("/v1/") else url
    if isinstance(request.get("body"), dict) and request["body"].get("stream") is True:
        error = {"code": "stream_not_supported", "message": 'bulk requests cannot stream: remove "stream"'}
        return _record(request, error=error), None, False
    found = _route(client, method, path, routes)
    if found is None:
        error = {"code": "invalid_url", "message": f"no operation of the spec answers {method} {url}"}
        return _record(request, error=error), None, False
    op, params = found
    await pacer.wait(_tokens(request.get("body")) if pacer.max_tpm else 0)
    try:
        from urllib.parse import parse_qsl

        query = dict(parse_qsl(query_text)) or None
        result = await client.call(op.id, request.get("body"), extra_query=query, **params)
    except RequestValidationError as exc:
        error = {"message": str(exc), "type": "invalid_request_error", "param": None, "code": None}
        return _record(request, {"status_code": 400, "request_id": None, "body": {"error": error}}), None, False
    except MissingAPIKeyError:
        raise _Refused("no API key: set OPENAI_API_KEY or pass api_key= to the client", None) from None
    except APIStatusError as exc:
        if exc.status_code in (401, 403):
            what = f"{exc.status_code} {exc.code}" if exc.code else str(exc.status_code)
            raise _Refused(f"the server refused the key ({what}: {exc.message})", exc.status_code) from None
        if exc.response is not None:
            pacer.observe(exc.response.rate_limits)
            if exc.status_code == 429:
                from ._retry import parse_retry_after

                pacer.back_off(parse_retry_after(exc.response.headers))
        response = {"status_code": exc.status_code, "request_id": exc.request_id, "body": exc.body}
        later = f"HTTP {exc.status_code}" if exc.status_code in _RETRY_LATER else None
        return _record(request, response), later, True
    except APIConnectionError as exc:
        cause = _connection_cause(exc, client.base_url)
        return _record(request, error={"code": "connection_error", "message": cause}), cause, False
    pacer.observe(result.rate_limits)
    body = result.json() if result.content_type.startswith("application/json") else result.text
    response = {"status_code": result.status_code, "request_id": result.request_id, "body": body}
    return _record(request, response), None, True


class _Run:
    """The shared state of one run's workers.

    Until the server has answered one request, requests go one at a time, and the error lines
    decided here (an unknown URL, a body that does not fit the spec) are held back: a run with
    no key or a refused key then stops with the output as it was, instead of filling it with
    error lines that the next run would keep.
    """

    HELD_MAX = 1000  # held lines are real answers anyway: past this many, write them

    def __init__(self, client: Any, out: _Output, summary: Summary, pacer: _Pacer, bar: _Bar, workers: int) -> None:
        self.client, self.out, self.summary, self.pacer, self.bar = client, out, summary, pacer, bar
        self.answered = asyncio.Event()
        self.one_at_a_time = asyncio.Lock()
        self.held: list[dict] = []
        self.refused: _Refused | None = None
        # A dead server fails every request quickly: stop after this many in a row instead of
        # trying (and retrying) each of millions of lines.
        self.max_failures_in_a_row = max(20, 2 * workers)
        self.failures_in_a_row = 0
        self.routes: dict = {}

    @property
    def stopping(self) -> bool:
        return self.refused is not None or self.summary.stopped is not None

    async def worker(self, lines: Any, ids: _Ids) -> None:
        for _, line in lines:  # one shared iterator: each line goes to one worker
            if self.stopping:
                return
            request = json.loads(line)
            if ids.is_done(request["custom_id"]):
                continue  # counted in summary.skipped at the start
            if not self.answered.is_set():
                async with self.one_at_a_time:
                    if self.stopping:
                        return
                    if not self.answered.is_set():
                        await self.send(request, probing=True)
                        continue
            await self.send(request, probing=False)

    async def send(self, request: dict, probing: bool) -> None:
        try:
            record, later, answered = await _one(self.client, request, self.pacer, self.routes)
        except _Refused as exc:
            self.refused = self.refused or exc
            self.answered.set()  # wakes the workers waiting their turn, which then stop
            return
        except Exception as exc:  # one odd request never stops a run
            error = {"code": "request_failed", "message": f"{type(exc).__name__}: {exc}"}
            record, later, answered = _record(request, error=error), None, False
        if later is not None:
            self.summary.failures[later] = self.summary.failures.get(later, 0) + 1
            if record["error"] is not None:  # a connection failure, not an answer
                self.failures_in_a_row += 1
                if self.failures_in_a_row >= self.max_failures_in_a_row and self.summary.stopped is None:
                    self.summary.stopped = f"stopped after {self.failures_in_a_row} connection failures in a row"
            self.answered.set()  # the key cannot be judged without an answer: go on, in parallel
            self.flush()
            return
        if answered:
            self.failures_in_a_row = 0
            self.answered.set()
            self.flush()
        if probing and not answered:
            self.held.append(record)
            if len(self.held) >= self.HELD_MAX:
                self.flush()
            return
        self.write(record)

    def flush(self) -> None:
        held, self.held = self.held, []
        for record in held:
            self.write(record)

    def write(self, record: dict) -> None:
        self.out.write(json.dumps(record, separators=(",", ":")).encode() + b"\n")
        self.summary.done += 1
        if record["error"] is not None or (record["response"] or {}).get("status_code", 200) >= 400:
            self.summary.errors += 1
        self.bar.update()


def _workers(concurrency: int) -> int:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise BulkError(f"concurrency must be a whole number of requests in flight, 1 or more, not {concurrency!r}")
    return min(concurrency, MAX_IN_FLIGHT)


async def run_async(
    input_path: str,
    output_path: str,
    client: Any = None,
    concurrency: int = 16,
    max_rpm: float | None = None,
    max_tpm: float | None = None,
    progress: bool | None = None,
) -> Summary:
    """The asyncio form of ``run``: the same arguments, result and errors."""
    from ._client import AsyncOpenAIClient

    workers = _workers(concurrency)
    summary = Summary()
    ids = _Ids()
    source: _Input | None = None
    out: _Output | None = None
    try:
        source = _Input(input_path)
        out = _Output(output_path)
        summary.total = source.check(ids)
        out.read_done(ids)
        summary.skipped = ids.done_before()
    except BaseException:
        for held in (source, out, ids):
            if held is not None:
                held.close()
        raise
    own = client is None
    client = client if client is not None else AsyncOpenAIClient()
    started = time.monotonic()
    bar = _Bar(summary, progress)
    state = _Run(client, out, summary, _Pacer(max_rpm, max_tpm), bar, workers)
    lines = source.lines()
    tasks = [asyncio.ensure_future(state.worker(lines, ids)) for _ in range(workers)]
    try:
        await asyncio.gather(*tasks)
        if state.refused is None:
            state.flush()  # an input of error lines only: no answer ever came to release them
    finally:
        for task in tasks:  # stop every worker before the output and the ids go
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        out.close()
        source.close()
        ids.close()
        bar.close()
        if own:
            await client.aclose()
    summary.seconds = time.monotonic() - started
    summary.pending = summary.total - summary.done - summary.skipped
    if state.refused is not None:
        raise BulkAuthError(
            f"{state.refused}; the run stopped and wrote no line for the requests it could not send",
            state.refused.status_code,
            summary,
        )
    return summary


def run(
    input_path: str,
    output_path: str,
    client: Any = None,
    concurrency: int = 16,
    max_rpm: float | None = None,
    max_tpm: float | None = None,
    progress: bool | None = None,
) -> Summary:
    """Send every request of ``input_path`` (Batch API input format) and append each answer to
    ``output_path`` (Batch API output format), exactly once across interrupted runs.

    ``client`` is an ``AsyncOpenAIClient`` (default: one from the environment).  ``concurrency``
    is the number of requests in flight, at most ``MAX_IN_FLIGHT`` (100, the connections a client
    keeps to a server): a larger number sends at that rate, since more would only wait.
    Returns a ``Summary``; requests that failed in a way worth another try are left out of the
    output (``summary.pending``, with their causes in ``summary.failures``) for the next run.
    Input that is not usable, or an output another run holds, raises ``BulkError`` before
    anything is sent; no API key, or a key the server refuses (401/403), stops the run with
    ``BulkAuthError`` and no error lines written for it.
    """
    return asyncio.run(run_async(input_path, output_path, client, concurrency, max_rpm, max_tpm, progress))


class _Bar:
    """Progress of a bulk run on a terminal: done, rate, errors, ETA."""

    def __init__(self, summary: Summary, enabled: bool | None) -> None:
        from ._progress import Bar

        self.summary = summary
        self.started = time.monotonic()
        self.bar = Bar("bulk run", summary.total, enabled, stats=True)

    def update(self) -> None:
        s = self.summary
        rate = s.done / max(time.monotonic() - self.started, 1e-6)
        self.bar.update(completed=s.done + s.skipped, rate=rate, errors=s.errors)

    def close(self) -> None:
        self.bar.close()


# -- the Batch API path ------------------------------------------------------------------

BATCH_MAX_REQUESTS = 50_000
BATCH_MAX_BYTES = 190 * 1024 * 1024  # the API's limit is 200 MB a file: keep a margin
_FINAL = {"completed", "failed", "expired", "cancelled"}


def _chunks(source: _Input, max_requests: int, max_bytes: int, ids: _Ids):
    """Split the requests not yet answered into pieces the Batch API accepts - one endpoint each,
    within its limits - as (key, bytes of JSONL, endpoint).  The key is the piece's content hash,
    so a rerun finds the batch it already made for the same piece.  One pass per endpoint."""
    import hashlib

    endpoints: list[str] = []
    for _, line in source.lines():
        url = json.loads(line)["url"].split("?", 1)[0]
        if url not in endpoints:
            endpoints.append(url)
    for endpoint in endpoints:
        piece: list[bytes] = []
        size = 0
        for _, line in source.lines():
            request = json.loads(line)
            if request["url"].split("?", 1)[0] != endpoint or ids.is_done(request["custom_id"]):
                continue
            line = line if line.endswith(b"\n") else line + b"\n"
            if piece and (len(piece) >= max_requests or size + len(line) > max_bytes):
                data = b"".join(piece)
                yield hashlib.sha256(data).hexdigest()[:32], data, endpoint
                piece, size = [], 0
            piece.append(line)
            size += len(line)
        if piece:
            data = b"".join(piece)
            yield hashlib.sha256(data).hexdigest()[:32], data, endpoint


def submit(
    input_path: str,
    output_path: str,
    client: Any = None,
    poll_seconds: float = 5.0,
    max_poll_seconds: float = 300.0,
    max_requests: int = BATCH_MAX_REQUESTS,
    max_bytes: int = BATCH_MAX_BYTES,
    sleep: Any = time.sleep,
) -> Summary:
    """Run the input through the Batch API: split what is not yet answered within the API's
    limits, upload the pieces, create a batch for each, poll with back-off, and append the output
    and error files' lines to ``output_path`` (the format of ``run``), each ``custom_id`` once.

    Interrupted and run again, it polls the batches recorded in ``output_path + ".batches.json"``
    (beside the output's real file) instead of submitting them again, and a finished job sends
    nothing.  A batch that ends failed, expired or cancelled gives what it answered; its other
    requests go in a new batch on the next run.  Like ``run``, it sends the input as it was when
    it started and holds the output's file locked until it ends (``BulkError`` if another run
    holds it).
    """
    from ._client import OpenAIClient

    summary = Summary()
    ids = _Ids()
    own = client is None
    # Beside the real file: a rerun through another name or a symlink finds the same batches.
    state_path = os.path.realpath(output_path) + ".batches.json"
    source: _Input | None = None
    out: _Output | None = None
    try:
        source = _Input(input_path)
        out = _Output(output_path)
        summary.total = source.check(ids)
        out.read_done(ids)
        summary.skipped = ids.done_before()
        client = client if client is not None else OpenAIClient()
        state: dict[str, Any] = {"pieces": {}}
        if os.path.exists(state_path):
            with open(state_path, encoding="utf-8") as f:
                state = json.load(f)

        def save() -> None:
            tmp = state_path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(state, f)
            os.replace(tmp, state_path)

        started = time.monotonic()
        unfinished = []
        for key, data, endpoint in _chunks(source, max_requests, max_bytes, ids):
            piece = state["pieces"].setdefault(key, {})
            if "batch_id" not in piece:
                upload = client.create_file(body={"file": ("bulk.jsonl", data), "purpose": "batch"}).json()
                batch = client.create_batch(
                    body={"input_file_id": upload["id"], "endpoint": endpoint, "completion_window": "24h"}
                ).json()
                piece["batch_id"] = batch["id"]
                save()  # from here on a rerun polls this batch instead of submitting again
            batch = _poll(client, piece["batch_id"], poll_seconds, max_poll_seconds, sleep)
            for name in ("output_file_id", "error_file_id"):
                if batch.get(name):
                    _merge(client.download_file(file_id=batch[name]).content, out, ids, summary)
            if batch["status"] != "completed":
                unfinished.append(f"{batch['id']} {batch['status']}")
            del state["pieces"][key]  # answered or given up: the next run starts what is left
            save()
        if os.path.exists(state_path) and not state["pieces"]:
            os.unlink(state_path)  # while the lock is held: a run starting now makes its own
    finally:
        for held in (source, out, ids):
            if held is not None:
                held.close()
        if own and client is not None:
            client.close()
    summary.seconds = time.monotonic() - started
    if unfinished:
        raise BulkError(
            f"{len(unfinished)} batch(es) did not complete ({', '.join(unfinished)}); what they "
            "answered is in the output: run the same command again to send the rest"
        )
    return summary


def _merge(content: bytes, out: _Output, ids: _Ids, summary: Summary) -> None:
    """Append a batch result file's lines, each custom_id once, whole lines only."""
    for line in content.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        custom_id = str(record.get("custom_id"))
        if ids.is_done(custom_id):
            continue
        out.write(line + b"\n")
        ids.add_done([custom_id])
        summary.done += 1
        status = (record.get("response") or {}).get("status_code", 200)
        if record.get("error") is not None or status >= 400:
            summary.errors += 1


def _poll(client: Any, batch_id: str, first: float, longest: float, sleep: Any) -> dict:
    """Wait for a batch to end, looking again after 5 s, 10 s, 20 s... up to ``longest`` apart."""
    wait = first
    while True:
        batch = client.retrieve_batch(batch_id=batch_id).json()
        if batch.get("status") in _FINAL:
            return batch
        sleep(wait)
        wait = min(wait * 2, longest)
