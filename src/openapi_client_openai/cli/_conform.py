"""The ``conform`` command: check an OpenAI-compatible server, print the report, write files.

Exit status (issue 17): 0 every offered family conforms, 1 problems, 2 the run could not be
made (no server there, a wrong option, no family offered).
"""

from __future__ import annotations

import argparse
import os
from typing import Any, TextIO

__all__ = ["add_parser", "cmd_conform", "parse_models"]

EXIT_CONFORMS, EXIT_PROBLEMS, EXIT_COULD_NOT_RUN = 0, 1, 2


def add_parser(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add ``conform BASE_URL [--model M] [--only ...] [--api-key ...] [--json F] [--html F] [--strict]``."""
    from ..conform import FAMILIES

    conform = sub.add_parser(
        "conform",
        parents=parents,
        help="check an OpenAI-compatible server against the spec, answers and streams included",
        description="Send a small suite of spec-valid requests per family and check every answer and streamed "
        "event against the spec. Exit status: 0 conforms, 1 problems, 2 could not run.",
    )
    conform.add_argument(
        "conform_base_url", metavar="BASE_URL", help="the server's API base URL, e.g. http://127.0.0.1:8000/v1"
    )
    conform.add_argument(
        "--model",
        action="append",
        metavar="M",
        help="the model to ask for (chat, completions, responses); FAMILY=M sets one family's, repeatable",
    )
    conform.add_argument("--only", metavar="FAMILIES", help=f"comma-separated families to run: {','.join(FAMILIES)}")
    conform.add_argument("--api-key", help="the API key (default: $OPENAI_API_KEY, which keeps it out of `ps`)")
    conform.add_argument("--json", metavar="FILE", help="write the report as JSON to FILE")
    conform.add_argument("--html", metavar="FILE", help="write the report as an HTML page to FILE")
    conform.add_argument("--strict", action="store_true", help="also flag undeclared fields and missing optional ones")
    conform.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for each answer (default 30)")


def parse_models(values: list[str] | None) -> str | dict[str, str] | None:
    """``--model`` values: one bare model for the generating families, and ``FAMILY=M`` pairs."""
    if not values:
        return None
    from ..conform import FAMILIES

    bare = [v for v in values if "=" not in v]
    if len(bare) > 1:
        raise ValueError(f"--model: give one model, or FAMILY=MODEL pairs (got {', '.join(bare)})")
    pairs: dict[str, str] = {}
    if bare:
        pairs = {name: bare[0] for name in ("chat", "completions", "responses", "errors", "models")}
    for value in values:
        if "=" in value:
            family, _, model = value.partition("=")
            if family not in FAMILIES:
                raise ValueError(f"--model {value}: no family {family!r}; choose from {', '.join(FAMILIES)}")
            pairs[family] = model
    return pairs


def cmd_conform(args: argparse.Namespace, out: TextIO, err: TextIO, tty: bool) -> int:
    """Run the suite and report; return the exit status."""
    from .._errors import OpenAPIClientError
    from ..conform import run

    try:
        models = parse_models(args.model)
    except ValueError as exc:
        err.write(f"openapi-client-openai: {exc}\n")
        return EXIT_COULD_NOT_RUN
    key = args.api_key if args.api_key is not None else os.environ.get("OPENAI_API_KEY")
    try:
        report = run(
            args.conform_base_url,
            model=models,
            only=args.only,
            api_key=key,
            strict=args.strict,
            spec=args.spec,
            timeout=args.timeout,
        )
    except OpenAPIClientError as exc:  # no server there, a wrong option, a spec that cannot be read
        err.write(f"openapi-client-openai: conform could not run: {exc}\n")
        return EXIT_COULD_NOT_RUN
    report.print(out, color=tty)
    for path, text in ((args.json, report.to_json), (args.html, report.to_html)):
        if path:
            try:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text())
            except OSError as exc:
                err.write(f"openapi-client-openai: cannot write the report to {path}: {exc.strerror or exc}\n")
                return EXIT_COULD_NOT_RUN
    if report.exit_status == EXIT_COULD_NOT_RUN:
        err.write("openapi-client-openai: the server offers none of the families asked for\n")
    return report.exit_status
