"""How long a recording says it is, from its container header alone (WAV, RF64, FLAC).

Only declared values count; no answer (None) leaves the last word to the service.
"""

from __future__ import annotations

import struct

__all__ = ["HEAD_BYTES", "declared_seconds"]

HEAD_BYTES = 64 * 1024  # room for WAV LIST/bext/iXML chunks before `data`, and ID3 before FLAC
_UNKNOWN_SIZES = (0, 0xFFFFFFFF)


def declared_seconds(head: bytes, size: int) -> float | None:
    """The duration the header declares; `size` is the whole file's, for streaming WAVs."""
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return _wav_seconds(head, size)
    flac = _id3_length(head) if head[:3] == b"ID3" else 0
    if head[flac : flac + 4] == b"fLaC":
        return _flac_seconds(head, flac + 4)
    return None


def _wav_seconds(head: bytes, size: int) -> float | None:
    """RIFF chunks: `fmt ` gives the byte rate, `data` (or RF64's `ds64`) the audio's length."""
    byte_rate = 0
    data_size: int | None = None
    offset = 12
    while offset + 8 <= len(head):
        chunk, length = head[offset : offset + 4], struct.unpack_from("<I", head, offset + 4)[0]
        body = offset + 8
        if chunk == b"ds64" and length >= 16 and body + 16 <= len(head):
            data_size = struct.unpack_from("<Q", head, body + 8)[0]
        elif chunk == b"fmt " and body + 12 <= len(head):
            byte_rate = struct.unpack_from("<I", head, body + 8)[0]
        elif chunk == b"data":
            if data_size is None:
                data_size = length if length not in _UNKNOWN_SIZES else max(0, size - body)
            break
        offset = body + length + (length & 1)  # chunks are padded to an even length
    else:
        return None
    return data_size / byte_rate if byte_rate and data_size else None


def _flac_seconds(head: bytes, offset: int) -> float | None:
    """STREAMINFO, the first metadata block: 20-bit sample rate and 36-bit total samples."""
    if len(head) < offset + 4 + 18 or head[offset] & 0x7F != 0:
        return None
    packed = int.from_bytes(head[offset + 4 + 10 : offset + 4 + 18], "big")
    rate = packed >> 44
    samples = packed & ((1 << 36) - 1)
    return samples / rate if rate and samples else None


def _id3_length(head: bytes) -> int:
    """Size of a leading ID3v2 tag (syncsafe length), which some FLAC files carry."""
    if len(head) < 10:
        return 0
    size = 0
    for byte in head[6:10]:
        size = (size << 7) | (byte & 0x7F)
    return 10 + size
