"""The multipart `audio` part: streamed from the caller's buffer, whole again on every retry.

azure-core builds a fresh aiohttp form for each try of a request. Audio passed as `bytes`
survives that, but aiohttp hands the whole buffer to the TLS transport at once, which then
holds about four copies of it; an open file object is streamed, but nobody rewinds it, so a
retried request (429/5xx) would carry an empty audio part. An `AudioPayload` is an aiohttp
payload over a read-only view of the audio: each try streams it from the first byte in
64 KiB chunks, waiting for the socket between chunks, and nothing is copied.
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
