"""The command line: ``openapi-client-openai call|list|docs|bulk|mock|realtime|spec|stubs|webhooks|conform``.

``main(argv, env, stdout, stderr)`` returns an exit status and never lets a user error
escape as a traceback: 0 success, 1 a failure talking to the API or loading the spec,
2 a usage error or a request that does not fit the spec, 4 an HTTP 4xx answer, 5 an HTTP
5xx answer.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

__all__ = ["cli_words", "main", "run"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_4XX, EXIT_5XX = 0, 1, 2, 4, 5

_EPILOG = """request items (call):
  key=value      a body field with a text value           model=gpt-4o-mini
  key:=json      a body field with a JSON value           messages:='[{"role":"user","content":"Hi"}]'
  field@file     a file to upload (multipart operations)  file@speech.mp3
  key==value     a query parameter                        limit==10
  Header:value   a request header                         OpenAI-Beta:assistants=v2
  Items naming a path, query or header parameter of the operation go there.

environment: OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID, OPENAI_WEBHOOK_SECRET,
  OPENAPI_CLIENT_OPENAI_SPEC (spec path or URL), OPENAPI_CLIENT_OPENAI_CACHE_DIR
exit status: 0 ok, 1 error, 2 usage error or a request that does not fit the spec,
  4 HTTP 4xx answer, 5 HTTP 5xx answer"""


# The distribution that installs a module the command line imports late (all come with rich).
_DISTRIBUTIONS = {"markdown_it": "markdown-it-py", "pygments": "Pygments", "rich": "rich"}


class _UsageError(Exception):
    """A mistake in the command line, reported as one line with exit status 2."""


class _Exit(Exception):
    """argparse finished the run (``--help``, ``--version``) with this status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse that reports instead of exiting, and prints help to the run's own stdout."""

    out: TextIO | None = None

    def error(self, message: str) -> Any:  # argparse would print and exit; we report instead
        raise _UsageError(f"{message} (see {self.prog} --help)")

    def exit(self, status: int = 0, message: str | None = None) -> Any:
        if message:
            self._print_message(message)
        raise _Exit(status)

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            (self.out or sys.stdout).write(message)


def _option(name: str, suppress: bool) -> argparse.ArgumentParser:
    # The options --spec and --base-url work before or after the command; after it, only when
    # given (SUPPRESS), so that the subcommand's defaults never overwrite what came before it.
    default = argparse.SUPPRESS if suppress else None
    holder = argparse.ArgumentParser(add_help=False)
    if name == "spec":
        holder.add_argument(
            "--spec",
            default=default,
            help="spec path or URL (default: $OPENAPI_CLIENT_OPENAI_SPEC, else the downloaded or packaged spec)",
        )
    else:
        holder.add_argument(
            "--base-url", default=default, help="API base URL (default: $OPENAI_BASE_URL or https://api.openai.com/v1)"
        )
    return holder


def _seconds(text: str) -> float:
    """An argparse type: a positive number (of seconds, requests or tokens)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def _pause(text: str) -> float:
    """An argparse type: milliseconds to wait, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


# The commands each option before the command has an effect on.
_GLOBAL_USERS = {
    "spec": ("call", "list", "docs", "bulk", "mock", "spec info", "stubs", "realtime", "webhooks listen", "conform"),
    "base_url": ("call", "bulk", "realtime"),
}
_KEY_HELP = "the API key (default: $OPENAI_API_KEY, which keeps it out of `ps`)"


