"""Bulk jobs in Python: the same as ``openapi-client-openai bulk run|submit``.

from openapi_client_openai import bulk
summary = bulk.run("requests.jsonl", "answers.jsonl", concurrency=16)      # from this machine
summary = bulk.submit("requests.jsonl", "answers.jsonl")                  # through the Batch API

``BulkError``: the input is not usable, or another run holds the output.  ``BulkAuthError`` (a
``BulkError``): no API key, or the server refused it (401/403); the run stopped without writing
error lines for it.  ``MAX_IN_FLIGHT``: the most requests ``run`` keeps in flight, whatever the
``concurrency`` asked for.
"""

from __future__ import annotations

from ._bulk import MAX_IN_FLIGHT, BulkAuthError, BulkError, Summary, run, run_async, submit

__all__ = ["MAX_IN_FLIGHT", "BulkAuthError", "BulkError", "Summary", "run", "run_async", "submit"]
