"""Placeholder media for operations that answer a file (recordings, greetings, images, exports)."""

from __future__ import annotations

import struct
import zlib

# `audio/*` answers a concrete type a player can open; specific types keep their own
_CONCRETE = {"audio/*": "audio/wav", "image/*": "image/png", "video/*": "video/mp4"}


def _wav(seconds: float = 0.1, rate: int = 8000) -> bytes:
    """Silent 8-bit mono PCM: a file every audio library opens."""
    samples = bytes([128]) * int(seconds * rate)
    # PCM, one channel, `rate` bytes a second, one byte a sample
    header = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate, 1, 8)
    data = b"data" + struct.pack("<I", len(samples)) + samples
    return b"RIFF" + struct.pack("<I", 4 + len(header) + len(data)) + b"WAVE" + header + data


def _mp3() -> bytes:
    """One silent MPEG-1 Layer III frame (128 kbit/s, 44.1 kHz, 417 bytes)."""
    return b"\xff\xfb\x90\x64" + bytes(413)


def _png() -> bytes:
    """A 1x1 transparent PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    head = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x00\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _pdf() -> bytes:
    """An empty one-page PDF."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


_BODIES = {"audio/wav": _wav, "audio/mpeg": _mp3, "image/png": _png, "application/pdf": _pdf}


def placeholder(media: str) -> tuple[str, bytes]:
    """The content type and bytes answered for a documented media type (empty when unknown)."""
    concrete = _CONCRETE.get(media, media)
    make = _BODIES.get(concrete)
    return concrete, make() if make else b""


def is_file(media: str) -> bool:
    """Whether an answer's media type is a file rather than JSON."""
    return bool(media) and "json" not in media and not media.startswith("multipart/")