def _parser(out: TextIO | None = None) -> argparse.ArgumentParser:
    spec, base_url = _option("spec", suppress=True), _option("base-url", suppress=True)
    parser = _Parser(
        prog="openapi-client-openai",
        description="Call the OpenAI API, driven by OpenAI's OpenAPI spec.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_option("spec", suppress=False), _option("base-url", suppress=False)],
    )
    from .._version import __version__

    parser.add_argument("--version", action="version", version=f"openapi-client-openai {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    call = sub.add_parser(
        "call",
        parents=[spec, base_url],
        help="call an operation and print its answer",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    call.add_argument("operation", help="operationId or snake_case name, e.g. createChatCompletion")
    call.add_argument("items", nargs="*", help="request items (see below)")
    call.add_argument("--body", help="the whole request body as JSON, or @FILE to read it, or @- for stdin")
    call.add_argument("--output", "-o", help="write the answer's body to this file (binary answers)")
    call.add_argument(
        "--events", action="store_true", help="for a stream, print the raw events instead of the text as it arrives"
    )
    call.add_argument("--timeout", type=_seconds, help="seconds to wait for the answer")
    call.add_argument("--max-retries", type=int, default=2, help="retries on 408/409/429/5xx and connection errors")
    call.add_argument(
        "--validate",
        choices=("error", "warn", "off"),
        default="error",
        help="check the request against the spec first: refuse (error, the default), warn, or off",
    )
    call.add_argument("--api-key", help=_KEY_HELP)
    call.add_argument(
        "--admin-key", help="the admin key for organization endpoints (default: $OPENAI_ADMIN_KEY, kept out of `ps`)"
    )
    call.add_argument(
        "--provider", help="an OpenAI-compatible provider (groq, deepseek, ...: see `spec providers`): its URL and key"
    )
    call.add_argument(
        "--azure-endpoint",
        metavar="URL",
        help="call Azure OpenAI at this endpoint ('env': $AZURE_OPENAI_ENDPOINT); --api-key is sent as api-key",
    )
    call.add_argument("--api-version", help="Azure's api-version (default: $OPENAI_API_VERSION, else the v1 API)")
    call.add_argument("--azure-deployment", metavar="NAME", help="the Azure deployment (default: the body's model)")
    call.add_argument("--proxy", help="send through this proxy (http://[user:password@]host:port)")
    call.add_argument(
        "--verify",
        metavar="CA",
        help="trust this CA bundle (file or directory), 'system' for the system's trust store, or 'off'",
    )
    call.add_argument("--cert", metavar="PEM", nargs="+", help="client certificate: a PEM file, or CERTFILE KEYFILE")

    lst = sub.add_parser("list", parents=[spec], help="list operations (method, path, summary)")
    lst.add_argument(
        "words",
        nargs="*",
        metavar="WORD",
        help="show only operations whose id, path or summary hold every WORD (as a word: files finds file)",
    )

    docs = sub.add_parser("docs", parents=[spec], help="show an operation's documentation, or search them")
    docs.add_argument("operation", nargs="?", help="operationId or snake_case name")
    docs.add_argument("--search", nargs="+", metavar="WORD", help="find operations by id, path and description")
    docs.add_argument("--example", action="store_true", help="print only the operation's runnable Python example")
    docs.add_argument("--html", metavar="DIR", help="write a static HTML site (index, search, a page per operation)")
    docs.add_argument("--realtime", action="store_true", help="list the Realtime API's events with their fields")

    bulk = sub.add_parser("bulk", help="send a file of requests (Batch API format), exactly once, resumable")
    bulk_sub = bulk.add_subparsers(dest="bulk_command", parser_class=_Parser, metavar="BULK_COMMAND")
    bulk_run = bulk_sub.add_parser("run", parents=[spec, base_url], help="send the requests from this machine")
    bulk_run.add_argument("input", help="requests, one JSON object a line: custom_id, method, url, body")
    bulk_run.add_argument("--output", "-o", required=True, help="answers, one a line (Batch API output format)")
    bulk_run.add_argument(
        "--concurrency",
        type=int,
        default=16,
        help="requests in flight (default 16; at most 100, the connections a client keeps: more would only wait)",
    )
    bulk_run.add_argument("--max-rpm", type=_seconds, help="at most this many requests a minute")
    bulk_run.add_argument("--max-tpm", type=_seconds, help="at most about this many tokens a minute")
    bulk_run.add_argument("--api-key", help=_KEY_HELP)
    bulk_submit = bulk_sub.add_parser(
        "submit", parents=[spec, base_url], help="send the requests through the Batch API"
    )
    bulk_submit.add_argument("input", help="requests, one JSON object a line: custom_id, method, url, body")
    bulk_submit.add_argument("--output", "-o", required=True, help="answers, one a line (Batch API output format)")
    bulk_submit.add_argument("--poll-seconds", type=_seconds, default=5.0, help="first wait between looks (doubles)")
    bulk_submit.add_argument("--api-key", help=_KEY_HELP)

    mock = sub.add_parser("mock", parents=[spec], help="serve a local mock of the API (offline tests)")
    mock.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    mock.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080; 0 picks a free one)")
    mock.add_argument("--lenient-ids", action="store_true", help="any id resolves to a made-up object, never a 404")
    mock.add_argument("--stream-delay-ms", type=_pause, default=0.0, help="pause between streamed events")
    mock.add_argument("--first-event-delay-ms", type=_pause, default=0.0, help="pause before the first event")
    mock.add_argument("--seed", type=int, help="make the answers repeatable")
    mock.add_argument(
        "--azure",
        action="store_true",
        help="serve Azure OpenAI's URLs (/openai/deployments/NAME/..., api-key and api-version checked)",
    )
    mock.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND=SHARE",
        help="inject a fault into a share of requests: 429, 500, 503, reset, cut or stall (e.g. 429=0.1); "
        "a request can ask for one with the x-mock-fault header",
    )
    mock.add_argument("--webhook-url", metavar="URL", help="send signed webhooks there as background work ends")
    mock.add_argument(
        "--webhook-secret",
        metavar="whsec_...",
        help="the secret webhooks are signed with (default: OPENAI_WEBHOOK_SECRET when --webhook-url is given)",
    )
    mock.add_argument(
        "--webhook-attempts", type=int, default=5, help="tries per webhook while the receiver fails (default 5)"
    )

    from ._webhooks import add_parser as add_webhooks

    add_webhooks(sub, spec, _Parser)

    realtime = sub.add_parser(
        "realtime", parents=[spec, base_url], help="a text session with the Realtime API (type, see the answer arrive)"
    )
    realtime.add_argument("--model", required=True, help="the realtime model, e.g. gpt-realtime")
    realtime.add_argument("--beta", action="store_true", help="speak the beta protocol (OpenAI-Beta: realtime=v1)")
    realtime.add_argument("--instructions", help="the session's instructions (system prompt)")
    realtime.add_argument("--idle-timeout", type=_seconds, help="seconds to wait for the server (default 600)")
    realtime.add_argument("--api-key", help=_KEY_HELP)

    spec_cmd = sub.add_parser("spec", help="show or update the spec in use")
    spec_sub = spec_cmd.add_subparsers(dest="spec_command", parser_class=_Parser, metavar="SPEC_COMMAND")
    spec_sub.add_parser("info", parents=[spec], help="where the spec comes from, its version and size")
    spec_sub.add_parser("providers", help="OpenAI-compatible providers (provider=NAME): base URL and key variable")
    upd = spec_sub.add_parser("update", help="download a newer spec into the user cache")
    upd.add_argument("url", nargs="?", help="where to download it from (default: OpenAI's published spec)")
    upd.add_argument("--timeout", type=_seconds, default=120.0, help="seconds to wait for the download")
    stubs = sub.add_parser("stubs", parents=[spec], help="write type stubs for the spec, for editors and type checkers")
    stubs.add_argument(
        "--output", "-o", help="the folder to write them into (default ./typings, which pyright and Pylance read)"
    )
    stubs.add_argument(
        "--into-env",
        action="store_true",
        help="install them as a partial stub package in this Python environment instead "
        "(pyright and mypy find it with no settings)",
    )
    from ._conform import add_parser as add_conform

    add_conform(sub, [spec])
    _set_output(parser, out)
    return parser


