"""Documentation from the spec: every operation renders, and every example runs.

Each operation's generated example is run as its own Python process against the project's
mock server (with OPENAI_BASE_URL pointing at it), for both fixture specs, and must exit 0.
"""

from __future__ import annotations

import ast
import html
import io
import os
import pathlib
import re
import subprocess
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import pytest

from openapi_client_openai import OpenAIClient
from openapi_client_openai.cli import main
from openapi_client_openai.docs import example, examples, markdown, render_terminal, schema_markdown, search
from openapi_client_openai.docs._search import find, words
from openapi_client_openai.mock import MockServer
from openapi_client_openai.spec import docinfo
from openapi_client_openai.spec._docinfo import shorten

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


def example_files(folder: pathlib.Path, programs: Iterable[str]) -> None:
    """Create the files the examples upload (``Path("audio.mp3")``, ``file@audio.mp3``), with
    content of their kind, as a reader would have them at hand."""
    from openapi_client_openai.mock._media import audio, png

    for program in programs:
        for name in re.findall(r"""Path\("([^"]+)"\)|[\w\[\]]+@([\w.-]+)""", program):
            name = name[0] or name[1]
            ext = name.rsplit(".", 1)[-1]
            data = png() if ext == "png" else audio(ext)[0] if ext in ("mp3", "wav") else b"example data\n"
            (folder / name).write_bytes(data)


def test_every_example_runs_against_the_mock(spec, tmp_path) -> None:
    index = OpenAIClient(spec=spec, api_key=FAKE_KEY).spec
    programs = {
        f"{op_id} ({item.title})": item.python for op_id in index.operation_ids for item in examples(index, op_id)
    }
    example_files(tmp_path, programs.values())
    env = {**os.environ, "OPENAI_API_KEY": "sk-example", "OPENAPI_CLIENT_OPENAI_SPEC": str(spec)}
    env["OPENAI_ADMIN_KEY"] = "sk-admin-example"  # the organization endpoints' examples
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with MockServer(spec=spec, lenient_ids=True, seed=3) as url:
        env["OPENAI_BASE_URL"] = url

        def run(item: tuple[str, str]) -> str | None:
            name, program = item
            done = subprocess.run(
                [sys.executable, "-c", program], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
            )
            if done.returncode != 0:
                return f"{name}: exit {done.returncode}: {done.stderr.strip().splitlines()[-1:]}"
            return None

        with ThreadPoolExecutor(max_workers=4) as pool:
            failures = [f for f in pool.map(run, programs.items()) if f]
    assert failures == [], "\n".join(failures)


def shell_words(command: str) -> list[str]:
    """The words a POSIX shell makes of a command (line continuations, quotes), minus the first."""
    script = "openapi-client-openai() { printf '%s\\0' \"$@\"; }\n" + command
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30, check=True)
    return done.stdout.split("\0")[:-1]


