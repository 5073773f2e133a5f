"""`Range: bytes=...` (RFC 9110, section 14): which bytes of a blob an answer carries.

One range is served (`a-b`, `a-`, `-n`); a header this module cannot read, or several ranges, is
ignored as RFC 9110 allows (the answer starts at byte 0). An answer carries at most `limit` bytes:
a longer or open range is cut, and the client asks for the rest (players do).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transcriber.domain.errors import RangeNotSatisfiableError

_RANGE = re.compile(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*")
_MAX_DIGITS = 19


@dataclass(frozen=True)
class ByteRange:
    """Bytes `start` to `end` inclusive of a blob of `size` bytes; `partial`: a 206 answer."""

    start: int
    end: int
    size: int
    partial: bool

    @property
    def length(self) -> int:
        return self.end - self.start + 1 if self.size else 0

    @property
    def content_range(self) -> str:
        return f"bytes {self.start}-{self.end}/{self.size}"


def byte_range(header: str | None, size: int, limit: int) -> ByteRange:
    """The bytes to send for `header` (None: no Range); RangeNotSatisfiableError when none of the
    asked bytes exist."""
    asked = _parse(header) if header else None
    if asked is None:
        if size <= limit:
            return ByteRange(0, max(size - 1, 0), size, partial=False)
        return ByteRange(0, limit - 1, size, partial=True)
    first, last = asked
    if first is None:  # the last `last` bytes
        if last == 0 or size == 0:
            raise RangeNotSatisfiableError("the range asks for no bytes", size=size)
        start = max(size - (last or 0), 0)
        end = size - 1
    else:
        if first >= size:
            raise RangeNotSatisfiableError(f"the range starts past the end ({size} bytes)", size=size)
        start, end = first, size - 1 if last is None else min(last, size - 1)
    return ByteRange(start, min(end, start + limit - 1), size, partial=True)


def _parse(header: str) -> tuple[int | None, int | None] | None:
    """(first, last) of one range, either None when open; None for a header not to honour."""
    found = _RANGE.fullmatch(header)
    if found is None:
        return None
    first, last = found.group(1), found.group(2)
    if (not first and not last) or len(first) > _MAX_DIGITS or len(last) > _MAX_DIGITS:
        return None
    start, end = (int(first) if first else None), (int(last) if last else None)
    if start is not None and end is not None and end < start:
        return None  # invalid: ignored (RFC 9110, 14.1.1)
    return start, end