def _set_output(parser: argparse.ArgumentParser, out: TextIO | None) -> None:
    """Send the help of the parser and all its subcommands to ``out``."""
    parser.out = out  # type: ignore[attr-defined]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in set(action.choices.values()):
                _set_output(child, out)


def _check_global_options(args: argparse.Namespace) -> None:
    """An option given before a command that does not use it is an error, not silently ignored."""
    command = args.command or ""
    for sub in ("spec_command", "bulk_command", "webhooks_command"):
        if getattr(args, sub, None):
            command = f"{command} {getattr(args, sub)}"
    for name, users in _GLOBAL_USERS.items():
        if getattr(args, name, None) is not None and not command.startswith(users):
            flag = "--" + name.replace("_", "-")
            raise _UsageError(f"{flag} has no effect on {command or 'this command'}")


# Messages of the library name its Python options; the command line names its own.
_CLI_WORDS = [
    (r"\bpass api_key= to the client, or client_secret= \([^)]*\) to connect\(\)", "pass --api-key"),
    (r"pass validate='(\w+)' or validate='(\w+)' to the client", r"use --validate \1 or --validate \2"),
    (r"validate='(\w+)'", r"--validate \1"),
    (r"\(timeout= and stream_idle_timeout= take seconds, or a Timeout\)", "(--timeout takes seconds)"),
    (r"pass api_key= to the client", "pass --api-key"),
    (r"pass admin_api_key= to the client", "pass --admin-key"),
    (r"\bapi_key=", "--api-key"),
    (r"\bspec=PATH\b", "--spec PATH"),
    (r"\bbase_url\b", "--base-url"),
    (r"\bmax_retries\b", "--max-retries"),
    (r"body= is not a mapping", "--body is not a JSON object"),
    (r"a header with default_headers=", "a header item (Name:value)"),
    (r"connect with beta=True", "use --beta"),
    (r"\bidle_timeout=", "--idle-timeout"),
    (r"\b(spec|timeout|body)=", r"--\1 "),
    (r"OPENAI_WEBHOOK_SECRET or secret=; pass bytes for a raw key", "OPENAI_WEBHOOK_SECRET or --secret"),
]


