"""The Batch API, offline: a batch moves through its statuses and completes with an output
file holding one answer per input line, in the Batch API's output format.

Each ``retrieveBatch`` moves a batch one step (validating -> in_progress -> finalizing ->
completed), so a client that polls sees the real sequence.  Created with the header
``x-mock-outcome: failed`` a batch fails its validation (validating -> failed, with ``errors``);
with ``expired`` it runs out of its completion window (validating -> in_progress -> expired).
Each final status is reported to the app (``app.ended``: its webhook).  Lines are answered by the same
code that answers single requests, validation included: a line the spec refuses gets a 400
in its output, as the API does.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["advance", "cancel", "start"]

_NEXT = {"validating": "in_progress", "in_progress": "finalizing", "finalizing": "completed", "cancelling": "cancelled"}
_STAMP = {
    "failed": "failed_at",
    "expired": "expired_at",
    "in_progress": "in_progress_at",
    "finalizing": "finalizing_at",
    "completed": "completed_at",
    "cancelling": "cancelling_at",
    "cancelled": "cancelled_at",
}


def start(app: Any, batch: dict, body: dict) -> dict:
    """A new batch: validating, with its input's line count."""
    lines = _lines(app, body.get("input_file_id"))
    batch.update(
        {
            "status": "validating",
            "input_file_id": body.get("input_file_id"),
            "endpoint": body.get("endpoint"),
            "completion_window": body.get("completion_window", "24h"),
            "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
            "expires_at": app.faker.now() + 86400,
        }
    )
    if body.get("metadata") is not None:
        batch["metadata"] = body["metadata"]
    outcome = app.faker.context.get("outcome")
    if outcome in ("failed", "expired") and isinstance(batch.get("id"), str):
        app.outcomes[batch["id"]] = outcome
    # Fields without a value yet are left out: the spec types them as present values, not null.
    for key in (
        "output_file_id",
        "error_file_id",
        "errors",
        "in_progress_at",
        "finalizing_at",
        "completed_at",
        "failed_at",
        "expired_at",
        "cancelling_at",
        "cancelled_at",
    ):
        batch.pop(key, None)
    return batch


def advance(app: Any, batch: dict) -> dict:
    """Move a batch one status on; on completion write its output (and error) file."""
    status = batch.get("status")
    new = _NEXT.get(status)
    outcome = app.outcomes.get(batch.get("id")) if status != "cancelling" else None
    if outcome == "failed" and status == "validating":
        new = "failed"
    elif outcome == "expired" and status == "in_progress":
        new = "expired"
    if new is None:
        return batch
    batch["status"] = new
    if new in _STAMP:
        batch[_STAMP[new]] = app.faker.now()
    if new == "completed":
        _complete(app, batch)
    elif new == "failed":
        batch["errors"] = {
            "object": "list",
            "data": [
                {
                    "code": "invalid_request",
                    "message": "The batch failed validation (x-mock-outcome: failed).",
                    "param": "input_file_id",
                    "line": 1,
                }
            ],
        }
    elif new == "expired":
        counts = batch.get("request_counts") or {}
        counts["failed"] = counts.get("total", 0)
    if new in ("completed", "failed", "expired", "cancelled"):
        app.outcomes.pop(batch.get("id"), None)
        app.ended(batch)
    return batch


def cancel(app: Any, batch: dict) -> dict:
    """Ask a batch to stop: cancelling, then cancelled at the next look."""
    if batch.get("status") in ("validating", "in_progress", "finalizing"):
        batch["status"] = "cancelling"
        batch["cancelling_at"] = app.faker.now()
    return batch


def _lines(app: Any, file_id: Any) -> list[bytes]:
    data = app.files.get(file_id, b"") if isinstance(file_id, str) else b""
    return [line for line in data.splitlines() if line.strip()]


def _complete(app: Any, batch: dict) -> None:
    outputs, errors = [], []
    for line in _lines(app, batch.get("input_file_id")):
        try:
            request = json.loads(line)
            problem = None if isinstance(request, dict) else "This line is not a JSON object."
        except ValueError:
            problem = "This line is not JSON."
        except RecursionError:  # a line can hold anything; reading it must not break the batch
            problem = "This line is nested too deeply to be read."
        if problem is not None:
            errors.append(
                {
                    "id": app.faker.new_id("batch_req_"),
                    "custom_id": None,
                    "response": None,
                    "error": {"code": "invalid_json_line", "message": problem},
                }
            )
            continue
        if batch.get("endpoint") and str(request.get("url", "")).split("?")[0] != batch["endpoint"]:
            status, answer = (
                400,
                {
                    "error": {
                        "message": f"The url {request.get('url')!r} does not match the "
                        f"batch's endpoint {batch['endpoint']!r}",
                        "type": "invalid_request_error",
                        "param": "url",
                        "code": None,
                    }
                },
            )
        else:
            status, answer = app.answer_line(request)
        record = {
            "id": app.faker.new_id("batch_req_"),
            "custom_id": request.get("custom_id"),
            "response": {"status_code": status, "request_id": "req_" + app.faker.token(20), "body": answer},
            "error": None,
        }
        outputs.append(record)
    counts = batch["request_counts"]
    counts["failed"] = len(errors) + sum(1 for r in outputs if r["response"]["status_code"] >= 400)
    counts["completed"] = counts["total"] - counts["failed"]
    if outputs:
        batch["output_file_id"] = _store_file(app, outputs, "batch_output")
    if errors:
        batch["error_file_id"] = _store_file(app, errors, "batch_output")


def _store_file(app: Any, records: list, purpose: str) -> str:
    content = b"".join(json.dumps(r, separators=(",", ":")).encode() + b"\n" for r in records)
    file_id = app.faker.new_id("file-")
    app.files[file_id] = content
    app.store.setdefault("/files", {})[file_id] = {
        "id": file_id,
        "object": "file",
        "bytes": len(content),
        "created_at": app.faker.now(),
        "filename": "batch_output.jsonl",
        "purpose": purpose,
        "status": "processed",
    }
    return file_id
