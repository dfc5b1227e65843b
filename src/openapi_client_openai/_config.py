"""Configuration values: ``Timeout`` and the ``UNSET`` sentinel.

``UNSET`` lets a per-call ``timeout=`` tell "not given" (use the client's) apart from ``None``
("no timeout"), as httpx does.  ``Timeout`` is a small value object so that a call can be
timed without importing httpx: the lean transport never needs it.
"""

from __future__ import annotations

from ._errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CONNECT_TIMEOUT", "UNSET", "Timeout", "check_seconds"]

CONNECT_TIMEOUT = 5.0
MAX_SECONDS = 1e6  # 11 days; sockets cannot take much more (time_t), and None means no limit


class _Unset:
    """The type of ``UNSET``: an argument that was not given."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


def check_seconds(name: str, value: Any, allow_none: bool = True) -> float | None:
    """Return ``value`` as seconds, or raise ``ConfigError`` (a ``ValueError``) naming ``name``."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_SECONDS:
        allowed = f"a positive number of seconds up to {MAX_SECONDS:.0f}"
        allowed += " or None (no limit)" if allow_none else ""
        raise ConfigError(f"{name} must be {allowed}, not {value!r}")
    return float(value)


class Timeout:
    """How long each phase of a request may take, in seconds (``None``: no limit).

    ``Timeout(60)`` allows 60 s to read and write and 5 s (at most 60) to connect;
    ``Timeout(60, connect=2)`` sets the connect time too.  An ``httpx.Timeout`` is taken as it is.
    """

    __slots__ = ("connect", "pool", "read", "write")

    def __init__(
        self,
        timeout: float | None = None,
        *,
        connect: Any = UNSET,
        read: Any = UNSET,
        write: Any = UNSET,
        pool: Any = UNSET,
    ) -> None:
        seconds = check_seconds("timeout", timeout)
        default_connect = None if seconds is None else min(CONNECT_TIMEOUT, seconds)
        self.connect = default_connect if connect is UNSET else check_seconds("connect", connect)
        self.read = seconds if read is UNSET else check_seconds("read", read)
        self.write = seconds if write is UNSET else check_seconds("write", write)
        self.pool = seconds if pool is UNSET else check_seconds("pool", pool)

    @classmethod
    def of(cls, value: Any) -> Timeout:
        """Turn seconds, ``None``, a ``Timeout`` or an ``httpx.Timeout`` into a ``Timeout``."""
        if isinstance(value, Timeout):
            return value
        if hasattr(value, "read") and hasattr(value, "connect"):  # httpx.Timeout, duck-typed
            read = value.read
            write, pool = getattr(value, "write", read), getattr(value, "pool", read)
            return cls(None, connect=value.connect, read=read, write=write, pool=pool)
        return cls(value)

    def with_read(self, seconds: float | None) -> Timeout:
        """A copy whose read timeout is at most ``seconds`` (for idle limits on streams)."""
        if seconds is None or (self.read is not None and self.read <= seconds):
            return self
        made = Timeout(None)
        made.connect, made.write, made.pool = self.connect, self.write, self.pool
        made.read = seconds
        return made

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Timeout):
            return NotImplemented
        return (self.connect, self.read, self.write, self.pool) == (other.connect, other.read, other.write, other.pool)

    def __hash__(self) -> int:
        return hash((self.connect, self.read, self.write, self.pool))

    def __repr__(self) -> str:
        # getattr: a Timeout that refused its arguments is still shown in tracebacks with locals
        parts = (f"{name}={getattr(self, name, '?')}" for name in ("connect", "read", "write", "pool"))
        return f"Timeout({', '.join(parts)})"
