"""The multipart `audio` part: streamed from the caller's buffer, whole again on every retry.

azure-core builds a fresh form for each try; this payload re-streams one read-only view, never a copy.
"""

from __future__ import annotations

from typing import Any

from aiohttp import payload
from aiohttp.abc import AbstractStreamWriter

__all__ = ["CHUNK_BYTES", "AudioPayload"]

CHUNK_BYTES = 64 * 1024


class AudioPayload(payload.Payload):
    """Audio bytes for one request, re-sendable any number of times without a copy."""

    _autoclose = True  # only memory, nothing to close

    def __init__(self, audio: bytes | bytearray | memoryview, **kwargs: Any) -> None:
        view = memoryview(audio).cast("B")
        kwargs.setdefault("content_type", "application/octet-stream")
        super().__init__(view, **kwargs)
        self._size = view.nbytes

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return bytes(self._value).decode(encoding, errors)

    async def write(self, writer: AbstractStreamWriter) -> None:
        await self.write_with_length(writer, None)

    async def write_with_length(self, writer: AbstractStreamWriter, content_length: int | None) -> None:
        """Always from the start: this is what makes a retried request carry the whole audio."""
        view: memoryview = self._value
        end = view.nbytes if content_length is None else min(view.nbytes, content_length)
        for start in range(0, end, CHUNK_BYTES):
            await writer.write(view[start : min(start + CHUNK_BYTES, end)])
