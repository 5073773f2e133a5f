"""ResultStream: a result file parsed as its bytes arrive gives what to_fast_shape gives whole."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.fixtures.batch_samples import DOC_RESULT, SDK_SAMPLE_RESULT
from tests.unit.adapters.batch.test_results import _hostile, recordings
from transcriber.adapters.batch.result_stream import ResultStream
from transcriber.adapters.batch.results import BatchResultError, FastShape, to_fast_shape


def streamed(body: bytes, step: int, **options: Any) -> dict[str, Any]:
    stream = ResultStream(FastShape(**options))
    for start in range(0, len(body), step):
        stream.feed(body[start : start + step])
    return stream.finish()


def whole_or_error(document: Any, **options: Any) -> dict[str, Any] | type[BatchResultError]:
    try:
        return to_fast_shape(document, **options)
    except BatchResultError:
        return BatchResultError


def streamed_or_error(body: bytes, step: int, **options: Any) -> dict[str, Any] | type[BatchResultError]:
    try:
        return streamed(body, step, **options)
    except BatchResultError:
        return BatchResultError


@pytest.mark.parametrize("document", [DOC_RESULT, SDK_SAMPLE_RESULT])
@pytest.mark.parametrize("step", [1, 7, 1 << 20])
def test_the_sample_files_streamed_in_any_pieces_equal_the_whole_conversion(document: Any, step: int) -> None:
    body = json.dumps(document, indent=2).encode()
    for options in ({"locale": "en-US"}, {"channels": (0,)}):
        assert streamed(body, step, **options) == to_fast_shape(document, **options)


def _plain(value: Any) -> bool:
    """What a service writes: no NaN or Infinity (not JSON), integers within 64 bits (yajl's)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    if isinstance(value, dict):
        return all(_plain(item) for item in value.values())
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    return True


@settings(max_examples=300, deadline=None)
@given(_hostile, st.integers(min_value=1, max_value=64))
def test_any_json_streamed_is_converted_as_whole_or_refused_alike(document: Any, step: int) -> None:
    assume(_plain(document))
    body = json.dumps(document).encode()
    assert streamed_or_error(body, step) == whole_or_error(document)


@settings(max_examples=50, deadline=None)
@given(recordings(), st.integers(min_value=1, max_value=4096))
def test_a_long_recording_streamed_loses_nothing(document: dict[str, Any], step: int) -> None:
    body = json.dumps(document).encode()
    assert streamed(body, step, locale="en-US") == to_fast_shape(document, locale="en-US")


@pytest.mark.parametrize(
    "body",
    [b'{"recognizedPhrases": [', b"[1, 2]", b'{"recognizedPhrases": 5}', b'{"a": 1} {', b"\xff\xfe", b""],
)
def test_what_is_not_a_result_file_is_a_batch_result_error(body: bytes) -> None:
    with pytest.raises(BatchResultError):
        streamed(body, 3)
