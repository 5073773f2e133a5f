"""Speech's answers are read with a bound: a larger one is refused before it is all in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from transcriber.adapters.speech import bounded_read
from transcriber.domain.errors import AnswerTooLargeError


async def chunks(sizes: list[int], seen: list[int]) -> AsyncIterator[bytes]:
    for size in sizes:
        seen.append(size)
        yield b"x" * size


async def test_an_answer_within_the_bound_is_read_whole() -> None:
    seen: list[int] = []
    assert await bounded_read(chunks([3, 4], seen), limit=7) == b"x" * 7


async def test_an_answer_over_the_bound_is_refused_at_the_chunk_that_crosses_it() -> None:
    seen: list[int] = []
    with pytest.raises(AnswerTooLargeError) as refused:
        await bounded_read(chunks([4, 4, 4, 4], seen), limit=7)
    assert seen == [4, 4]  # nothing read past the crossing chunk
    assert refused.value.code == "ServiceAnswerTooLarge" and not refused.value.transient
