"""Documentation from the spec: every operation renders, and every example runs.

Each operation's generated example is run as its own Python process against the project's
mock server (with OPENAI_BASE_URL pointing at it), for both fixture specs, and must exit 0.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from openapi_client_openai import OpenAIClient
from openapi_client_openai.cli import main
from openapi_client_openai.docs import example, markdown, search
from openapi_client_openai.mock import MockServer

from conftest import FAKE_KEY, SPEC_30, SPEC_31


@pytest.fixture(scope="module", params=[SPEC_30, SPEC_31], ids=["spec3.0", "spec3.1"])
def spec(request):
    return request.param


def test_every_operation_renders_with_an_example_that_compiles(spec) -> None:
    index = OpenAIClient(spec=spec, api_key=FAKE_KEY).spec
    for op_id in index.operation_ids:
        text = markdown(index, op_id)
        assert text.startswith(f"# {op_id}") and "## Example" in text and "## Answers" in text
        compile(example(index, op_id), f"<example {op_id}>", "exec")


def test_every_example_runs_against_the_mock(spec, tmp_path) -> None:
    index = OpenAIClient(spec=spec, api_key=FAKE_KEY).spec
    programs = {op_id: example(index, op_id) for op_id in index.operation_ids}
    env = {**os.environ, "OPENAI_API_KEY": "sk-example", "OPENAPI_CLIENT_OPENAI_SPEC": str(spec)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with MockServer(spec=spec, lenient_ids=True, seed=3) as url:
        env["OPENAI_BASE_URL"] = url

        def run(item: tuple[str, str]) -> str | None:
            op_id, program = item
            done = subprocess.run(
                [sys.executable, "-c", program], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
            )
            if done.returncode != 0:
                return f"{op_id}: exit {done.returncode}: {done.stderr.strip().splitlines()[-1:]}"
            return None

        with ThreadPoolExecutor(max_workers=4) as pool:
            failures = [f for f in pool.map(run, programs.items()) if f]
    assert failures == [], "\n".join(failures)


def test_help_shows_the_documentation() -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY)
    doc = client.createChatCompletion.__doc__
    assert "POST /chat/completions" in doc and "## Request body" in doc and "`messages`" in doc
    assert "## Known models" in doc and "client.createChatCompletion(" in doc
    assert "streamed with" in doc


HELP = f"""
import pydoc, sys
from openapi_client_openai import OpenAIClient
client = OpenAIClient(spec={str(SPEC_31)!r}, api_key="sk-x")
text = client.createChatCompletion.__doc__
assert "## Example" in text and "## Request body" in text, text[:300]  # the spec's docs, not the fallback
pydoc.render_doc(client.create_chat_completion)
print(sorted(m for m in sys.modules if m.startswith(("openapi_client_openai.mock", "starlette", "uvicorn"))))
"""


def test_help_renders_without_loading_the_mock() -> None:
    done = subprocess.run([sys.executable, "-c", HELP], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_docs_command() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["docs", "--spec", str(SPEC_31), "createChatCompletion"], stdout=out, stderr=err) == 0
    assert "# createChatCompletion" in out.getvalue()
    out = io.StringIO()
    assert main(["docs", "--spec", str(SPEC_31), "retrieve_file", "--example"], stdout=out, stderr=err) == 0
    assert out.getvalue().startswith("from openapi_client_openai import OpenAIClient")
    out = io.StringIO()
    assert main(["docs", "--spec", str(SPEC_31), "--search", "chat"], stdout=out, stderr=err) == 0
    assert "createChatCompletion" in out.getvalue()
    err = io.StringIO()
    assert main(["docs", "--spec", str(SPEC_31), "nope"], stdout=io.StringIO(), stderr=err) == 1
    assert "did you mean" in err.getvalue() or "no operation" in err.getvalue()


def test_search_finds_by_path_and_description() -> None:
    index = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY).spec
    assert "createTranscription" in [op for op, _ in search(index, "audio transcriptions")]
    assert search(index, "no-such-words-anywhere") == []


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    import shutil

    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:  # .ci/run installs it and fails if this test was skipped
        pytest.skip("needs headless Chromium: apt-get install chromium")
    return found


def test_html_site_in_a_browser(tmp_path) -> None:
    browser = _chromium()
    import functools
    import http.server
    import pathlib
    import re
    import threading

    site = tmp_path / "site"
    out = io.StringIO()
    assert main(["docs", "--spec", str(SPEC_31), "--html", str(site)], stdout=out, stderr=io.StringIO()) == 0
    index = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY).spec
    pages = sorted(site.rglob("*.html"))
    assert len(list((site / "ops").glob("*.html"))) == len(index.operation_ids)
    for page in pages:  # every local link resolves
        for href in re.findall(r"""href=["']([^"'#?]+)""", page.read_text()):
            if not href.startswith(("http://", "https://", "mailto:")):
                assert (page.parent / href).resolve().exists(), f"{page.name}: broken link {href}"
    index_html = (site / "index.html").read_text()
    assert all(f"ops/{op_id}.html" in index_html for op_id in index.operation_ids)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        dom = subprocess.run(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={tmp_path / 'profile1'}",
                "--virtual-time-budget=3000",
                "--dump-dom",
                f"{base}/index.html?q=chat",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
        visible = re.findall(r'<li class="op"[^>]*>.*?href="ops/([^"]+)\.html"', dom)
        hidden = re.findall(r'<li class="op hidden"[^>]*>.*?href="ops/([^"]+)\.html"', dom)
        assert "createChatCompletion" in visible and "createEmbedding" in hidden
        shots = pathlib.Path(__file__).resolve().parents[1] / "_generated" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        shot = shots / "createChatCompletion-phone.png"
        subprocess.run(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={tmp_path / 'profile2'}",
                "--window-size=412,900",
                f"--screenshot={shot}",
                f"{base}/ops/createChatCompletion.html",
            ],
            capture_output=True,
            timeout=120,
        )
        assert shot.stat().st_size > 10_000
    finally:
        httpd.shutdown()


def test_both_specs_render_every_page(tmp_path) -> None:
    from openapi_client_openai.docs import write_site

    for spec_path in (SPEC_30, SPEC_31):
        index = OpenAIClient(spec=spec_path, api_key=FAKE_KEY).spec
        assert write_site(index, str(tmp_path / spec_path.stem)) > len(index.operation_ids)


def test_every_operation_renders_in_the_terminal(spec) -> None:
    from rich.console import Console
    from rich.markdown import Markdown

    index = OpenAIClient(spec=spec, api_key=FAKE_KEY).spec
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    for op_id in index.operation_ids:
        console.print(Markdown(markdown(index, op_id)))
    assert len(console.file.getvalue()) > 1000 * len(index.operation_ids) / 10