def test_every_command_runs_against_the_mock(spec, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = OpenAIClient(spec=spec, api_key=FAKE_KEY).spec
    commands = {
        f"{op_id} ({item.title})": item.command for op_id in index.operation_ids for item in examples(index, op_id)
    }
    example_files(tmp_path, commands.values())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-example")
    monkeypatch.setenv("OPENAI_ADMIN_KEY", "sk-admin-example")  # the organization endpoints' commands
    monkeypatch.setenv("OPENAPI_CLIENT_OPENAI_SPEC", str(spec))
    failures = []
    with MockServer(spec=spec, lenient_ids=True, seed=3) as url:
        monkeypatch.setenv("OPENAI_BASE_URL", url)
        for name, command in commands.items():
            assert command.startswith("openapi-client-openai call "), name
            out, err = io.StringIO(), io.StringIO()
            code = main(shell_words(command), stdin=io.StringIO(), stdout=out, stderr=err)
            if code != 0:
                failures.append(f"{name}: exit {code}: {err.getvalue().strip()[-300:]}")
        # and one as a user runs it: the installed command, through a real shell
        chat = examples(index, "createChatCompletion")
        env = {**os.environ, "PATH": f"{pathlib.Path(sys.executable).parent}:{os.environ['PATH']}"}
        for item in chat:
            done = subprocess.run(["bash", "-c", item.command], capture_output=True, text=True, env=env, timeout=60)
            assert done.returncode == 0 and done.stdout.strip(), done.stderr
    assert failures == [], "\n".join(failures)


def test_examples_read_as_a_person_writes_them(spec, tmp_path) -> None:
    """Real model names, the plain call before the streamed one, keyword arguments, and a
    layout that ``ruff format`` leaves as it is, within 78 columns."""
    index = OpenAIClient(spec=spec, api_key=FAKE_KEY).spec
    info = docinfo(index)["ops"]
    for op_id in index.operation_ids:
        made = examples(index, op_id)
        for item in made:
            assert "VAR_" not in item.python + item.command, op_id
            assert max(len(line) for line in (item.python + item.command).splitlines()) <= 78, op_id
            tree = ast.parse(item.python)
            call = next(
                n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func).startswith("client.")
            )
            model = next((k.value for k in call.keywords if k.arg == "model"), None)
            if isinstance(model, ast.Constant) and info[op_id]["models"]:
                assert model.value in info[op_id]["models"], (op_id, model.value)
        streams = [item for item in made if "as stream:" in item.python]
        if index.operation(op_id).streaming and any(
            f[1] in ("stream", "stream_format") for f in _top_fields(info[op_id])
        ):
            assert [m.title for m in made] == ["Example", "Example: streaming"], op_id
            assert streams == [made[1]], op_id
            assert "stream:=true" in made[1].command or "stream_format=sse" in made[1].command, op_id
        else:
            assert len(made) == 1 and not streams, op_id
        (tmp_path / f"{op_id}.py").write_text("".join(item.python for item in made))
    chat = examples(index, "createChatCompletion")[0].python
    assert 'result = client.create_chat_completion(\n    model="' in chat and "    messages=[\n" in chat
    assert "body=" not in chat and "pprint" not in chat
    ruff = pathlib.Path(sys.executable).with_name("ruff")
    done = subprocess.run(
        [str(ruff), "format", "--isolated", "--check", "--diff", "--line-length", "78", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]


def _top_fields(info: dict) -> list:
    return [f for fields in info["body"].values() for f in fields if f[0] == 0]


CODE_BACKGROUND = "48;2;39;40;34"  # the monokai theme's background, which rich gives code blocks


def terminal_code_blocks(rendered: str) -> list[str]:
    """The code blocks of a page as a reader copies them from the terminal: the lines rich drew
    on the code background, without the one-column padding on each side."""
    blocks: list[list[str]] = []
    previous = False
    for line in rendered.split("\n"):
        inside = CODE_BACKGROUND in line
        if inside and not previous:
            blocks.append([])
        if inside:
            blocks[-1].append(re.sub(r"\x1b\[[0-9;]*m", "", line)[1:].rstrip())
        previous = inside
    return ["\n".join(block).strip("\n") for block in blocks]


def test_examples_survive_a_copy_from_an_80_column_terminal(spec) -> None:
    index = OpenAIClient(spec=spec, api_key=FAKE_KEY).spec
    for op_id in index.operation_ids:
        rendered = render_terminal(markdown(index, op_id), width=80, color_system="truecolor")
        blocks = terminal_code_blocks(rendered)
        for item in examples(index, op_id):
            assert item.python.rstrip() in blocks, f"{op_id}: the Python example is not whole on the terminal"
            assert item.command.rstrip() in blocks, f"{op_id}: the command is not whole on the terminal"
            copied = blocks[blocks.index(item.python.rstrip())]
            compile(copied, f"<{op_id} copied>", "exec")


def test_pages_show_the_spec_example_answer_and_the_command_line() -> None:
    index = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY).spec
    info = docinfo(index)["ops"]
    answered = [op_id for op_id in index.operation_ids if info[op_id]["answer"]]
    assert len(answered) == 255  # the operations whose x-oaiMeta examples have a response
    for op_id in index.operation_ids:
        page = markdown(index, op_id)
        assert ("## Example answer" in page) == (op_id in answered), op_id
        assert page.index("## Example\n") < page.index("```sh\nopenapi-client-openai call ") < page.index("## Answers")
    page = markdown(index, "createChatCompletion")
    assert '"object": "chat.completion"' in page[page.index("## Example answer") :]
    assert page.index("## Example\n") < page.index("## Example: streaming") < page.index("## Example answer")
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY)
    assert client.retrieve_file.__doc__ == markdown(index, "retrieveFile")
    assert "openapi-client-openai call retrieve_file file_id=file-abc123" in client.retrieve_file.__doc__


