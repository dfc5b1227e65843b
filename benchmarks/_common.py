"""Helpers shared by the benchmarks: the local server, timing, and child-process runs."""

from __future__ import annotations

import contextlib
import os
import pathlib
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

HERE = pathlib.Path(__file__).resolve().parent
SPEC_31 = HERE.parents[1] / "shared" / "specs" / "openai-2026-08-21.yaml"
SPEC_30 = HERE.parents[1] / "shared" / "specs" / "openai-2025-04-11.yaml"
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello!"}]}


@contextlib.contextmanager
def local_server(events: int = 1000, per_chunk: int = 64, tls: bool = False) -> Iterator[str]:
    """Run benchmarks/_server.py in its own process; yield its base URL (with /v1).

    With ``tls`` it serves https with a throwaway self-signed certificate for 127.0.0.1, which
    this process then trusts through ``SSL_CERT_FILE`` (honoured by httpx and by our stack).
    """
    import os
    import tempfile

    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        if tls:
            cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                 "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                check=True, capture_output=True,
            )  # fmt: skip
            env.update(BENCH_TLS_CERT=cert, BENCH_TLS_KEY=key)
        proc = subprocess.Popen(
            [sys.executable, str(HERE / "_server.py"), str(events), str(per_chunk)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        saved = os.environ.get("SSL_CERT_FILE")
        try:
            port = int(proc.stdout.readline())
            if tls:
                os.environ["SSL_CERT_FILE"] = env["BENCH_TLS_CERT"]
            yield f"{'https' if tls else 'http'}://127.0.0.1:{port}/v1"
        finally:
            if tls:
                os.environ.pop("SSL_CERT_FILE", None)
                if saved is not None:
                    os.environ["SSL_CERT_FILE"] = saved
            proc.kill()
            proc.wait()


def per_call_us(fn: Callable[[], object], n: int, warmup: int = 200, rounds: int = 5) -> float:
    """Median over ``rounds`` of the mean time per call of ``fn`` in microseconds."""
    for _ in range(warmup):
        fn()
    results = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        results.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(results)


def run_child(code: str, runs: int, env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Run ``python -c code`` ``runs`` times; return median wall ms, median in-child ms, max RSS MiB.

    One extra run first, not counted, writes the bytecode of anything not yet compiled.

    The child prints the milliseconds it measured itself (from before its first import) on
    its last line; its peak RSS comes from the kernel via wait4.
    """
    walls, inner, rss = [], [], []
    full_env = {**os.environ, **(env or {})}
    # Installed packages run from bytecode (pip compiles it; the openai SDK's is in
    # site-packages).  This machine sets PYTHONDONTWRITEBYTECODE, which would make our
    # editable install alone recompile its sources in every child: unset it for the children.
    full_env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-c", code], env=full_env, capture_output=True)
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=full_env)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append((time.perf_counter() - start) * 1000)
        if status != 0:
            raise RuntimeError(f"child failed ({status}): {code[:200]}")
        proc.returncode = 0
        last = out.decode().strip().splitlines()[-1] if out.strip() else "nan"
        inner.append(float(last))
        rss.append(usage.ru_maxrss / 1024)
    return statistics.median(walls), statistics.median(inner), max(rss)


def row(name: str, value: float, unit: str, base: float | None = None, base_name: str = "") -> str:
    """Format one result line, with its ratio to a baseline when given."""
    ratio = f"   {value / base:6.3f}x {base_name}" if base else ""
    return f"  {name:<44} {value:10.1f} {unit}{ratio}"
