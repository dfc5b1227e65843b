"""Conformance: check any OpenAI-compatible server against the spec, answers and streams included.

    from openapi_client_openai import conform
    report = conform.run("http://127.0.0.1:8000/v1", model="my-model", only="chat,embeddings")
    report.score, report.exit_status, report.to_dict()

``run`` sends a small suite of spec-valid requests per operation family and checks every
answer and streamed event against the spec's schemas, the family's event order and the rules
OpenAI states in prose; the ``Report`` is the same data the ``conform`` command prints and
writes (``--json``, ``--html``).  Modules: ``_rules`` (pure checks), ``_suite`` (the requests
and which checks each answer gets), ``_run`` (HTTP, and findings into a report), ``_report``
(the report and its renderings).
"""

from __future__ import annotations

from ._report import FamilyReport, Problem, Report
from ._rules import RULES
from ._run import ConformError, run
from ._suite import FAMILIES

__all__ = ["FAMILIES", "RULES", "ConformError", "FamilyReport", "Problem", "Report", "run"]
