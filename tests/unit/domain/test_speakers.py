"""Speaker names: checked (numbers 1-35, names 1-64 characters with no control character) and used
by the TXT, SRT and VTT renderings in place of "Speaker N"."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transcriber.domain import formats
from transcriber.domain.errors import InvalidRequestError
from transcriber.domain.speakers import (
    MAX_NAME_CHARS,
    check_speaker_name,
    check_speaker_number,
    check_speakers,
    from_record,
    merged,
)


def two_speakers() -> dict[str, Any]:
    phrases = [
        {
            "offsetMilliseconds": 0,
            "durationMilliseconds": 1500,
            "text": "Good morning everyone.",
            "speaker": 1,
        },
        {"offsetMilliseconds": 4000, "durationMilliseconds": 1500, "text": "Morning, thanks.", "speaker": 2},
        {"offsetMilliseconds": 8000, "durationMilliseconds": 1500, "text": "Let us begin.", "speaker": 1},
    ]
    return {"durationMilliseconds": 9500, "phrases": phrases}


@pytest.mark.parametrize("fmt", ["text", "srt", "vtt"])
def test_speakers_names_replace_speaker_n_in_every_rendering(fmt: str) -> None:
    plain = formats.render(two_speakers(), fmt)
    named = formats.render(two_speakers(), fmt, {1: "Alice <CEO>"})
    assert "Speaker 1" in plain and "Speaker 1" not in named and "Speaker 2" in named
    shown = "Alice &lt;CEO&gt;" if fmt == "vtt" else "Alice <CEO>"
    assert shown in named
    if fmt == "text":  # the same paragraphs; only the label differs (cue layout counts a label's length)
        assert named.replace(shown, "Speaker 1") == plain


def test_speakers_without_names_render_as_before() -> None:
    for fmt in ("text", "srt", "vtt"):
        assert formats.render(two_speakers(), fmt, {}) == formats.render(two_speakers(), fmt)


def test_speakers_body_is_checked_whole() -> None:
    assert check_speakers({"speakers": {"1": "Alice", "35": "", "2": "Bob"}}) == {
        1: "Alice",
        35: "",
        2: "Bob",
    }
    for bad in (
        None,
        [],
        {"speakers": {"0": "A"}},
        {"speakers": {"36": "A"}},
        {"speakers": {"01": "A"}},
        {"speakers": {"1": 5}},
        {"speakers": {"1": "A\nB"}},
        {"speakers": {"1": "x" * 65}},
        {"speakers": ["Alice"]},
        {"speakers": {}, "other": 1},
    ):
        with pytest.raises(InvalidRequestError):
            check_speakers(bad)


def test_speakers_changes_merge_and_an_empty_name_removes_one() -> None:
    assert merged({1: "Alice", 2: "Bob"}, {2: "", 3: "Carol"}) == {1: "Alice", 3: "Carol"}


def test_speakers_record_of_another_version_names_nobody() -> None:
    record = {"etag": "v1", "speakers": {"1": "Alice"}}
    assert from_record(record, "v1") == {1: "Alice"} and from_record(record, "v2") == {} == from_record(
        None, "v1"
    )


@given(st.text(max_size=4))
def test_speakers_number_keys_are_1_to_35_without_leading_zeros(key: str) -> None:
    valid = key in {str(n) for n in range(1, 36)}
    try:
        assert check_speaker_number(key) == int(key) and valid
    except InvalidRequestError:
        assert not valid


@given(st.text(max_size=80))
def test_speakers_names_are_short_visible_text(value: str) -> None:
    control = any(unicodedata.category(c) in ("Cc", "Cs") or c in "\u2028\u2029" for c in value)
    valid = len(value) <= MAX_NAME_CHARS and not control and (value == "" or bool(value.strip()))
    try:
        assert check_speaker_name(value) == value and valid
    except InvalidRequestError:
        assert not valid
