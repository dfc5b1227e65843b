"""Bulk runs: throughput against a bare httpx asyncio loop as concurrency grows, and memory
against input size.

Budgets (issue 10): at concurrency 16 and 64, `bulk run` at least as fast as a bare httpx
asyncio loop at the same concurrency (DESIGN.md's floor is 0.8x); at 1,000 and 2,000 at least
0.8x its own throughput at 64, i.e. no collapse when the concurrency asked for exceeds the
connection pool.  Peak RSS the same for 10,000 and 1,000,000 input lines (the 1,000,000-line
run is cut to its last 2,000 requests, since what is measured is memory while the input
streams).  Every number comes from this run, against the project's mock server in its own
process; each rate is the median of ``--rounds`` interleaved runs, so that a moment when the
machine is busy (or idle) skews one side less.

    python benchmarks/bulk.py [--requests N] [--rounds R] [--bare-limit SECONDS] [--no-memory]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from _common import CHAT, SPEC_31

CONCURRENCIES = (16, 64, 256, 1000, 2000)
LINE = {"method": "POST", "url": "/v1/chat/completions", "body": CHAT}


def write_input(path: str, count: int) -> None:
    with open(path, "w") as f:
        for i in range(count):
            f.write(json.dumps({"custom_id": f"req-{i}", **LINE}) + "\n")


def start_mock() -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    exe = os.path.join(os.path.dirname(sys.executable), "openapi-client-openai")
    proc = subprocess.Popen(
        [exe, "mock", "--spec", str(SPEC_31), "--port", str(port)], stdout=subprocess.DEVNULL, env=child_env()
    )
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.05).close()
            break
        except OSError:
            time.sleep(0.02)
    return proc, f"http://127.0.0.1:{port}/v1"


def child_env() -> dict[str, str]:
    # Installed packages run from bytecode; this machine's PYTHONDONTWRITEBYTECODE would make the
    # editable install recompile in every child (see _common.run_child).
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


# The loop a user would write by hand: N workers sharing one httpx client with its default pool
# (100 connections, the same pool our client has), each posting a line and parsing the answer.
# No output file, no ids, no pacing.  Past 100 workers it queues on the pool, where httpcore
# slows with every waiter: it is cut after a time limit and its rate is what it did by then.
# (A pool sized to N instead opens up to 2,000 connections to one server process; in a trial
# here such a run died with httpx.ReadError, the server closing connections idle past its
# keep-alive timeout as they were reused.)
BARE = """
import asyncio, json, os, sys, time, httpx
path, url, concurrency, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
async def main():
    lines = open(path, "rb")
    done = 0
    async with httpx.AsyncClient(timeout=120) as client:
        async def worker():
            nonlocal done
            for line in lines:
                request = json.loads(line)
                r = await client.post(url + request["url"][3:], json=request["body"],
                                      headers={"Authorization": "Bearer sk-bench"})
                r.json()
                done += 1
        start = time.perf_counter()
        tasks = [asyncio.ensure_future(worker()) for _ in range(concurrency)]
        await asyncio.wait(tasks, timeout=limit)
        print(time.perf_counter() - start, done, flush=True)
        os._exit(0)  # a cut run: leave its queued requests to the OS
