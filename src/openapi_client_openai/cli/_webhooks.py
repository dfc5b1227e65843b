"""``openapi-client-openai webhooks listen|sign``: receive and verify webhooks, or sign a payload.

``listen`` serves plain HTTP (the standard library's server: no extra needed), takes a POST on
any path, verifies it with the client's own ``webhooks`` module and prints each verified event
on one line (JSON with ``--json``), answering 200; a webhook that does not verify gets a 400
and a line on stderr saying which check failed, and is never printed as an event.  ``sign``
prints the headers that make a file's bytes a signed delivery, for testing a receiver.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any, TextIO

__all__ = ["add_parser", "run"]


def add_parser(sub: Any, spec: Any, parser_class: Any) -> None:
    """Register ``webhooks listen`` and ``webhooks sign`` under the command line's subparsers."""
    hooks = sub.add_parser("webhooks", help="receive and verify webhooks, or sign a payload for tests")
    hooks_sub = hooks.add_subparsers(dest="webhooks_command", parser_class=parser_class, metavar="WEBHOOKS_COMMAND")
    listen = hooks_sub.add_parser(
        "listen", parents=[spec], help="receive webhooks (POST on any path), verify them and print their events"
    )
    listen.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    listen.add_argument("--port", type=int, default=9000, help="port to listen on (default 9000; 0 picks a free one)")
    listen.add_argument("--secret", help="the endpoint's signing secret, whsec_... (default: OPENAI_WEBHOOK_SECRET)")
    listen.add_argument("--json", action="store_true", help="print each event as one line of JSON")
    listen.add_argument(
        "--tolerance", type=float, default=300, help="seconds a timestamp may be off either way (default 300)"
    )
    listen.add_argument("--count", type=int, help="stop after this many verified events")
    sign = hooks_sub.add_parser("sign", help="print the headers that sign a payload (for testing a receiver)")
    sign.add_argument("file", metavar="FILE", help="the payload, sent as is ('-' reads stdin)")
    sign.add_argument("--secret", help="the signing secret, whsec_... (default: OPENAI_WEBHOOK_SECRET)")
    sign.add_argument("--id", dest="webhook_id", help="the webhook-id (default: a new one)")
    sign.add_argument("--timestamp", type=int, help="the webhook-timestamp in Unix seconds (default: now)")
    sign.add_argument("--json", action="store_true", help="print the headers as a JSON object")


def _secret(args: Any, usage: Any) -> str:
    secret = args.secret or os.environ.get("OPENAI_WEBHOOK_SECRET")
    if not secret:
        raise usage("no webhook secret: pass --secret whsec_... or set OPENAI_WEBHOOK_SECRET")
    from .._signing import secret_key

    secret_key(secret)  # malformed: a ConfigError saying so (never showing it), before anything starts
    return secret


def run(args: Any, stdin: Any, out: TextIO, err: TextIO, usage: Any) -> int:
    """Run ``webhooks listen`` or ``webhooks sign``; ``usage`` is the command line's usage error."""
    if args.webhooks_command == "sign":
        return _sign(args, stdin, out, usage)
    if args.webhooks_command == "listen":
        return _listen(args, out, err, usage)
    raise usage("webhooks needs a command: listen or sign (see openapi-client-openai webhooks --help)")


def _sign(args: Any, stdin: Any, out: TextIO, usage: Any) -> int:
    secret = _secret(args, usage)
    if args.file == "-":
        payload = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode()
    else:
        with open(args.file, "rb") as f:
            payload = f.read()
    from ..webhooks import sign

    headers = sign(payload, secret, webhook_id=args.webhook_id, timestamp=args.timestamp)
    if args.json:
        out.write(json.dumps(headers) + "\n")
    else:
        out.write("".join(f"{name}: {value}\n" for name, value in headers.items()))
    return 0


def event_line(event: dict) -> str:
    """One event for people: its type, id and data (``batch.completed evt_1 {"id": "batch_1"}``)."""
    data = json.dumps(event.get("data"), separators=(", ", ": "), ensure_ascii=False)
    return f"{event.get('type')} {event.get('id')} {data}"


def _listen(args: Any, out: TextIO, err: TextIO, usage: Any) -> int:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from .._errors import InvalidWebhookSignatureError, OpenAPIClientError, WebhookValidationError
    from .._signing import Key
    from ..spec import load_index
    from ..webhooks import check_event, unwrap

    key = Key.of(_secret(args, usage))  # sealed: the handler's locals never hold the secret itself
    if args.count is not None and args.count < 1:
        raise usage("--count must be 1 or more")
    index = load_index(args.spec)  # a spec that cannot load fails now, not at the first webhook
    lock = threading.Lock()
    done = threading.Event()
    seen = [0]

    def say(stream: TextIO, line: str) -> None:
        with lock:
            stream.write(line + "\n")
            stream.flush()

    class Receiver(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a: Any) -> None:  # each event gets its own line; no access log
            pass

        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            try:
                length = int(self.headers.get("content-length") or 0)
            except ValueError:
                length = 0
            payload = self.rfile.read(length) if length > 0 else b""
            try:
                event = unwrap(payload, self.headers.items(), key, tolerance=args.tolerance, validate="off")  # type: ignore[arg-type]
            except InvalidWebhookSignatureError as exc:
                say(err, f"refused a webhook to {self.path}: {exc}")
                self._answer(400, {"error": {"message": str(exc), "type": "invalid_signature", "code": exc.reason}})
                return
            except OpenAPIClientError as exc:  # verified, but not a JSON event: still the sender's
                say(err, f"a verified webhook to {self.path} is not an event: {exc}")
                self._answer(200, {"received": True})
                return
            try:
                check_event(event, index, "error")
            except WebhookValidationError as exc:
                say(err, f"note: {exc}")
            say(out, json.dumps(event, ensure_ascii=False) if args.json else event_line(event))
            self._answer(200, {"received": True})
            with lock:
                seen[0] += 1
                if args.count is not None and seen[0] >= args.count:
                    done.set()

        def _refuse(self) -> None:
            self._answer(405, {"error": {"message": "webhooks arrive as POST", "type": "invalid_request_error"}})

        do_GET = do_PUT = do_PATCH = do_DELETE = _refuse

    try:
        server = ThreadingHTTPServer((args.host, args.port), Receiver)
    except OSError as exc:
        hint = " (is something already there? pick another --port, or 0 for a free one)" if args.port else ""
        raise usage(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}{hint}") from None
    server.daemon_threads = True
    host, port = server.server_address[:2]
    say(err, f"openapi-client-openai webhooks: listening on http://{host}:{port}/ (POST on any path; Ctrl-C stops)")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    return 0
