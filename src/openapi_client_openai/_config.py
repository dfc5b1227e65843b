"""Configuration values: ``Timeout``, ``Limits`` and the ``UNSET`` sentinel.

``UNSET`` lets a per-call ``timeout=`` tell "not given" (use the client's) apart from ``None``
("no timeout"), as httpx does.  ``Timeout`` is a small value object so that a call can be
timed without importing httpx: the lean transport never needs it.
"""

from __future__ import annotations

from ._errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CONNECT_TIMEOUT", "UNSET", "Limits", "Timeout", "check_seconds"]

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


class Limits:
    """How many connections a client keeps: ``limits=Limits(max_connections=10)``.

    ``max_connections`` bounds the connections open at once (``None``: no bound; a request
    then waits up to the pool timeout for one), ``max_keepalive_connections`` how many idle
    ones are kept for reuse, and ``keepalive_expiry`` for how many seconds an idle one may be
    reused.  An ``httpx.Limits`` is taken as it is.
    """

    __slots__ = ("keepalive_expiry", "max_connections", "max_keepalive_connections")

    def __init__(
        self,
        max_connections: int | None = None,
        max_keepalive_connections: int | None = 20,
        keepalive_expiry: float | None = 5.0,
    ) -> None:
        for name, value in (
            ("max_connections", max_connections),
            ("max_keepalive_connections", max_keepalive_connections),
        ):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ConfigError(f"{name} must be a whole number >= 0 or None, not {value!r}")
        if max_connections == 0:
            raise ConfigError("max_connections must be at least 1 (None: no bound)")
        self.max_connections = max_connections
        self.max_keepalive_connections = max_keepalive_connections
        self.keepalive_expiry = check_seconds("keepalive_expiry", keepalive_expiry)

    @classmethod
    def of(cls, value: Any) -> Limits:
        """Turn a ``Limits``, an ``httpx.Limits`` (duck-typed) or ``None`` (the defaults) into a ``Limits``."""
        if value is None:
            return cls()
        if isinstance(value, Limits):
            return value
        if all(hasattr(value, name) for name in cls.__slots__):
            return cls(value.max_connections, value.max_keepalive_connections, value.keepalive_expiry)
        raise ConfigError(f"limits must be a Limits (or an httpx.Limits), not {type(value).__name__}")

    @property
    def keep_idle(self) -> int:
        """How many idle connections may be kept (no bound given: as many as may be open)."""
        if self.max_keepalive_connections is None:
            return self.max_connections if self.max_connections is not None else 1 << 30
        if self.max_connections is not None:
            return min(self.max_keepalive_connections, self.max_connections)
        return self.max_keepalive_connections

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Limits):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def _values(self) -> tuple:
        return (self.max_connections, self.max_keepalive_connections, self.keepalive_expiry)

    def __repr__(self) -> str:
        return (
            f"Limits(max_connections={self.max_connections}, max_keepalive_connections="
            f"{self.max_keepalive_connections}, keepalive_expiry={self.keepalive_expiry})"
        )