asyncio.run(main())
"""

OURS = """
import os, resource, sys, time
from openapi_client_openai import AsyncOpenAIClient
from openapi_client_openai import bulk
path, out, url, concurrency, spec = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
client = AsyncOpenAIClient(spec=spec, api_key="sk-bench", base_url=url, timeout=120)
start = time.perf_counter()
summary = bulk.run(path, out, client, concurrency=concurrency, progress=False)
print(time.perf_counter() - start, summary.done, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def run_child(args: list[str]) -> list[str]:
    done = subprocess.run([sys.executable, "-c", *args], capture_output=True, text=True, env=child_env())
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child failed: {done.stderr[-2000:]}")
    return done.stdout.split()


def bare_rate(path: str, url: str, concurrency: int, limit: float) -> tuple[float, bool]:
    """Requests a second of the bare loop, and whether it was cut at the time limit."""
    seconds, done = run_child([BARE, path, url, str(concurrency), str(limit)])
    return int(done) / float(seconds), float(seconds) >= limit


def our_rate(path: str, tmp: str, url: str, count: int, concurrency: int) -> float:
    out = os.path.join(tmp, f"out-{concurrency}-{time.monotonic_ns()}.jsonl")
    seconds, sent, _ = run_child([OURS, path, out, url, str(concurrency), str(SPEC_31)])
    os.unlink(out)
    if int(sent) != count:
        raise RuntimeError(f"bulk run sent {sent} of {count} requests at concurrency {concurrency}")
    return count / float(seconds)


def peak_rss(tmp: str, url: str, lines: int) -> float:
    big = os.path.join(tmp, f"in-{lines}.jsonl")
    write_input(big, lines)
    out = os.path.join(tmp, f"out-{lines}.jsonl")
    # Answers for all but the last 5,000 lines are already "written": the run checks and
    # streams the whole input, then sends 2,000 requests - memory is what is measured.
    with open(big, "rb") as src, open(out, "wb") as dst:
        for i, line in enumerate(src):
            if i >= lines - 2000:
                break
            custom_id = json.loads(line)["custom_id"]
            dst.write(json.dumps({"id": "x", "custom_id": custom_id, "response": None, "error": None}).encode() + b"\n")
    return float(run_child([OURS, big, out, url, "16", str(SPEC_31)])[2])


def main() -> None:
    """Measure throughput at each concurrency and memory; print a table of ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1500, help="chat requests per measurement (default 1500)")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each kind; the median counts")
    parser.add_argument("--bare-limit", type=float, default=8.0, help="seconds after which a bare loop is cut")
    parser.add_argument("--no-memory", action="store_true", help="skip the 10,000 vs 1,000,000-line memory runs")
    args = parser.parse_args()
    count = args.requests
    proc, url = start_mock()
    bare_runs: dict[int, list[float]] = {c: [] for c in CONCURRENCIES}
    cut: set[int] = set()
    our_runs: dict[int, list[float]] = {c: [] for c in CONCURRENCIES}
    rss: dict[int, float] = {}
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "in.jsonl")
            write_input(path, count)
            bare_rate(path, url, 16, 1.0)  # warm the mock and the bytecode
            for _ in range(args.rounds):
                for concurrency in CONCURRENCIES:  # interleaved: a slow moment hits both alike
                    if concurrency not in cut:  # a loop that collapsed once is not run again
                        rate, was_cut = bare_rate(path, url, concurrency, args.bare_limit)
                        bare_runs[concurrency].append(rate)
                        if was_cut:
                            cut.add(concurrency)
                    our_runs[concurrency].append(our_rate(path, tmp, url, count, concurrency))
            if not args.no_memory:
                for lines in (10_000, 1_000_000):
                    rss[lines] = peak_rss(tmp, url, lines)
    finally:
        proc.kill()
        proc.wait()
    bare = {c: statistics.median(runs) for c, runs in bare_runs.items()}
    ours = {c: statistics.median(runs) for c, runs in our_runs.items()}
    print(
        f"bulk run of {count:,} chat requests against the mock (one process), median of {args.rounds}, "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    print(f"  {'concurrency':>11}  {'bare httpx':>10}  {'bulk run':>9}  {'ours/bare':>9}  {'ours/ours@64':>12}")
    for concurrency in CONCURRENCIES:
        mark = "*" if concurrency in cut else " "
        versus = f"{ours[concurrency] / bare[concurrency]:>8.2f}x" if bare[concurrency] else f"{'(none)':>9}"
        print(
            f"  {concurrency:>11,}  {bare[concurrency]:>8,.0f}/s{mark} {ours[concurrency]:>7,.0f}/s  "
            f"{versus}  {ours[concurrency] / ours[64]:>11.2f}x"
        )
    print("  budgets: ours/bare >= 1.0x at 16 and 64; ours/ours@64 >= 0.8x at 1,000 and 2,000")
    if cut:
        print(f"  * the bare loop had not finished after {args.bare_limit:.0f} s: its rate until then")
    if rss:
        print(f"  peak RSS, 10,000-line input      {rss[10_000]:8.1f} MiB")
        print(
            f"  peak RSS, 1,000,000-line input   {rss[1_000_000]:8.1f} MiB   "
            f"{rss[1_000_000] / rss[10_000]:5.2f}x   (ids live in SQLite on disk; budget: the same)"
        )


if __name__ == "__main__":
    main()
