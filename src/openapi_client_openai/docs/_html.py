"""The static HTML documentation site: plain files, no CDN, readable on a phone."""

from __future__ import annotations

import html
import os
from typing import Any

from ..spec import docinfo

_CSS = """
body{font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1f23;background:#fff}
main{max-width:60rem;margin:0 auto;padding:1rem}
a{color:#0b63c5;text-decoration:none}a:hover{text-decoration:underline}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em}
pre{background:#f5f7fa;padding:.8rem;overflow-x:auto;border-radius:6px}
h1{font-size:1.6rem;word-break:break-word}h2{font-size:1.2rem;margin-top:2rem}
nav{padding:.6rem 1rem;background:#0b2540}nav a{color:#fff;font-weight:600}
input[type=search]{width:100%;box-sizing:border-box;font-size:1.1rem;padding:.5rem;margin:.5rem 0 1rem}
li{margin:.2rem 0;overflow-wrap:anywhere}p{overflow-wrap:anywhere}
.method{display:inline-block;min-width:4.2rem;font-weight:700;color:#555}
.hidden{display:none}
"""

_SEARCH = """
const box=document.getElementById('q');
function filter(){const words=box.value.toLowerCase().split(/\\s+/).filter(Boolean);
 let shown=0;for(const li of document.querySelectorAll('li.op')){
  const hit=words.every(w=>li.dataset.text.includes(w));li.classList.toggle('hidden',!hit);if(hit)shown++;}
 for(const sec of document.querySelectorAll('section.tag')){
  sec.classList.toggle('hidden',!sec.querySelector('li.op:not(.hidden)'));}
 document.getElementById('count').textContent=shown+' operations';}
box.addEventListener('input',filter);
const q=new URLSearchParams(location.search).get('q');if(q){box.value=q;}filter();
"""


def _page(title: str, body: str, root: str) -> str:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<nav><a href='{root}index.html'>API reference</a></nav><main>{body}</main></body></html>"
    )


def _render(markdown_text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown_text)


def write_site(index: Any, folder: str) -> int:
    """Write the site into ``folder`` (created if needed); return the number of pages written."""
    from . import markdown, schema_markdown

    data = docinfo(index)
    os.makedirs(os.path.join(folder, "ops"), exist_ok=True)
    os.makedirs(os.path.join(folder, "schemas"), exist_ok=True)
    pages = 0

    def link(name: str) -> str:
        return f"../schemas/{name}.html"

    for op_id in index.operation_ids:
        text = markdown(index, op_id, link=link)
        with open(os.path.join(folder, "ops", f"{op_id}.html"), "w", encoding="utf-8") as f:
            f.write(_page(op_id, _render(text), "../"))
        pages += 1
    for name in data.get("schemas", {}):
        text = schema_markdown(index, name, link=lambda n: f"{n}.html")
        with open(os.path.join(folder, "schemas", f"{name}.html"), "w", encoding="utf-8") as f:
            f.write(_page(name, _render(text), "../"))
        pages += 1
    groups: dict[str, list[str]] = {}
    for op_id in index.operation_ids:
        tags = data["ops"].get(op_id, {}).get("tags") or ["Other"]
        groups.setdefault(tags[0], []).append(op_id)
    parts = [
        f"<h1>{html.escape(data['title'])} {html.escape(data['version'])}</h1>",
        "<input id=q type=search placeholder='Search operations (id, path, summary)' autofocus>",
        "<p id=count></p>",
    ]
    for tag, op_ids in groups.items():
        items = []
        for op_id in op_ids:
            op = index.operation(op_id)
            summary = " ".join(data["ops"].get(op_id, {}).get("summary", "").split())[:140]
            hay = f"{op_id} {op.path} {summary}".lower()
            items.append(
                f"<li class=op data-text='{html.escape(hay, quote=True)}'><span class=method>{op.method}</span> "
                f"<a href='ops/{op_id}.html'>{html.escape(op_id)}</a> <code>{html.escape(op.path)}</code>"
                f"<br><small>{html.escape(summary)}</small></li>"
            )
        parts.append(f"<section class=tag><h2>{html.escape(tag)}</h2><ul>{''.join(items)}</ul></section>")
    parts.append(f"<script>{_SEARCH}</script>")
    with open(os.path.join(folder, "index.html"), "w", encoding="utf-8") as f:
        f.write(_page(f"{data['title']} reference", "".join(parts), ""))
    return pages + 1
