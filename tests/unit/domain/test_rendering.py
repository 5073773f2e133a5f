"""Off-loop rendering: exactly what json.dumps and formats.render give, made in small steps."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transcriber.domain import formats, rendering

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=40,
)


def long_result(phrases: int) -> dict:
    return {
        "durationMilliseconds": phrases * 2000,
        "combinedPhrases": [{"text": "ünïcode words " * phrases}],
        "phrases": [
            {
                "offsetMilliseconds": i * 2000,
                "durationMilliseconds": 1800,
                "text": f"phrase {i} — “quoted”",
                "words": [
                    {"text": f"w{j}", "offsetMilliseconds": i * 2000 + j * 200, "durationMilliseconds": 180}
                    for j in range(9)
                ],
                "locale": "en-US",
                "confidence": 0.9,
            }
            for i in range(phrases)
        ],
    }


@pytest.mark.parametrize("indent", [None, 2])
@given(document=JSON)
def test_dumps_any_document_equals_json_dumps(document: object, indent: int | None) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rendering, "INLINE_PHRASES", 1)  # every list of two or more is split up
        assert rendering.dumps(document, indent=indent) == json.dumps(
            document, ensure_ascii=False, indent=indent
        )


@pytest.mark.parametrize("indent", [None, 2])
def test_dumps_long_transcript_equals_json_dumps(indent: int | None) -> None:
    document = {**long_result(500), "source": {"name": "a.wav"}}
    assert rendering.dumps(document, indent=indent) == json.dumps(document, ensure_ascii=False, indent=indent)


async def test_render_files_long_transcript_runs_off_the_loop_thread_and_matches_formats() -> None:
    result = long_result(500)
    seen: list[str] = []
    original = formats.render_many

    def spy(result: dict, fmts: tuple[str, ...]) -> dict[str, str]:
        seen.append(threading.current_thread().name)
        return original(result, fmts)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(formats, "render_many", spy)
        files = await rendering.render_files(result, ["txt", "srt", "vtt"], {"x": 1})
    assert {name.split("_")[0] for name in seen} == {"transcriber-render"}
    expected = {fmt: formats.render(result, fmt) for fmt in ("txt", "srt", "vtt")}
    assert files == expected | {"json": '{\n  "x": 1\n}'}


async def test_parse_json_big_body_parses_off_the_loop() -> None:
    body = json.dumps(long_result(500)).encode()
    assert len(body) > rendering.INLINE_BYTES
    assert await rendering.parse_json(body) == json.loads(body)
    assert await rendering.encode_json({"a": [1]}) == '{"a": [1]}'
    await asyncio.sleep(0)


@given(document=JSON, indent=st.sampled_from([None, 0, 1, 3]))
def test_loads_in_steps_any_document_equals_json_loads(document: object, indent: int | None) -> None:
    body = json.dumps({"phrases": document, "x": [document, document]}, indent=indent).encode()
    assert rendering._loads_in_steps(body) == json.loads(body)
    body = json.dumps(document, indent=indent).encode()
    assert rendering._loads_in_steps(body) == json.loads(body)


@given(text=st.text(alphabet='{}[]:, "ab01\n', max_size=30))
def test_loads_in_steps_refuses_what_json_loads_refuses(text: str) -> None:
    try:
        expected: object = json.loads(text)
    except ValueError:
        expected = ValueError
    try:
        got: object = rendering._loads_in_steps(text.encode())
    except ValueError:
        got = ValueError
    assert got == expected