def cli_words(message: str) -> str:
    """A library message as the command line says it: ``--api-key`` for ``api_key=``,
    ``--validate off`` for ``validate='off'``."""
    import re

    for pattern, replacement in _CLI_WORDS:
        message = re.sub(pattern, replacement, message)
    return message


def _client(args: argparse.Namespace, **kw: Any) -> Any:
    from .._client import OpenAIClient

    return OpenAIClient(spec=args.spec, base_url=args.base_url, api_key=args.api_key, **kw)


def _azure_client(args: argparse.Namespace, **kw: Any) -> Any:
    """``call --azure-endpoint``: an ``AzureOpenAIClient`` (key and version from the options or
    from AZURE_OPENAI_API_KEY/AZURE_OPENAI_AD_TOKEN and OPENAI_API_VERSION)."""
    from .._azure import AzureOpenAIClient

    if args.base_url:
        raise _UsageError("--base-url and --azure-endpoint name the same thing: give only --azure-endpoint")
    if kw.get("provider") or kw.get("admin_api_key"):
        raise _UsageError("--provider and --admin-key are OpenAI's: an Azure call takes --azure-endpoint")
    endpoint = None if args.azure_endpoint == "env" else args.azure_endpoint
    return AzureOpenAIClient(
        endpoint,
        spec=args.spec,
        api_key=args.api_key,
        api_version=args.api_version,
        azure_deployment=args.azure_deployment,
        **kw,
    )


def _transport_options(args: argparse.Namespace) -> dict[str, Any]:
    """``proxy=``, ``verify=`` and ``cert=`` from ``--proxy``, ``--verify`` and ``--cert``."""
    options: dict[str, Any] = {}
    if args.admin_key:
        options["admin_api_key"] = args.admin_key
    if args.provider:
        options["provider"] = args.provider
    if args.proxy:
        options["proxy"] = args.proxy
    if args.verify:
        options["verify"] = False if args.verify.lower() in ("off", "false", "no") else args.verify
    if args.cert:
        if len(args.cert) > 2:
            raise _UsageError("--cert takes a PEM file, or CERTFILE KEYFILE")
        options["cert"] = args.cert[0] if len(args.cert) == 1 else tuple(args.cert)
    return options


def _read_body(arg: str, stdin: TextIO) -> Any:
    if arg.startswith("@"):
        name = arg[1:]
        try:
            if name == "-":
                text = stdin.read()
            else:
                with open(os.path.expanduser(name), encoding="utf-8") as f:
                    text = f.read()
        except OSError as exc:
            raise _UsageError(f"--body: cannot read {name}: {exc.strerror}") from None
    else:
        text = arg
    try:
        return json.loads(text)
    except ValueError as exc:
        raise _UsageError(f"--body is not JSON: {exc}") from None


def _cmd_call(args: argparse.Namespace, stdin: TextIO, out: TextIO, tty: bool) -> int:
    from ._items import ItemError, parse_items
    from ._output import print_json

    try:
        items = parse_items(args.items)
    except ItemError as exc:
        raise _UsageError(str(exc)) from None
    body = _read_body(args.body, stdin) if args.body is not None else None
    if (args.api_version or args.azure_deployment) and not args.azure_endpoint:
        raise _UsageError("--api-version and --azure-deployment are Azure's: add --azure-endpoint URL (or 'env')")
    options = {"max_retries": args.max_retries, "validate": args.validate, **_transport_options(args)}
    client = _azure_client(args, **options) if args.azure_endpoint else _client(args, **options)
    op = client.operation(args.operation)
    if args.validate != "off":
        _check_text_items(client.spec, op, items)
    params: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    for key, value in items.fields.items():
        (params if key in op.by_kwarg else fields)[key] = value
    for key, value in items.query.items():
        params[key] = value
    query = {k: v for k, v in params.items() if k not in op.by_kwarg} or None
    params = {k: v for k, v in params.items() if k in op.by_kwarg}
    if fields:
        if body is not None and not isinstance(body, dict):
            raise _UsageError("body items (key=value) need --body to be a JSON object")
        body = {**(body or {}), **fields}
    with client:
        result = getattr(client, args.operation)(
            body, extra_headers=items.headers or None, extra_query=query, timeout=args.timeout, **params
        )
        from .._stream import Stream

        if isinstance(result, Stream):
            with result:
                return _print_stream(result, args.events, out, tty)
        if args.output:
            path = result.write_to(args.output)
            out.write(f"wrote {os.path.getsize(path)} bytes to {path}\n")
            return EXIT_OK
        from .._response import is_json_type

        if result.is_read and not result.content:
            return EXIT_OK  # an empty answer (e.g. a DELETE): nothing to print
        if is_json_type(result.content_type):
            print_json(result.json(), result.text, out, tty)
        elif result.content_type.startswith("text/"):
            out.write(result.text)
        elif tty:
            result.close()
            raise _UsageError(
                f"the answer is binary ({result.content_type or 'no content type'}): "
                "use --output FILE or redirect stdout to a file"
            )
        else:
            buffer = getattr(out, "buffer", None)
            for piece in result.iter_bytes():
                if buffer is not None:
                    buffer.write(piece)
                else:
                    out.write(piece.decode("latin-1"))
    return EXIT_OK