class VisibleText(HTMLParser):
    """The text a browser shows of an HTML page, without code (which may hold ``**`` rightly)."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.hidden += tag in ("code", "pre", "script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("code", "pre", "script", "style")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    @classmethod
    def of(cls, page: str) -> str:
        parser = cls()
        parser.feed(page)
        return "".join(parser.parts)


RAW_MARKDOWN = re.compile(r"\*\*|\]\(https?:|\[[^\]]*\u2026")


def test_descriptions_render_as_markdown_without_cuts_inside_links(spec) -> None:
    from markdown_it import MarkdownIt

    render = MarkdownIt("commonmark", {"html": False}).render
    index = OpenAIClient(spec=spec, api_key=FAKE_KEY).spec
    pages = [markdown(index, op_id) for op_id in index.operation_ids]
    pages += [schema_markdown(index, name) for name in docinfo(index)["schemas"]]
    raw = [m.group(0) for page in pages for m in RAW_MARKDOWN.finditer(VisibleText.of(render(page)))]
    assert raw == []


def test_shorten_cuts_between_words_outside_markdown() -> None:
    text = "See the [Streaming section below](https://platform.openai.com/docs/api-reference/chat) for more."
    assert shorten(text, 200) == text
    assert shorten(text, 40) == "See the\u2026"  # not inside the link
    assert shorten("A **very bold** claim and more words", 12) == "A\u2026"
    assert shorten("`a_long_code_span_here` and text", 10) == "`a_long_code_span_here`\u2026"
    assert shorten("plain words that go on and on", 16) == "plain words that\u2026"


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


def test_search_ranks_exact_id_and_path_matches_first() -> None:
    index = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY).spec

    def ranked(words: str) -> list[str]:
        return [op for op, _ in search(index, words)]

    assert ranked("vector store files")[:4] == [
        "listVectorStoreFiles",
        "createVectorStoreFile",
        "getVectorStoreFile",
        "deleteVectorStoreFile",
    ]
    assert words("createVectorStoreFile") == ["create", "vector", "store", "file"]
    assert words("/vector_stores/{vector_store_id}/file_batches") == [
        "vector",
        "store",
        "vector",
        "store",
        "id",
        "file",
        "batch",
    ]
    assert words("list-audit-logs entries") == ["list", "audit", "log", "entry"]
    assert ranked("createChatCompletion")[0] == "createChatCompletion"
    assert ranked("create_chat_completion")[0] == "createChatCompletion"
    assert ranked("/audio/transcriptions")[0] == "createTranscription"
    files = ranked("files")
    # createImageEdit speaks of files only in its description: found, but after the others
    assert files[0] == "listFiles" and files[-1] == "createImageEdit"
    assert "createImageEdit" not in find(index, "files", descriptions=False)
    summaries = [summary for _, summary in search(index, "chat")]
    assert summaries and not any("](" in s or "**" in s for s in summaries)


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


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """The 3.1 spec's site, written by the command line."""
    folder = tmp_path_factory.mktemp("site") / "site"
    out = io.StringIO()
    assert main(["docs", "--spec", str(SPEC_31), "--html", str(folder)], stdout=out, stderr=io.StringIO()) == 0
    return folder


def _sidebar(page: str) -> list[tuple[str, list[str]]]:
    """(navigation group, [section...]) in the order a page's sidebar shows them."""
    nav = page[page.index("<nav class=side") : page.index("</nav>")]
    out = []
    for group in re.findall(r"<details[^>]*><summary>(.*?)</details>", nav, re.S):
        title = re.sub(r"<span class=badge>.*?</span>", "", group.split("</summary>")[0])
        out.append((html.unescape(title), [html.unescape(t) for t in re.findall(r"<p class=section>(.*?)</p>", group)]))
    return out


