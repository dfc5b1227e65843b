"""Finding operations by words: ``list WORD`` and ``docs --search WORDS``.

Text is compared as words, not as substrings: an operationId splits at its capitals, dashes
and underscores (``createVectorStoreFile`` is create/vector/store/file), a path at its
slashes and punctuation, and a word matches its plural (``files`` finds ``file``).  So
``chat`` does not find ``chatkit`` and ``file`` does not find ``profile``.  Ranking puts an
operation whose id or path is the query first, then those whose id holds every word (fewest
other words first), then path, then summary, then description.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["find", "one_line", "plain", "words"]

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORD = re.compile(r"[A-Za-z0-9]+")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def _stem(word: str) -> str:
    """One form for a word and its plural (files/file, batches/batch, entries/entry)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """The words of a text, an operationId or a path, lower-cased and singular."""
    out = []
    for token in _WORD.findall(_CAMEL.sub(" ", text)):
        out.append(_stem(token.lower()))
    return out


def plain(text: str) -> str:
    """Markdown as plain text: links as their text, no emphasis or code marks."""
    text = _LINK.sub(r"\1", text)
    return re.sub(r"\*\*|__|`", "", text)


def one_line(text: str, width: int = 100) -> str:
    """The first paragraph of a Markdown summary as plain text on one line, cut to ``width``
    at a sentence's end or else a word's."""
    for para in text.split("\n\n"):
        line = " ".join(plain(para).split()).strip("-# ")
        if not line:
            continue
        if len(line) > width:
            end = line.rfind(". ", 0, width)
            if end > 0:
                return line[: end + 1]
            cut = line.rfind(" ", 0, width)
            return line[: cut if cut > 0 else width - 1].rstrip(" ,;:") + "\u2026"
        return line
    return ""


def find(index: Any, query: str, descriptions: bool = True) -> list[str]:
    """operationIds that hold every word of ``query``, best first (see the module docstring).

    Without ``descriptions`` only ids, paths and one-line summaries count (``list WORD``).
    """
    from ..spec import snake_case

    wanted = words(query)
    if not wanted:
        return list(index.operation_ids)
    exact = query.strip().lower()
    info = None
    if descriptions:
        from ..spec import docinfo

        info = docinfo(index)["ops"]
    ranked = []
    for position, op_id in enumerate(index.operation_ids):
        op = index.operation(op_id)
        id_words = words(op_id)
        path_words = words(op.path)
        if exact in (op_id.lower(), snake_case(op_id).lower(), op.path.lower(), op.path.strip("/").lower()):
            tier = 0
        elif all(w in id_words for w in wanted):
            tier = 1
        elif all(w in path_words for w in wanted):
            tier = 2
        else:
            near = set(id_words) | set(path_words) | set(words(one_line(op.summary)))
            if all(w in near for w in wanted):
                tier = 3
            elif info is not None and all(
                w in near | set(words(plain(info.get(op_id, {}).get("description", "")))) for w in wanted
            ):
                tier = 4
            else:
                continue
        extra = len([w for w in id_words if w not in wanted])
        ranked.append((tier, extra, position, op_id))
    return [op_id for *_, op_id in sorted(ranked)]