_KINDS = {
    "number": "a number",
    "integer": "a number",
    "boolean": "a boolean",
    "array": "an array",
    "object": "an object",
}
_SAMPLES = {"number": "0.5", "integer": "1", "boolean": "true", "array": "'[...]'", "object": "'{...}'"}


def _check_text_items(index: Any, op: Any, items: Any) -> None:
    """``temperature=0.5`` sends the text "0.5": where the spec wants a number, a boolean, an
    array or an object, say to write ``temperature:=0.5`` instead (in a form too: the
    value is text on the wire, but it is checked against the spec's type first)."""
    from .._multipart import is_file
    from .._validation import Explainer

    bodies = (index.schemas()["ops"].get(op.id) or {}).get("body") or {}
    form = any(is_file(v) for v in items.fields.values()) or "application/json" not in bodies
    schema = bodies.get("multipart/form-data" if form else "application/json")
    if schema is None:
        return
    explainer = Explainer(index.schemas()["defs"], "")
    for key in sorted(items.texts):
        prop = _property(explainer, schema, key)
        if key in op.by_kwarg or prop is None:
            continue
        kinds = explainer.types(prop) - {"null"}
        if not kinds or "string" in kinds:
            continue
        kind = sorted(kinds)[0]
        value = items.fields[key]
        try:
            fits = kind in _KINDS and not isinstance(json.loads(value), str)
        except ValueError:
            fits = False
        shown = value if fits else _SAMPLES.get(kind, value)
        raise _UsageError(f"{key} is {_KINDS.get(kind, kind)} in the spec: write {key}:={shown}")


def _property(explainer: Any, schema: Any, key: str, depth: int = 0) -> Any:
    """The schema of a body field, looking through ``allOf`` parts at any depth."""
    node = explainer.resolve(schema)
    props = node.get("properties") or {}
    if key in props:
        return props[key]
    for part in node.get("allOf") or () if depth < 8 else ():
        found = _property(explainer, part, key, depth + 1)
        if found is not None:
            return found
    return None


def _has_rich() -> bool:
    import importlib.util

    return importlib.util.find_spec("rich") is not None


def _cmd_docs(args: argparse.Namespace, out: TextIO, tty: bool) -> int:
    from .. import docs
    from ..spec import load_index
    from ._output import print_table

    given_modes = (("OPERATION", args.operation), ("--search", args.search), ("--html", args.html))
    modes = [m for m, given in (*given_modes, ("--realtime", args.realtime)) if given]
    if len(modes) > 1:
        raise _UsageError(f"docs takes one of OPERATION, --search, --html or --realtime, not {' and '.join(modes)}")
    if args.example and modes != ["OPERATION"]:
        raise _UsageError("--example shows one operation's example: docs OPERATION --example")
    index = load_index(args.spec)
    if args.html:
        try:
            pages = docs.write_site(index, args.html)
        except ImportError as exc:
            top = (exc.name or "").split(".")[0]
            wanted = _DISTRIBUTIONS.get(top, top or str(exc))
            raise _UsageError(f"the HTML site needs {wanted}: pip install 'openapi-client-openai[cli]'") from None
        out.write(f"wrote {pages} pages to {args.html} (open {os.path.join(args.html, 'index.html')})\n")
        return EXIT_OK
    if args.realtime:
        text = docs.realtime_markdown(index)
        out.write(docs.render_terminal(text) if tty and _has_rich() else text)
        return EXIT_OK
    if args.search:
        found = docs.search(index, " ".join(args.search))
        if not found:
            out.write(f"no operation matches {' '.join(args.search)!r}\n")
            return EXIT_ERROR
        print_table(found, out)
        return EXIT_OK
    if not args.operation:
        raise _UsageError("docs needs an OPERATION, or --search WORDS")
    op = index.operation(args.operation)
    text = docs.example(index, op.id) if args.example else docs.markdown(index, op.id)
    if tty and not args.example:
        try:
            out.write(docs.render_terminal(text))
            return EXIT_OK
        except ImportError:
            pass
    out.write(text)
    return EXIT_OK


