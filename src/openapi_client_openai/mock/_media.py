"""Real media for the mock: small PNG images and playable audio, made with the standard library."""

from __future__ import annotations

import io
import struct
import wave
import zlib

__all__ = ["AUDIO_TYPES", "audio", "png"]

AUDIO_TYPES = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
    "flac": "audio/flac",
    "opus": "audio/ogg",
    "aac": "audio/aac",
}


def png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (80, 140, 220)) -> bytes:
    """A valid RGB PNG filled with one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _pcm(seconds: float = 0.25, rate: int = 24000) -> bytes:
    # Silence: playable everywhere and identical for every seed.
    return b"\x00\x00" * int(seconds * rate)


def _wav(seconds: float = 0.25, rate: int = 24000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(_pcm(seconds, rate))
    return out.getvalue()


def _mp3(frames: int = 10) -> bytes:
    # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, mono, no padding: 417-byte frames whose zero
    # side information and main data decode as silence.
    header = bytes([0xFF, 0xFB, 0x90, 0xC4])
    return (header + b"\x00" * 413) * frames


def _flac(seconds: float = 0.25, rate: int = 24000) -> bytes:
    # A FLAC stream with one verbatim frame would need CRCs of its own; a WAV inside is not
    # FLAC, so answer with the FLAC marker and STREAMINFO of an empty stream (valid, silent).
    streaminfo = struct.pack(">HH", 4096, 4096) + b"\x00\x00\x00" * 2
    info = (rate << 12) | (0 << 9) | (15 << 4)  # sample rate, 1 channel, 16 bits
    streaminfo += struct.pack(">I", info) + b"\x00" * 4 + b"\x00" * 16
    return b"fLaC" + bytes([0x80]) + len(streaminfo).to_bytes(3, "big") + streaminfo


def audio(fmt: str) -> tuple[bytes, str]:
    """Playable audio in a response format the speech API offers; returns (bytes, content type)."""
    fmt = fmt or "mp3"
    if fmt == "wav":
        return _wav(), AUDIO_TYPES["wav"]
    if fmt == "pcm":
        return _pcm(), AUDIO_TYPES["pcm"]
    if fmt == "flac":
        return _flac(), AUDIO_TYPES["flac"]
    return _mp3(), "audio/mpeg"  # opus and aac: not made yet; the content type says what it is
