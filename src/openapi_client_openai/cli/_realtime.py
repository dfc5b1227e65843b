"""``openapi-client-openai realtime --model M``: a text session with the Realtime API in the terminal.

Each line typed is sent as a user message, and the answer's text is printed as its deltas arrive;
an ``error`` event is shown and the session goes on; end of input (Ctrl-D) closes it.  Function
calls and audio are not played here: the session asks for text only.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

__all__ = ["text_session"]

_TEXT_DELTAS = ("response.output_text.delta", "response.text.delta")


def text_session(
    client: Any, model: str, beta: bool, instructions: str | None, stdin: TextIO, out: TextIO, err: TextIO, tty: bool
) -> int:
    """Run the session (see the module docstring); return the exit status (0 at end of input)."""
    session: dict[str, Any] = {"modalities": ["text"]} if beta else {"type": "realtime", "output_modalities": ["text"]}
    if instructions:
        session["instructions"] = instructions
    with client.realtime.connect(model=model, beta=beta, raise_errors=False) as conn:
        conn.session.update(session=session)
        _until(conn, ("session.updated",), out, err)
        if tty:
            err.write(f"realtime session with {model} ({conn.family}); type a message, Ctrl-D to end\n")
        while True:
            if tty:
                err.write("> ")
                err.flush()
            line = stdin.readline()
            if not line:
                return 0
            text = line.rstrip("\n")
            if not text.strip():
                continue
            item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
            conn.conversation.item.create(item=item)
            conn.response.create()
            done = _until(conn, ("response.done",), out, err)
            out.write("\n")
            out.flush()
            status = (done.get("response") or {}).get("status")
            if status not in (None, "completed"):
                err.write(f"(the response ended {status})\n")


def _until(conn: Any, kinds: tuple[str, ...], out: TextIO, err: TextIO) -> dict[str, Any]:
    """Print text deltas and errors until an event of one of ``kinds``; return that event."""
    for event in conn:
        kind = event.get("type")
        if kind in _TEXT_DELTAS:
            out.write(event.get("delta") or "")
            out.flush()
        elif kind == "error":
            error = event.get("error") or {}
            err.write(f"error: {error.get('message')} (code {error.get('code')}, param {error.get('param')})\n")
            if "session.updated" in kinds:  # the settings were refused: nothing would work
                return event
        if kind in kinds:
            return event
    from .._errors import APIConnectionError

    raise APIConnectionError("the server closed the realtime session")
