"""Range requests: one range served, at most the limit per answer, 416 when no asked byte exists."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transcriber.domain.byte_ranges import byte_range
from transcriber.domain.errors import RangeNotSatisfiableError

LIMIT = 100


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 50, (0, 49, False)),
        (None, 250, (0, 99, True)),
        ("bytes=10-19", 50, (10, 19, True)),
        ("bytes=10-", 50, (10, 49, True)),
        ("bytes=10-", 500, (10, 109, True)),
        ("bytes=-5", 50, (45, 49, True)),
        ("bytes=-500", 50, (0, 49, True)),
        ("bytes=40-1000", 50, (40, 49, True)),
        ("bytes=0-0", 1, (0, 0, True)),
        ("bytes=5-1", 50, (0, 49, False)),  # invalid: ignored
        ("bytes=0-1,5-9", 50, (0, 49, False)),  # several ranges: ignored
        ("items=0-1", 50, (0, 49, False)),
        (None, 0, (0, 0, False)),
    ],
)
def test_byte_range_answers(header: str | None, size: int, expected: tuple[int, int, bool]) -> None:
    found = byte_range(header, size, LIMIT)
    assert (found.start, found.end, found.partial) == expected


@pytest.mark.parametrize(
    ("header", "size"), [("bytes=50-", 50), ("bytes=60-70", 50), ("bytes=-0", 50), ("bytes=0-", 0)]
)
def test_byte_range_past_the_end_is_not_satisfiable(header: str, size: int) -> None:
    with pytest.raises(RangeNotSatisfiableError) as raised:
        byte_range(header, size, LIMIT)
    assert raised.value.size == size


@given(st.integers(0, 10**12), st.integers(0, 10**12), st.integers(1, 10**12), st.booleans())
def test_byte_range_is_inside_the_blob_and_within_the_limit(
    first: int, last: int, size: int, open_: bool
) -> None:
    header = f"bytes={first}-" if open_ else f"bytes={first}-{last}"
    try:
        found = byte_range(header, size, LIMIT)
    except RangeNotSatisfiableError:
        assert first >= size
        return
    assert 0 <= found.start <= found.end < size and found.length <= LIMIT
    if not open_ and last >= first:
        assert found.start == first and found.end <= last
    assert found.content_range == f"bytes {found.start}-{found.end}/{size}"
