"""The pure retry rules: which answers are retried and how long to wait."""

from __future__ import annotations

import email.utils
import time

import pytest

from openapi_client_openai._retry import MAX_RETRY_AFTER, parse_retry_after, retry_delay, should_retry


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (408, True),
        (409, True),
        (429, True),
        (500, True),
        (503, True),
        (400, False),
        (401, False),
        (404, False),
        (422, False),
    ],
)
def test_should_retry_by_status(status: int, expected: bool) -> None:
    assert should_retry(status, {}) is expected


def test_x_should_retry_decides_first_in_any_case() -> None:
    # As the official SDK: the server's word wins over the status, both ways.
    assert should_retry(400, {"x-should-retry": "true"}) is True
    assert should_retry(500, {"x-should-retry": "false"}) is False
    assert should_retry(503, {"X-Should-Retry": "False"}) is False
    assert should_retry(422, {"X-SHOULD-RETRY": " TRUE "}) is True
    assert should_retry(500, {"x-should-retry": "true"}) is True
    assert should_retry(500, {"x-should-retry": "maybe"}) is True  # not a verdict: the status decides
    assert parse_retry_after({"Retry-After-Ms": "250"}) == 0.25


def test_retry_after_forms() -> None:
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    assert parse_retry_after({"retry-after-ms": "bad", "retry-after": "2"}) == 2.0
    when = email.utils.formatdate(time.time() + 10, usegmt=True)
    assert 8 <= parse_retry_after({"retry-after": when}) <= 10.5
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


def test_retry_after_is_capped() -> None:
    assert retry_delay(0, {"retry-after": "3600"}) == MAX_RETRY_AFTER


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    for retries, (low, high) in {0: (0.375, 0.5), 1: (0.75, 1.0), 2: (1.5, 2.0), 4: (6.0, 8.0), 10: (6.0, 8.0)}.items():
        for _ in range(50):
            assert low <= retry_delay(retries) <= high
