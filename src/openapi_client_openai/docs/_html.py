"""The static HTML documentation site: plain files, no CDN, no web fonts, readable on a phone.

Every operation page has the sidebar people know from API references (the spec's navigation
groups and sections, see ``spec/_docinfo._navigation``), its parameters and request body as
a tree whose nested fields fold (``<details>``) and each of which has an anchor to link to,
its examples in Python and on the command line, the spec's example answer, and the answers.
Code is highlighted by Pygments into CSS classes; descriptions are Markdown (markdown-it).
Both come with rich, which the ``cli`` extra installs.
"""

from __future__ import annotations

import html
import os
import re
from typing import Any

from ..spec import docinfo
from ..spec._docinfo import shorten
from ..spec._text import answer_example, examples

__all__ = ["write_site"]

# How many levels of named schemas a field tree unfolds inline; deeper ones are links.
_SCHEMA_DEPTH = 2

_CSS = """
*{box-sizing:border-box}
body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f23;background:#fff}
a{color:#0b63c5;text-decoration:none}a:hover{text-decoration:underline}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em}
:not(pre)>code{background:#f1f3f5;padding:.05em .3em;border-radius:4px;overflow-wrap:anywhere}
pre{padding:.8rem;overflow-x:auto;border-radius:6px;margin:.4rem 0 1rem;line-height:1.45}
.hl{background:#f6f8fa;border-radius:6px}
header.top{position:sticky;top:0;z-index:2;display:flex;gap:.8rem;align-items:center;
 padding:.55rem 1rem;background:#0b2540}
header.top a{color:#fff;font-weight:600}
#menu{display:none;font:inherit;color:#fff;background:#1d4f80;border:0;border-radius:4px;padding:.2rem .7rem}
.layout{display:flex;align-items:flex-start}
nav.side{position:sticky;top:2.6rem;flex:0 0 17.5rem;height:calc(100vh - 2.6rem);overflow-y:auto;
 padding:.6rem .8rem 2rem;border-right:1px solid #e3e6ea;background:#fafbfc;font-size:.9rem}
nav.side summary{font-weight:700;cursor:pointer;padding:.3rem 0}
nav.side .section{margin:.5rem 0 .1rem;color:#57606a;font-size:.75rem;text-transform:uppercase;letter-spacing:.04em}
nav.side ul{list-style:none;margin:0;padding:0 0 0 .4rem}
nav.side li{margin:.1rem 0}
nav.side a[aria-current]{font-weight:700;color:#1b1f23}
.badge{font-size:.7rem;font-weight:600;color:#8250df;border:1px solid #d8b9ff;border-radius:1rem;padding:0 .4rem;
 margin-left:.3rem}
main{flex:1;min-width:0;max-width:62rem;padding:1rem 1.6rem 4rem}
h1{font-size:1.6rem;margin:.6rem 0;overflow-wrap:anywhere}h2{font-size:1.2rem;margin-top:2.2rem}
h3{font-size:1rem;margin-top:1.4rem}
p,li{overflow-wrap:anywhere}
.route{font-family:ui-monospace,Menlo,monospace;background:#f1f3f5;border-radius:6px;padding:.4rem .6rem;
 display:inline-block;overflow-wrap:anywhere}
.method{display:inline-block;min-width:3.6rem;font-weight:700;color:#1a7f37}
ul.fields{list-style:none;padding-left:0;margin:.3rem 0}
ul.fields ul.fields{padding-left:1rem;border-left:2px solid #e3e6ea}
li.field{padding:.45rem 0;border-top:1px solid #eef0f2}
.fhead{display:flex;flex-wrap:wrap;gap:.15rem .5rem;align-items:baseline}
.fname{font-weight:700;background:none;padding:0}
.ftype{color:#57606a;font-size:.9rem}.req{color:#cf222e;font-size:.8rem;font-weight:600}
.opt{color:#57606a;font-size:.8rem}.extras{color:#57606a;font-size:.85rem}
.fdesc p{margin:.2rem 0}
a.anchor{color:#8c959f;font-weight:400;visibility:hidden}
li.field:hover>.fhead a.anchor,h2:hover a.anchor,a.anchor:focus{visibility:visible}
:target{scroll-margin-top:3.2rem}li.field:target{background:#fff8c5}
details.nest>summary{cursor:pointer;color:#0b63c5;font-size:.88rem;margin:.2rem 0}
input[type=search]{width:100%;font-size:1.05rem;padding:.5rem;margin:.5rem 0 .6rem}
li.op{margin:.3rem 0;list-style:none}ul.ops{padding-left:0}
.hidden{display:none}
@media (max-width:800px){
 #menu{display:inline-block}
 nav.side{display:none;position:fixed;top:2.6rem;left:0;right:0;z-index:3;height:calc(100vh - 2.6rem);
  flex:none;width:100%}
 body.menu-open nav.side{display:block}
 main{padding:.8rem .9rem 3rem}
 a.anchor{visibility:visible}
}
"""

