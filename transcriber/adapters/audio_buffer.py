"""Where a downloaded blob's audio lives: one buffer of its size, filled chunk by chunk.

The storage SDK's `readall()` collects chunks in a BytesIO and then copies them out, so a blob
briefly costs twice its size; `readinto` a `BufferWriter` over a preallocated bytearray costs it
once, and the Speech upload then streams from that same buffer.
"""

from __future__ import annotations

import io
from typing import Any

__all__ = ["BufferWriter"]


class BufferWriter(io.RawIOBase):
    """A writable, seekable window onto a preallocated buffer: the download's destination."""

    def __init__(self, view: memoryview) -> None:
        super().__init__()
        self._view = view
        self._position = 0

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._view)}[whence]
        self._position = base + offset
        return self._position

    def write(self, data: Any) -> int:
        size = len(data)
        if self._position + size > len(self._view):
            raise ValueError("the blob grew while it was downloaded")
        self._view[self._position : self._position + size] = data
        self._position += size
        return size
