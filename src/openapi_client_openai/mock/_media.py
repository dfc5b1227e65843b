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


def _aac(frames: int = 12, rate_index: int = 6) -> bytes:
    # AAC-LC in ADTS frames, each a single-channel element with no spectral data (silence):
    # 3+4+8+1+2+1+6+4 bits of zeros and an END element ("111"), 1024 samples at 24 kHz.
    payload = bytes([0x00, 0x00, 0x00, 0x07])
    length = 7 + len(payload)
    header = bytes(
        [
            0xFF,
            0xF1,
            (1 << 6) | (rate_index << 2),
            (1 << 6) | (length >> 11),
            (length >> 3) & 0xFF,
            ((length & 7) << 5) | 0x1F,
            0xFC,
        ]
    )
    return (header + payload) * frames


def _encoded(fmt: str, subtype: str, seconds: float = 0.25, rate: int = 24000) -> bytes | None:
    # FLAC and Ogg Opus need real encoders: libsndfile's, through soundfile (the mock extra).
    try:
        import numpy
        import soundfile
    except ImportError:
        return None
    out = io.BytesIO()
    soundfile.write(out, numpy.zeros(int(seconds * rate), dtype="int16"), rate, format=fmt, subtype=subtype)
    return out.getvalue()


def audio(fmt: str) -> tuple[bytes, str]:
    """Playable audio in a response format the speech API offers; returns (bytes, content type).

    Without soundfile, FLAC and opus come as WAV; the content type always says what the bytes
    are.
    """
    fmt = fmt or "mp3"
    if fmt == "wav":
        return _wav(), AUDIO_TYPES["wav"]
    if fmt == "pcm":
        return _pcm(), AUDIO_TYPES["pcm"]
    if fmt in ("flac", "opus"):
        data = _encoded("FLAC", "PCM_16") if fmt == "flac" else _encoded("OGG", "OPUS")
        if data is not None:
            return data, AUDIO_TYPES[fmt]
        return _wav(), AUDIO_TYPES["wav"]
    if fmt == "aac":
        return _aac(), AUDIO_TYPES["aac"]
    return _mp3(), AUDIO_TYPES["mp3"]