_MENU = """
const menu=document.getElementById('menu');
if(menu){menu.addEventListener('click',()=>{const open=document.body.classList.toggle('menu-open');
 menu.setAttribute('aria-expanded',open);});}
"""

_SEARCH = """
const box=document.getElementById('q');
function filter(){const words=box.value.toLowerCase().split(/\\s+/).filter(Boolean);
 let shown=0;for(const li of document.querySelectorAll('li.op')){
  const hit=words.every(w=>li.dataset.text.includes(w));li.classList.toggle('hidden',!hit);if(hit)shown++;}
 for(const sec of document.querySelectorAll('.sec, section.tag')){
  sec.classList.toggle('hidden',!sec.querySelector('li.op:not(.hidden)'));}
 document.getElementById('count').textContent=shown+' operations';}
box.addEventListener('input',filter);
const q=new URLSearchParams(location.search).get('q');if(q){box.value=q;}filter();
"""


class _Site:
    """What every page needs: the spec's docs, Markdown and code rendering, the sidebar."""

    def __init__(self, index: Any) -> None:
        from markdown_it import MarkdownIt
        from pygments.formatters import HtmlFormatter

        self.index = index
        self.data = docinfo(index)
        self.formatter = HtmlFormatter(cssclass="hl")
        self.md = MarkdownIt("commonmark", {"html": False, "highlight": self._fence}).enable("table")
        self.schemas = self.data.get("schemas", {})

    # -- text --------------------------------------------------------------------------------

    def code(self, text: str, lang: str) -> str:
        """Highlighted code in a ``<div class=hl><pre>``."""
        from pygments import highlight
        from pygments.lexers import get_lexer_by_name
        from pygments.util import ClassNotFound

        try:
            lexer = get_lexer_by_name(lang or "text")
        except ClassNotFound:
            lexer = get_lexer_by_name("text")
        return highlight(text, lexer, self.formatter)

    def _fence(self, text: str, lang: str, attrs: str) -> str:
        # markdown-it puts what this returns inside its own <pre><code> unless it starts with <pre.
        highlighted = self.code(text, lang).replace('<div class="hl"><pre>', '<pre class="hl">', 1)
        return highlighted.rsplit("</div>", 1)[0]

    def block(self, text: str) -> str:
        return self.md.render(text)

    def inline(self, text: str) -> str:
        return self.md.renderInline(text)

    def linked(self, kind: str, root: str) -> str:
        """A type text (``array of X or string``) with schema names as links."""
        return re.sub(
            r"[A-Za-z_][A-Za-z0-9_]*",
            lambda m: (
                f"<a href='{root}schemas/{m.group(0)}.html'>{m.group(0)}</a>"
                if m.group(0) in self.schemas
                else m.group(0)
            ),
            html.escape(kind),
        )

    # -- field trees ---------------------------------------------------------------------------

    def fields(self, fields: list, prefix: str, root: str, seen: set[str], ids: set[str], level: int = 0) -> str:
        """Fields (``(depth, name, type, required, text, extras)``, depth-first) as a folding tree."""
        items = []
        i = 0
        while i < len(fields):
            depth, name, kind, required, text, extras = fields[i]
            j = i + 1
            while j < len(fields) and fields[j][0] > depth:
                j += 1
            anchor = _unique(f"{prefix}-{name}", ids)
            children = ""
            if j > i + 1:
                inner = [(d - depth - 1, *rest) for d, *rest in fields[i + 1 : j]]
                children = self._nest(f"{j - i - 1} nested fields", self.fields(inner, anchor, root, seen, ids, level))
            elif level < _SCHEMA_DEPTH:
                children = self._named(kind, anchor, root, seen, ids, level + 1)
            items.append(self._field(anchor, name, kind, required, text, extras, root) + children + "</li>")
            i = j
        return f"<ul class=fields>{''.join(items)}</ul>"

    def _named(self, kind: str, prefix: str, root: str, seen: set[str], ids: set[str], level: int) -> str:
        """The fields of each schema a type names (not yet unfolded on this branch), folded."""
        out = []
        for name in dict.fromkeys(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", kind)):
            schema = self.schemas.get(name)
            if not schema or not schema["fields"] or name in seen:
                continue
            tree = self.fields(schema["fields"], f"{prefix}-{name}", root, seen | {name}, ids, level)
            out.append(self._nest(f"{name}: {_count(schema['fields'])} fields", tree))
        return "".join(out)

    @staticmethod
    def _nest(label: str, body: str) -> str:
        return f"<details class=nest><summary>{html.escape(label)}</summary>{body}</details>"

    def _field(self, anchor: str, name: str, kind: str, required: bool, text: str, extras: str, root: str) -> str:
        need = "<span class=req>required</span>" if required else "<span class=opt>optional</span>"
        head = (
            f"<li class=field id='{anchor}'><div class=fhead>"
            f"<a class=anchor href='#{anchor}' aria-label='link to {html.escape(name)}'>#</a>"
            f"<code class=fname>{html.escape(name)}</code>"
            f"<span class=ftype>{self.linked(kind, root)}</span>{need}</div>"
        )
        desc = f"<div class=fdesc><p>{self.inline(text)}</p></div>" if text else ""
        more = f"<div class=extras>{html.escape(extras)}</div>" if extras else ""
        return head + desc + more

    # -- pages ---------------------------------------------------------------------------------

    def sidebar(self, current: str, root: str) -> str:
        parts = []
        for title, badge, sections in self.data["navigation"]:
            here = any(current in ops for _, ops in sections)
            label = html.escape(title or "Operations") + (f"<span class=badge>{badge}</span>" if badge else "")
            inner = []
            for section, ops in sections:
                links = "".join(
                    f"<li><a href='{root}ops/{op_id}.html'{' aria-current=page' if op_id == current else ''}>"
                    f"{html.escape(self.label(op_id))}</a></li>"
                    for op_id in ops
                )
                inner.append(f"<p class=section>{html.escape(section)}</p><ul>{links}</ul>")
            parts.append(f"<details{' open' if here else ''}><summary>{label}</summary>{''.join(inner)}</details>")
        return f"<nav class=side id=side aria-label='Operations'>{''.join(parts)}</nav>"

    def label(self, op_id: str) -> str:
        return self.data["ops"].get(op_id, {}).get("name") or op_id

    def page(self, title: str, body: str, root: str, current: str | None) -> str:
        side = self.sidebar(current or "", root) if current is not None else ""
        menu = "<button id=menu aria-controls=side aria-expanded=false>Menu</button>" if side else ""
        return (
            "<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width,initial-scale=1'>"
            f"<title>{html.escape(title)}</title><link rel=stylesheet href='{root}style.css'></head><body>"
            f"<header class=top>{menu}<a href='{root}index.html'>{html.escape(self.data['title'])} reference</a>"
            f"</header><div class=layout>{side}<main>{body}</main></div><script>{_MENU}</script></body></html>"
        )

    def operation(self, op_id: str) -> str:
        op = self.index.operation(op_id)
        info = self.data["ops"][op_id]
        ids: set[str] = set()
        route = f"{op.path}{'?' + op.static_query if op.static_query else ''}"
        out = [
            f"<h1>{html.escape(self.label(op_id))}</h1>",
            f"<p class=route><span class=method>{op.method}</span>{html.escape(route)}</p>",
            f"<p><code>client.{html.escape(_snake(op_id))}(...)</code> &middot; operationId "
            f"<code>{html.escape(op_id)}</code></p>",
        ]
        if op.deprecated:
            out.append("<p><strong>Deprecated.</strong></p>")
        summary, description = info["summary"].strip(), info["description"].strip()
        if summary:
            out.append(self.block(summary))
        if description and description != summary:
            out.append(self.block(description))
        if info["params"]:
            rows = []
            for pname, location, required, kind, text, extras in info["params"]:
                prm = op.by_kwarg.get(pname) or op.by_kwarg.get(pname[:-2])
                kwarg = prm.kwarg if prm is not None else pname
                anchor = _unique(f"param-{kwarg}", ids)
                rows.append(self._field(anchor, kwarg, f"{location}, {kind}", required, text, extras, "../") + "</li>")
            out.append(_heading("Parameters", "parameters", ids) + f"<ul class=fields>{''.join(rows)}</ul>")
        for ctype, fields in info["body"].items():
            need = "required" if info["body_required"] else "optional"
            out.append(_heading(f"Request body ({ctype}, {need})", f"body-{ctype.split('/')[-1]}", ids))
            out.append(self.fields(fields, "body", "../", set(), ids))
        if info["models"]:
            names = ", ".join(f"<code>{html.escape(m)}</code>" for m in info["models"])
            out.append(
                _heading("Known models", "models", ids) + f"<p>{names} (any other model name is accepted too)</p>"
            )
        for item in examples(self.index, op_id):
            out.append(_heading(item.title, item.title.lower().replace(": ", "-"), ids))
            out.append("<h3>Python</h3>" + self.code(item.python, "python"))
            out.append("<h3>Command line</h3>" + self.code(item.command, "bash"))
        answer, lang = answer_example(self.index, op_id)
        if answer:
            out.append(
                _heading("Example answer", "example-answer", ids) + "<p>From the spec:</p>" + self.code(answer, lang)
            )
        rows = []
        for status, text, kinds in info["answers"]:
            shown = ", ".join(f"{html.escape(c)}: {self.linked(k, '../')}" for c, k in kinds.items()) or "no body"
            rows.append(f"<li><strong>{html.escape(status)}</strong> {self.inline(text)} ({shown})</li>")
        out.append(_heading("Answers", "answers", ids) + f"<ul>{''.join(rows)}</ul>")
        return self.page(op_id, "".join(out), "../", op_id)

    def schema(self, name: str) -> str:
        data = self.schemas[name]
        ids: set[str] = set()
        out = [f"<h1>{html.escape(name)}</h1>", f"<p>Type: {self.linked(data['type'], '../')}</p>"]
        if data["description"]:
            out.append(self.block(data["description"]))
        if data["fields"]:
            out.append(_heading("Fields", "fields", ids) + self.fields(data["fields"], "field", "../", {name}, ids))
        return self.page(name, "".join(out), "../", None)

    def home(self) -> str:
        parts = [
            f"<h1>{html.escape(self.data['title'])} {html.escape(self.data['version'])}</h1>",
            "<input id=q type=search placeholder='Search operations (id, path, summary)' aria-label=Search autofocus>",
            "<p id=count></p>",
            "<p>The Realtime API's WebSocket events: <a href='realtime.html'>Realtime events</a></p>",
        ]
        for title, badge, sections in self.data["navigation"]:
            secs = []
            for section, ops in sections:
                items = []
                for op_id in ops:
                    op = self.index.operation(op_id)
                    first = self.data["ops"][op_id]["summary"].strip().split("\n\n")[0]
                    summary = shorten(" ".join(first.split()), 160)
                    hay = f"{op_id} {op.path} {_plain(summary)}".lower()
                    items.append(
                        f"<li class=op data-text='{html.escape(hay, quote=True)}'>"
                        f"<span class=method>{op.method}</span> "
                        f"<a href='ops/{op_id}.html'>{html.escape(op_id)}</a> <code>{html.escape(op.path)}</code>"
                        f"<br><small>{self.inline(summary)}</small></li>"
                    )
                secs.append(f"<div class=sec><h3>{html.escape(section)}</h3><ul class=ops>{''.join(items)}</ul></div>")
            badge_html = f"<span class=badge>{badge}</span>" if badge else ""
            parts.append(
                f"<section class=tag><h2>{html.escape(title or 'Operations')}{badge_html}</h2>{''.join(secs)}</section>"
            )
        parts.append(f"<script>{_SEARCH}</script>")
        return self.page(f"{self.data['title']} reference", "".join(parts), "", None)

    def realtime(self) -> str:
        """The page of the Realtime API's events (``_realtime``), schema names linked."""
        from ._realtime import realtime_markdown

        text = realtime_markdown(self.index, lambda name: f"schemas/{name}.html")
        return self.page("Realtime events", self.block(text), "", None)

    def css(self) -> str:
        return _CSS + self.formatter.get_style_defs(".hl")


def _snake(op_id: str) -> str:
    from ..spec import snake_case

    return snake_case(op_id)


def _count(fields: list) -> int:
    return sum(1 for f in fields if f[0] == 0)


def _unique(anchor: str, ids: set[str]) -> str:
    """An element id not yet used on the page (a name may repeat under different parents)."""
    anchor = re.sub(r"[^A-Za-z0-9_.-]", "_", anchor)
    found, n = anchor, 1
    while found in ids:
        n += 1
        found = f"{anchor}-{n}"
    ids.add(found)
    return found


def _heading(text: str, anchor: str, ids: set[str]) -> str:
    anchor = _unique(anchor, ids)
    link = f"<a class=anchor href='#{anchor}' aria-label='link to this section'>#</a>"
    return f"<h2 id='{anchor}'>{html.escape(text)} {link}</h2>"


_LINKS = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _plain(text: str) -> str:
    """Markdown as plain text (links as their text, no emphasis marks), for the search index."""
    return _LINKS.sub(r"\1", text).replace("**", "").replace("`", "")


def write_site(index: Any, folder: str) -> int:
    """Write the site into ``folder`` (created if needed); return the number of pages written."""
    site = _Site(index)
    os.makedirs(os.path.join(folder, "ops"), exist_ok=True)
    os.makedirs(os.path.join(folder, "schemas"), exist_ok=True)

    def write(path: str, text: str) -> None:
        with open(os.path.join(folder, path), "w", encoding="utf-8") as f:
            f.write(text)

    write("style.css", site.css())
    pages = 0
    for op_id in index.operation_ids:
        write(os.path.join("ops", f"{op_id}.html"), site.operation(op_id))
        pages += 1
    for name in site.schemas:
        write(os.path.join("schemas", f"{name}.html"), site.schema(name))
        pages += 1
    write("realtime.html", site.realtime())
    write("index.html", site.home())
    return pages + 2