def test_site_sidebar_follows_the_spec_navigation(site, tmp_path) -> None:
    import yaml

    from openapi_client_openai.docs import write_site

    for spec_path, folder in ((SPEC_31, site), (SPEC_30, tmp_path / "site30")):
        if spec_path == SPEC_30:
            write_site(OpenAIClient(spec=spec_path, api_key=FAKE_KEY).spec, str(folder))
        doc = yaml.load(spec_path.read_text(), Loader=yaml.CSafeLoader)
        index = OpenAIClient(spec=spec_path, api_key=FAKE_KEY).spec
        spec_order = [n["title"] for n in doc["x-oaiMeta"]["navigationGroups"]]
        page = (folder / "ops" / "createChatCompletion.html").read_text()
        shown = _sidebar(page)
        titles = [title for title, _ in shown]
        assert titles == [t for t in spec_order if t in titles]  # none made up, in the spec's order
        listed = re.findall(r"href='\.\./ops/([^']+)\.html'", page[: page.index("</nav>")])
        assert sorted(listed) == sorted(index.operation_ids)  # every operation, once
        assert "aria-current=page>Create chat completion<" in page
        if spec_path == SPEC_30:  # its groups list each operation's section, in order
            nav_ids = [n["id"] for n in doc["x-oaiMeta"]["navigationGroups"]]
            groups = [
                g for g in doc["x-oaiMeta"]["groups"] if any(s["type"] == "endpoint" for s in g.get("sections") or [])
            ]
            groups.sort(key=lambda g: nav_ids.index(g["navigationGroup"]))  # stable: the groups' order within each
            assert [sec for _, secs in shown for sec in secs] == [g["title"] for g in groups]
    shown = dict(_sidebar((site / "ops" / "createChatCompletion.html").read_text()))
    assert "Usage" in shown["Administration"] and "Vector stores" in shown["Vector stores"]


def test_site_fields_fold_and_each_has_a_link(site) -> None:
    page = (site / "ops" / "createChatCompletion.html").read_text()
    # audio's own fields, and a message type's fields, fold under their field
    assert re.search(
        r"<details class=nest><summary>2 nested fields</summary><ul class=fields><li class=field id='body-audio-voice'",
        page,
    )
    assert re.search(r"<summary>ChatCompletionRequestUserMessage: \d+ fields</summary>", page)
    for path in [*(site / "ops").glob("*.html"), *sorted((site / "schemas").glob("*.html"))[:200]]:
        text = path.read_text()
        ids = re.findall(r" id='([^']+)'", text)
        assert len(ids) == len(set(ids)), f"{path.name}: an id twice"
        for anchor in re.findall(r"href='#([^']+)'", text):
            assert anchor in ids, f"{path.name}: #{anchor} leads nowhere"
        for field in re.findall(r"<li class=field id='([^']+)'><div class=fhead>(<a [^>]*>)", text):
            assert f"href='#{field[0]}'" in field[1], f"{path.name}: {field[0]} has no link to itself"


