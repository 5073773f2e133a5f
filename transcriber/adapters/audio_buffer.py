"""Where a downloaded blob's audio lives: one buffer of its size, filled chunk by chunk.

The storage SDK's `readall()` collects chunks in a BytesIO and then copies them out, so a blob
briefly costs twice its size; `readinto` a `BufferWriter` over a preallocated bytearray costs it
once, and the Speech upload then streams from that same buffer. A `BufferReader` is the other
way: audio already in memory (a request body's multipart file, a view into it) uploaded to
storage in the SDK's blocks, never copied whole (the SDK reads a stream of 64 MiB or less in one
read, as it would copy bytes).
"""

from __future__ import annotations

import io
from typing import Any

__all__ = ["BufferReader", "BufferWriter"]


class _Window(io.RawIOBase):
    """A seekable window onto a buffer in memory."""

    def __init__(self, view: memoryview) -> None:
        super().__init__()
        self._view = view.cast("B")
        self._position = 0

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._view)}[whence]
        self._position = max(0, base + offset)
        return self._position


class BufferWriter(_Window):
    """A writable window onto a preallocated buffer: the download's destination."""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        size = len(data)
        if self._position + size > len(self._view):
            raise ValueError("the blob grew while it was downloaded")
        self._view[self._position : self._position + size] = data
        self._position += size
        return size


class BufferReader(_Window):
    """A readable window onto audio in memory: an upload's source."""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view), self._position + size)
        piece = bytes(self._view[self._position : end])
        self._position = max(self._position, end)
        return piece

    def readinto(self, buffer: Any) -> int:
        piece = self.read(len(buffer))
        buffer[: len(piece)] = piece
        return len(piece)
