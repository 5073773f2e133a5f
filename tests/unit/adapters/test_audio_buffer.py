"""BufferReader: audio in memory read as a stream by the storage SDK's upload, from a view."""

from __future__ import annotations

import io

from transcriber.adapters.audio_buffer import BufferReader


def test_buffer_reader_reads_in_blocks_seeks_back_and_reads_to_the_end() -> None:
    body = bytes(range(256)) * 1000
    reader = BufferReader(memoryview(body)[10:])
    assert reader.readable() and reader.seekable()
    assert reader.read(4) == body[10:14] and reader.tell() == 4
    assert reader.seek(0, io.SEEK_END) == len(body) - 10 and reader.read(5) == b""
    reader.seek(0)
    blocks = iter(lambda: reader.read(4096), b"")
    assert b"".join(blocks) == body[10:]
    reader.seek(-3, io.SEEK_END)
    buffer = bytearray(8)
    assert reader.readinto(buffer) == 3 and bytes(buffer[:3]) == body[-3:]


def test_buffer_reader_copies_only_what_is_read() -> None:
    body = bytearray(b"abcdef")
    reader = BufferReader(memoryview(body))
    body[0:1] = b"z"  # a view: it reads the buffer as it is, nothing was copied up front
    assert reader.read() == b"zbcdef"