def test_site_code_is_highlighted_offline(site) -> None:
    page = (site / "ops" / "createChatCompletion.html").read_text()
    python = page[page.index("<h3>Python</h3>") :]
    assert re.search(r'<div class="hl"><pre>.*<span class="kn">from</span>', python, re.S)
    assert '<span class="s2">"gpt-5.4"</span>' in python
    css = (site / "style.css").read_text()
    assert ".hl .kn" in css and "url(" not in css and "@import" not in css
    for path in site.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<(link|script)[^>]+(href|src)=['\"]?https?:", text), path.name


HARNESS = """<!doctype html><meta charset=utf-8><pre id=result>running</pre><iframe id=f></iframe><script>
const visits = VISITS, out = [], frame = document.getElementById('f');
function load(url, width) {
  frame.style.width = width + 'px'; frame.style.height = '800px';
  return new Promise(done => { frame.onload = done; frame.src = url; });
}
function look(url, width) {
  const d = frame.contentDocument, w = frame.contentWindow, side = d.querySelector('nav.side');
  const shown = e => e && getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().width > 0;
  const text = d.body.cloneNode(true);
  text.querySelectorAll('pre, code, script, style').forEach(e => e.remove());
  const result = {url, width, overflow: d.documentElement.scrollWidth - w.innerWidth,
    raw: text.textContent.match(/\\*\\*|\\]\\(https?:|\\[[^\\]]*\u2026/g), side: side ? shown(side) : null};
  const menu = d.getElementById('menu');
  if (menu && shown(menu)) { menu.click(); result.menuOpens = shown(side); }
  return result;
}
(async () => {
  for (const [url, width] of visits) { await load(url, width); out.push(look(url, width)); }
  document.getElementById('result').textContent = JSON.stringify(out);
})();
</script>"""


def test_site_in_a_browser_at_desktop_and_phone_widths(site, tmp_path) -> None:
    browser = _chromium()
    import functools
    import http.server
    import json
    import threading

    index = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY).spec
    # Every operation page on a phone (where text is likeliest to overflow); the layout at the
    # desktop width is one template, so a sample of them there.
    pages = ["index.html", *(f"ops/{op_id}.html" for op_id in index.operation_ids)]
    pages += [f"schemas/{p.name}" for p in sorted((site / "schemas").glob("*.html"))[::25]]
    visits = [(page, 412) for page in pages] + [(page, 1280) for page in pages[::6]]
    (site / "harness.html").write_text(HARNESS.replace("VISITS", json.dumps(visits)))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.RequestHandlerClass.log_message = lambda *args: None
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"

    def chromium(profile: str, *args: str) -> str:
        flags = [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / profile}", *args]
        return subprocess.run([browser, *flags], capture_output=True, text=True, timeout=300).stdout

    try:
        dom = chromium("p1", "--virtual-time-budget=60000", "--dump-dom", f"{base}/harness.html")
        found = json.loads(html.unescape(re.search(r"<pre id=\"result\">(.*?)</pre>", dom, re.S).group(1)))
        assert len(found) == len(visits)
        for look in found:
            where = f"{look['url']} at {look['width']}px"
            assert look["raw"] is None, f"{where}: raw Markdown {look['raw']}"
            assert look["overflow"] <= 0, f"{where}: {look['overflow']}px wider than the screen"
            if look["url"].startswith("ops/"):
                if look["width"] == 1280:
                    assert look["side"] is True, f"{where}: no sidebar"
                else:
                    assert look["side"] is False and look["menuOpens"] is True, f"{where}: the menu does not work"
        dom = chromium("p2", "--virtual-time-budget=3000", "--dump-dom", f"{base}/index.html?q=chat")
        visible = re.findall(r'<li class="op"[^>]*>.*?href="ops/([^"]+)\.html"', dom)
        hidden = re.findall(r'<li class="op hidden"[^>]*>.*?href="ops/([^"]+)\.html"', dom)
        assert "createChatCompletion" in visible and "createEmbedding" in hidden
        shots = pathlib.Path(__file__).resolve().parents[1] / "_generated" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        for name, size in (("desktop", "1280,900"), ("phone", "412,900")):
            for page in ("ops/createChatCompletion.html", "index.html"):
                shot = shots / f"{page.split('/')[-1][:-5]}-{name}.png"
                shot.unlink(missing_ok=True)
                chromium(f"shot-{name}", f"--window-size={size}", f"--screenshot={shot}", f"{base}/{page}")
                assert shot.stat().st_size > 10_000, shot
    finally:
        httpd.shutdown()


def test_site_links_resolve_and_show_no_raw_markdown(site) -> None:
    index = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY).spec
    assert len(list((site / "ops").glob("*.html"))) == len(index.operation_ids)
    index_html = (site / "index.html").read_text()
    assert all(f"ops/{op_id}.html" in index_html for op_id in index.operation_ids)
    for page in site.rglob("*.html"):
        text = page.read_text()
        for href in re.findall(r"""href=["']([^"'#?]+)""", text):
            if not href.startswith(("http://", "https://", "mailto:")):
                assert (page.parent / href).resolve().exists(), f"{page.name}: broken link {href}"
        raw = RAW_MARKDOWN.findall(VisibleText.of(text))
        assert raw == [], f"{page.name}: raw Markdown {raw[:3]}"


@pytest.mark.parametrize("module", ["markdown_it", "pygments"])
def test_html_without_the_cli_extra_says_what_to_install(module, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed: importing it fails
    for name in [m for m in sys.modules if m.startswith(f"{module}.")]:
        monkeypatch.delitem(sys.modules, name)
    out, err = io.StringIO(), io.StringIO()
    code = main(["docs", "--spec", str(SPEC_31), "--html", str(tmp_path / "site")], stdout=out, stderr=err)
    wanted = {"markdown_it": "markdown-it-py", "pygments": "Pygments"}[module]
    assert code == 2 and out.getvalue() == ""
    assert (
        err.getvalue()
        == f"openapi-client-openai: the HTML site needs {wanted}: pip install 'openapi-client-openai[cli]'\n"
    )


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