def _cmd_bulk(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.bulk_command not in ("run", "submit"):
        raise _UsageError("bulk needs a command: run or submit")
    from .._bulk import BulkAuthError, run, submit
    from .._client import AsyncOpenAIClient, OpenAIClient
    from .._errors import MissingAPIKeyError

    if not os.path.isfile(args.input):
        raise _UsageError(f"no such input file: {args.input}")
    no_key = "no API key: set OPENAI_API_KEY or --api-key"
    if args.bulk_command == "submit":
        sync = OpenAIClient(spec=args.spec, base_url=args.base_url, api_key=args.api_key)
        try:
            summary = submit(args.input, args.output, sync, poll_seconds=args.poll_seconds)
        except MissingAPIKeyError:
            err.write(f"openapi-client-openai: {no_key}\n")
            return EXIT_ERROR
        out.write(
            f"{summary.done} answers, {summary.errors} errors, {summary.total} requests, "
            f"in {summary.seconds:.1f} s -> {args.output}\n"
        )
        return EXIT_OK
    if args.concurrency < 1:
        raise _UsageError(f"--concurrency must be 1 or more, not {args.concurrency}")
    client = AsyncOpenAIClient(spec=args.spec, base_url=args.base_url, api_key=args.api_key)
    try:
        summary = run(
            args.input, args.output, client, concurrency=args.concurrency, max_rpm=args.max_rpm, max_tpm=args.max_tpm
        )
    except BulkAuthError as exc:
        # The output keeps only real answers: the same command with a good key carries on.
        reason = no_key if exc.status_code is None else str(exc)
        done = f" ({exc.summary.done} answers written before it stopped)" if exc.summary.done else ""
        err.write(f"openapi-client-openai: {reason}{done}\n")
        return EXIT_ERROR if exc.status_code is None else EXIT_4XX
    out.write(
        f"{summary.done} sent, {summary.skipped} already done, {summary.errors} errors, "
        f"{summary.total} in all, in {summary.seconds:.1f} s -> {args.output}\n"
    )
    if summary.pending:
        causes = "; ".join(f"{cause} ({count})" for cause, count in summary.failures.items())
        stopped = f"{summary.stopped}; " if summary.stopped else ""
        out.write(
            f"{summary.pending} requests left for the next run ({stopped}{causes or 'not sent'}): "
            "run the same command again to send them\n"
        )
        return EXIT_ERROR
    return EXIT_OK


def _cmd_mock(args: argparse.Namespace, out: TextIO) -> int:
    try:
        import uvicorn

        from ..mock import create_app
    except ImportError as exc:
        raise _UsageError(f"the mock server needs {exc.name}: pip install 'openapi-client-openai[mock]'") from None
    faults = {}
    for item in args.fault:
        kind, _, share = item.partition("=")
        try:
            faults[kind] = float(share) if share else 1.0
        except ValueError:
            raise _UsageError(f"--fault {item!r}: the share after '=' must be a number between 0 and 1") from None
    from ..mock import quiet_injected_faults

    sock = _listen(args.host, args.port)  # first of all: a busy port fails at once, before any "serving at"
    with sock:
        quiet_injected_faults()
        app = create_app(
            args.spec,
            lenient_ids=args.lenient_ids,
            stream_delay_ms=args.stream_delay_ms,
            first_event_delay_ms=args.first_event_delay_ms,
            seed=args.seed,
            faults=faults,
            **_webhook_options(args),
            azure=args.azure,
        )
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        data = app.index.data
        where = f"http://{shown}:{port}" + ("" if args.azure else "/v1")
        kind = " in Azure mode (azure_endpoint=)" if args.azure else ""
        out.write(
            f"openapi-client-openai mock: {data['title']} {data['version']} ({len(data['ops'])} operations) at "
            f"{where}{kind} (Ctrl-C stops it)\n"
        )
        out.flush()
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        uvicorn.Server(config).run(sockets=[sock])
    return EXIT_OK


def _webhook_options(args: argparse.Namespace) -> dict[str, Any]:
    """The mock's webhook settings from its options (the secret from the environment if not given)."""
    if args.webhook_url is None:
        if args.webhook_secret is not None:
            raise _UsageError("--webhook-secret needs --webhook-url: where to send the webhooks")
        return {}
    secret = args.webhook_secret or os.environ.get("OPENAI_WEBHOOK_SECRET")
    if not secret:
        raise _UsageError("--webhook-url needs --webhook-secret whsec_... (or OPENAI_WEBHOOK_SECRET) to sign with")
    from .._signing import secret_key

    secret_key(secret)  # a malformed secret: one line saying so, before the server starts
    if not args.webhook_url.startswith(("http://", "https://")):
        raise _UsageError(f"--webhook-url must start with http:// or https://, not {args.webhook_url!r}")
    if args.webhook_attempts < 1:
        raise _UsageError("--webhook-attempts must be 1 or more")
    return {"webhook_url": args.webhook_url, "webhook_secret": secret, "webhook_attempts": args.webhook_attempts}


def _listen(host: str, port: int) -> Any:
    """A listening socket on ``host:port``, or a one-line error saying why there is none."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, OverflowError) as exc:
        raise _UsageError(f"cannot listen on {host}:{port}: {exc}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port in TIME_WAIT is free; one in use is not
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        hint = " (is a server already there? pick another --port, or 0 for a free one)" if port else ""
        raise _UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}{hint}") from None
    return sock


def _print_stream(stream: Any, raw: bool, out: TextIO, tty: bool) -> int:
    """Print a stream as it arrives: its text deltas, or (``--events``) the raw events."""
    from ._output import print_json

    if raw:
        for sse in stream.sse():
            if sse.event != "message":
                out.write(f"event: {sse.event}\n")
            out.write(f"data: {sse.data}\n\n")
            out.flush()
        return EXIT_OK
    printed = False
    for piece in stream.iter_text():
        out.write(piece)
        out.flush()
        printed = True
    if printed:
        out.write("\n")
    else:  # a stream without text (speech, images...): show what it built
        print_json(stream.final(), None, out, tty)
    return EXIT_OK


def _cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    from ..docs._search import find, one_line
    from ..spec import load_index
    from ._output import print_table

    index = load_index(args.spec)
    query = " ".join(args.words)
    rows = []
    for op_id in find(index, query, descriptions=False) if query else index.operation_ids:
        op = index.operation(op_id)
        rows.append((op.method, op.path, op_id, one_line(op.summary)))
    if not rows:
        out.write(f"no operation matches {query!r}\n")
        return EXIT_ERROR
    print_table(rows, out)
    return EXIT_OK


def _cmd_spec(args: argparse.Namespace, out: TextIO) -> int:
    from ..spec import default_spec_url, downloaded_spec_path, index_from_bytes, load_index, read_spec

    if args.spec_command == "update":
        url = args.url or default_spec_url()
        raw = read_spec(url, timeout=args.timeout)
        index = index_from_bytes(raw, url, "downloaded (spec update)")
        target = downloaded_spec_path()
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = f"{target}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            f.write(raw)
        os.replace(tmp, target)
        data = index.data
        out.write(
            f"saved {data['title']} {data['version']} (OpenAPI {data['openapi']}, "
            f"{len(data['ops'])} operations) from {url} to {target}\n"
        )
        return EXIT_OK
    if args.spec_command == "providers":
        from .._providers import providers
        from ._output import print_table

        known = providers()
        print_table([(p.name, p.base_url, p.key_variable, p.display_name) for p in known.values()], out)
        return EXIT_OK
    if args.spec_command != "info":
        raise _UsageError("spec needs a command: info, providers or update")
    index = load_index(args.spec)
    data = index.data
    rows = [
        ("spec", index.source),
        ("from", index.origin),
        ("title", data["title"]),
        ("version", data["version"]),
        ("openapi", data["openapi"]),
        ("operations", str(len(data["ops"]))),
        ("sha256", index.sha256),
        ("index cache", index.cache_file),
    ]
    from ._output import print_table

    print_table([(k + ":", v) for k, v in rows], out)
    return EXIT_OK


def _site_packages() -> str:
    """Where this Python environment installs packages (``--into-env`` writes there)."""
    import sysconfig

    return sysconfig.get_paths()["purelib"]


def _cmd_stubs(args: argparse.Namespace, out: TextIO) -> int:
    from ..spec import load_index
    from ..stubs import write_stub_package, write_typings

    if args.into_env and args.output:
        raise _UsageError("--into-env installs the stubs into this environment: leave out --output")
    index = load_index(args.spec)
    data = index.data
    what = f"{data['title']} {data['version']} ({len(data['ops'])} operations)".strip()
    if args.into_env:
        target = write_stub_package(_site_packages(), index)
        out.write(f"installed the stubs of {what} in {target}: pyright and mypy read them with no settings\n")
        return EXIT_OK
    folder = args.output or "typings"
    target = write_typings(folder, index)
    if os.path.normpath(folder) == "typings":
        out.write(f"wrote the stubs of {what} to {target} (pyright and Pylance read ./typings with no settings)\n")
    else:
        out.write(f'wrote the stubs of {what} to {target} (for pyright and Pylance: "stubPath": "{folder}")\n')
    where = f'[mypy] in mypy.ini; in pyproject.toml, [tool.mypy] mypy_path = "{folder}"'
    out.write(f"for mypy: mypy_path = {folder}   ({where})\n")
    return EXIT_OK


def _cmd_realtime(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    from ._output import is_tty
    from ._realtime import text_session

    client = _client(args, stream_idle_timeout=args.idle_timeout)
    return text_session(client, args.model, args.beta, args.instructions, stdin, out, err, is_tty(stdin))


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line with these arguments and streams; return the exit status."""
    from .._errors import APIConnectionError, APIStatusError, OpenAPIClientError, RequestValidationError

    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    if env is not None:
        os.environ.update(env)
    from ._output import is_tty

    try:
        args, extra = _parser(stdout).parse_known_args(list(sys.argv[1:] if argv is None else argv))
        _check_global_options(args)
        if extra:
            # Items may follow options (`call op --body @- model=x`); argparse leaves them over.
            if args.command != "call" or any(x.startswith("-") for x in extra):
                raise _UsageError(f"unrecognized arguments: {' '.join(extra)} (see openapi-client-openai --help)")
            args.items = [*args.items, *extra]
        if args.command == "call":
            return _cmd_call(args, stdin, stdout, is_tty(stdout))
        if args.command == "list":
            return _cmd_list(args, stdout)
        if args.command == "spec":
            return _cmd_spec(args, stdout)
        if args.command == "mock":
            return _cmd_mock(args, stdout)
        if args.command == "docs":
            return _cmd_docs(args, stdout, is_tty(stdout))
        if args.command == "bulk":
            return _cmd_bulk(args, stdout, stderr)
        if args.command == "stubs":
            return _cmd_stubs(args, stdout)
        if args.command == "realtime":
            return _cmd_realtime(args, stdin, stdout, stderr)
        if args.command == "webhooks":
            from ._webhooks import run as run_webhooks

            return run_webhooks(args, stdin, stdout, stderr, _UsageError)
        if args.command == "conform":
            from ._conform import cmd_conform

            return cmd_conform(args, stdout, stderr, is_tty(stdout))
        _parser(stdout).print_help()
        return EXIT_USAGE
    except _Exit as exc:
        return exc.status
    except _UsageError as exc:
        stderr.write(f"openapi-client-openai: {exc}\n")
        return EXIT_USAGE
    except APIStatusError as exc:
        stderr.write(f"openapi-client-openai: {exc}\n")
        if exc.body is not None and not is_tty(stderr):
            stderr.write(json.dumps(exc.body) + "\n")
        return EXIT_5XX if exc.status_code >= 500 else EXIT_4XX
    except RequestValidationError as exc:
        problems = "\n".join(f"  {p}" for p in exc.problems)
        stderr.write(
            f"openapi-client-openai: {exc.operation_id}: the request does not fit the spec, so it was not sent:\n"
            f"{problems}\n(--validate off sends it anyway; the spec can lag behind the live API)\n"
        )
        return EXIT_USAGE
    except APIConnectionError as exc:
        stderr.write(f"openapi-client-openai: {cli_words(str(exc))}\n")
        return EXIT_ERROR
    except (OpenAPIClientError, ValueError) as exc:
        stderr.write(f"openapi-client-openai: {cli_words(str(exc))}\n")
        return EXIT_ERROR
    except OSError as exc:  # e.g. --output into a folder that does not exist
        if isinstance(exc, BrokenPipeError):
            return EXIT_OK
        where = f": {exc.filename}" if exc.filename else ""
        stderr.write(f"openapi-client-openai: {exc.strerror or exc}{where}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        stderr.write("openapi-client-openai: interrupted\n")
        return 130


def run() -> None:
    """Entry point of the ``openapi-client-openai`` command."""
    sys.exit(main())
