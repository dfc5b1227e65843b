"""Objects that work in the background: made in progress, final after being polled a few times.

The API answers a new run, vector store file, file batch, fine-tuning job, video or eval run
(and a response made with ``background: true``) before the work is done; clients poll it.  The
mock does the same (``LIFECYCLE_RULE``): the kinds, their retrieve operations and statuses come
from the spec through the client's own ``_wait.kinds``, so the mock and ``wait()`` read the spec
the same way.  Batches move by their own rules (``_batches``).
"""

from __future__ import annotations

from typing import Any

from .._wait import in_progress, kinds

__all__ = ["LIFECYCLE_RULE", "LIVES", "POLL_AFTER_MS", "Lifecycles"]

LIFECYCLE_RULE = (
    "A run, vector store file, vector store file batch, fine-tuning job, video or eval run is "
    "created in its first status in progress and, each time it is retrieved, moves on one status "
    "(through those of the spec's enum that are in progress, in the enum's order with `in_progress` "
    "last, leaving out `cancelling`) until `completed` (`succeeded` for a fine-tuning job); a response made with "
    "`background: true` is created `queued` and ends as the response it would have been. While an "
    "object is in progress its answers carry `openai-poll-after-ms`."
)
# (Created with `x-mock-outcome: failed`, a fine-tuning job, eval run or background response ends
# `failed` instead, with an `error`: see _webhooks.WEBHOOK_RULE.)
# The kinds that work in the background (by their `object` tag), and how long the mock asks
# pollers to wait (short: it is for tests).
LIVES = (
    "thread.run",
    "vector_store.file",
    "vector_store.files_batch",
    "fine_tuning.job",
    "video",
    "eval.run",
    "response",
)
POLL_AFTER_MS = 10
_SUCCESS = ("completed", "succeeded")
_OPEN_PATH = ("queued", "in_progress")  # for a kind whose spec leaves its statuses open (eval runs)


class Lifecycles:
    """The objects of one mock still in progress: id -> (statuses still to come, what to do at the end)."""

    def __init__(self, index: Any) -> None:
        found = kinds(index)
        self.paths: dict[str, tuple[list[str], str]] = {}
        self.retrieves: set[str] = set()
        for tag in LIVES:
            kind = found.get(tag)
            if kind is None:
                continue
            path = [s for s in kind.changing if not s.startswith("cancel")] if kind.states else list(_OPEN_PATH)
            path.sort(key=lambda status: status == "in_progress")  # the responses enum lists it before queued
            success = next((s for s in _SUCCESS if s in kind.states), "completed" if not kind.states else None)
            if path and success:
                self.paths[tag] = (path, success)
                self.retrieves.add(kind.op_id)
        self.pending: dict[str, tuple[list[str], Any]] = {}
        self.outcome: str | None = None  # set per request from x-mock-outcome: how what it starts ends
        self._outcomes: dict[str, str] = {}
        self.on_end: Any = None  # called with each object that reaches its final status (webhooks)

    def start(self, obj: Any, at_end: Any = None, background: bool = False) -> None:
        """Put a new object in its first status in progress; ``at_end(obj)`` runs when it ends.
        A response only with ``background`` (one made without is answered finished)."""
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
            return
        path = self.paths.get(obj.get("object"))
        if path is None or (obj.get("object") == "response" and not background):
            return
        statuses, success = path
        obj["status"] = statuses[0]
        self.pending[obj["id"]] = ([*statuses[1:], success], at_end)
        if self.outcome is not None:
            self._outcomes[obj["id"]] = self.outcome

    def advance(self, obj: Any) -> None:
        """Move an object one status on (on a retrieve); a cancelled one stays as it is."""
        if not isinstance(obj, dict):
            return
        entry = self.pending.get(obj.get("id"))
        if entry is None:
            return
        if not in_progress(obj.get("status")):  # cancelled, or ended otherwise
            del self.pending[obj["id"]]
            self._outcomes.pop(obj["id"], None)
            return
        statuses, at_end = entry
        obj["status"] = statuses.pop(0)
        if not statuses:
            del self.pending[obj["id"]]
            if at_end is not None:
                at_end(obj)
            if self._outcomes.pop(obj["id"], None) == "failed":
                _failed(obj)
            if self.on_end is not None:
                self.on_end(obj)

    @staticmethod
    def headers(result: Any) -> dict[str, str]:
        """``openai-poll-after-ms`` for an answer holding an object in progress."""
        if isinstance(result, dict) and result.get("object") in (*LIVES, "batch") and in_progress(result.get("status")):
            return {"openai-poll-after-ms": str(POLL_AFTER_MS)}
        return {}


# The error a failed object carries, in its kind's shape (each fits the spec's error schema).
_ERRORS = {
    "response": {"code": "server_error", "message": "The response failed (x-mock-outcome: failed)."},
    "fine_tuning.job": {
        "code": "invalid_training_file",
        "message": "The job failed (x-mock-outcome: failed).",
        "param": "training_file",
    },
    "eval.run": {"code": "mock_failure", "message": "The run failed (x-mock-outcome: failed)."},
}


def _failed(obj: dict) -> None:
    """End an object ``failed``, with an error as its kind reports one."""
    obj["status"] = "failed"
    error = _ERRORS.get(obj.get("object"))
    if error is not None:
        obj["error"] = dict(error)
    if obj.get("object") == "response":
        obj["output"] = []
