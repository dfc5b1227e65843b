"""A local OpenAI built from the spec: ``MockServer`` for tests, ``create_app`` for ASGI servers.

    from openapi_client_openai.mock import MockServer
    with MockServer(spec="openai.yaml") as base_url:
        client = OpenAIClient(base_url=base_url, api_key="sk-test")

The server runs uvicorn in a thread on 127.0.0.1 (a free port unless one is given).  It needs
the ``mock`` extra: ``pip install 'openapi-client-openai[mock]'``.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from ._app import FAULTS, InjectedFault, MockApp, create_app

__all__ = ["FAULTS", "MockApp", "MockServer", "create_app", "quiet_injected_faults"]


class _QuietFaults(logging.Filter):
    """Drop the server's error log of a fault injected on purpose (it is not a bug)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, InjectedFault)


def quiet_injected_faults() -> None:
    """Keep uvicorn from logging the faults the mock injects on purpose as errors."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietFaults) for f in logger.filters):
        logger.addFilter(_QuietFaults())


class MockServer:
    """Runs the mock in a background thread; ``with MockServer() as base_url:`` gives its URL.

    Options are those of the ``mock`` command: ``host``, ``port`` (0: any free port),
    ``lenient_ids``, ``stream_delay_ms``, ``first_event_delay_ms``, ``seed`` and ``faults``
    (``{"429": 0.1, "reset": 0.05}``: the share of requests that get each fault).  A request
    can also ask for one with the ``x-mock-fault`` header: ``429`` (with ``Retry-After``,
    ``x-mock-retry-after`` sets it), ``500``, ``503``, ``reset``, ``cut`` (a stream ends part
    way) or ``stall`` (stops sending; ``x-mock-stall-ms`` sets for how long).  Chat completions
    and the Responses API end as asked with the ``x-mock-finish`` header: ``refusal``, ``length``
    or ``content_filter``.  Runs, vector store files and file batches, fine-tuning jobs, videos,
    eval runs and background responses are made in progress and finish as they are polled
    (``_lifecycle.LIFECYCLE_RULE``).  The Realtime API is a WebSocket at ``/v1/realtime``
    (``_realtime``), with the same faults asked for by the handshake's ``x-mock-fault`` header.
    With ``webhook_url`` and ``webhook_secret`` (``whsec_...``)
    the mock sends signed webhooks as batches, background responses, fine-tuning jobs and eval
    runs end (``_webhooks.WEBHOOK_RULE``), retried ``webhook_attempts`` times from
    ``webhook_backoff_ms``; ``/_mock/webhooks`` lists deliveries (GET) and sends any event (POST).

    ``azure=True`` serves the same operations under Azure OpenAI's URL scheme:
    ``/openai/deployments/{deployment}/chat/completions?api-version=2024-10-21`` (the deployment
    is the body's ``model``), ``/openai/files?api-version=...``, and the v1 API at
    ``/openai/v1/...``; it asks for an ``api-key`` header (or an Entra ID bearer token) and a
    dated ``api-version`` outside the v1 API.  ``base_url`` is then the endpoint.
    """

    def __init__(self, spec: Any = None, host: str = "127.0.0.1", port: int = 0, **options: Any) -> None:
        self.app = create_app(spec, **options)
        self.azure = bool(options.get("azure"))  # kept here: a test may wrap self.app in another app
        self.host = host
        self.port = port
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The API base URL, ending in ``/v1``; in Azure mode (``azure=True``) the endpoint, what
        ``azure_endpoint=`` takes (``http://127.0.0.1:PORT``)."""
        if self.azure:
            return f"http://{self.host}:{self.port}"
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> str:
        """Start serving; return the base URL once the server accepts connections."""
        import socket

        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        quiet_injected_faults()
        config = uvicorn.Config(
            self.app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=1
        )  # a stalled stream must not hold stop()
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the mock server did not start on {self.host}:{self.port}")
            time.sleep(0.005)
        return self.base_url

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
