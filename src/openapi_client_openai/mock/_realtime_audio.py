"""Audio the realtime mock speaks: a soft tone as PCM16 (24 kHz mono, little-endian) or G.711
(8 kHz, mu-law or A-law, encoded here: ``audioop`` left the standard library in 3.13)."""

from __future__ import annotations

import math
import struct

__all__ = ["FORMATS", "tone"]

FORMATS = {"pcm16": 24000, "g711_ulaw": 8000, "g711_alaw": 8000}
_CACHE: dict[tuple[str, float], bytes] = {}


def _samples(seconds: float, rate: int) -> list[int]:
    n = int(seconds * rate)
    fade = max(1, rate // 100)  # 10 ms in and out: no click
    return [int(6000 * math.sin(2 * math.pi * 440 * i / rate) * min(1.0, i / fade, (n - i) / fade)) for i in range(n)]


def _ulaw(sample: int) -> int:
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), 32635) + 0x84
    exponent = max(0, magnitude.bit_length() - 8)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def _alaw(sample: int) -> int:
    sign = 0x80 if sample >= 0 else 0
    magnitude = min(abs(sample), 32767) >> 3
    if magnitude < 32:
        code = magnitude >> 1
    else:
        exponent = magnitude.bit_length() - 5
        code = (exponent << 4) | ((magnitude >> exponent) & 0x0F)
    return (sign | code) ^ 0x55


def tone(fmt: str, seconds: float) -> bytes:
    """``seconds`` of a 440 Hz tone in ``fmt`` (``pcm16``, ``g711_ulaw`` or ``g711_alaw``)."""
    key = (fmt, seconds)
    found = _CACHE.get(key)
    if found is None:
        samples = _samples(seconds, FORMATS[fmt])
        if fmt == "pcm16":
            found = struct.pack(f"<{len(samples)}h", *samples)
        else:
            found = bytes(map(_ulaw if fmt == "g711_ulaw" else _alaw, samples))
        _CACHE[key] = found
    return found
