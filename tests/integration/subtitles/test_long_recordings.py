"""Subtitle and paragraph rules on about two minutes of real speech (and ten, tiled), read back
by pysrt and webvtt-py."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import webvtt

from tests.unit.domain.subtitles.rules import read_srt, read_vtt, violations
from transcriber.domain.formats import to_srt, to_text, to_vtt
from transcriber.domain.subtitles import CUE_MIN_MS, PARAGRAPH_CHARS


def tiled(result: dict[str, Any], times: int) -> dict[str, Any]:
    """The recording played `times` times back to back: real timings, ten minutes of cues."""
    step = result["durationMilliseconds"]
    phrases = []
    for copy in range(times):
        for phrase in result["phrases"]:
            words = [
                {**w, "offsetMilliseconds": w["offsetMilliseconds"] + copy * step} for w in phrase["words"]
            ]
            phrases.append(
                {**phrase, "offsetMilliseconds": phrase["offsetMilliseconds"] + copy * step, "words": words}
            )
    return {**result, "durationMilliseconds": step * times, "phrases": phrases}


def spoken(result: dict[str, Any]) -> list[str]:
    return " ".join(
        p["text"] for p in sorted(result["phrases"], key=lambda p: p["offsetMilliseconds"])
    ).split()


def test_long_recording_srt_and_vtt_keep_every_rule(long_result: dict[str, Any]) -> None:
    assert long_result["durationMilliseconds"] > 90_000 and len(long_result["phrases"]) > 10
    srt, vtt = read_srt(to_srt(long_result)), read_vtt(to_vtt(long_result))
    assert violations(srt) == [] and violations(vtt) == []
    assert [c.lines for c in srt] == [c.lines for c in vtt]
    assert " ".join(" ".join(c.lines) for c in srt).split() == spoken(long_result)


def test_long_recording_short_phrases_are_held_or_merged(long_result: dict[str, Any]) -> None:
    srt = read_srt(to_srt(long_result))
    short = [c for c in srt if c.end_ms - c.start_ms < CUE_MIN_MS]
    assert short == []
    assert any(len(c.lines) == 2 for c in srt)


def test_ten_minutes_tiled_keep_every_rule(long_result: dict[str, Any]) -> None:
    result = tiled(long_result, 6)
    assert result["durationMilliseconds"] >= 600_000
    srt = read_srt(to_srt(result))
    assert violations(srt) == []
    assert len(srt) >= 6 * 15


def test_long_recording_speaker_changes_are_named_once(
    long_result: dict[str, Any], relabel: Callable[..., dict[str, Any]]
) -> None:
    result = relabel(long_result, "speaker", 2)
    srt = read_srt(to_srt(result))
    assert violations(srt) == []
    named = [c for c in srt if c.lines[0].startswith(("Speaker 1: ", "Speaker 2: "))]
    assert len(named) == len(result["phrases"])  # one per change (phrases alternate speakers)
    text = to_text(result)
    assert text.count("Speaker 1: ") + text.count("Speaker 2: ") == len(result["phrases"])


def test_long_recording_channels_may_overlap_but_keep_lines(
    long_result: dict[str, Any], relabel: Callable[..., dict[str, Any]]
) -> None:
    result = relabel(long_result, "channel", 2)
    vtt_text = to_vtt(result)
    vtt = read_vtt(vtt_text)
    assert violations(vtt, overlapping_talk=True) == []
    captions = webvtt.from_buffer(io.StringIO(vtt_text)).captions
    assert captions[0].voice == "Channel 0" and not captions[0].text.startswith("Channel")


def test_long_recording_on_two_channels_at_once_stays_in_time_order(long_result: dict[str, Any]) -> None:
    """A call whose two ends said the same: every cue of both channels in one time order."""
    result = {
        **long_result,
        "phrases": [{**p, "channel": channel} for p in long_result["phrases"] for channel in (1, 0)],
    }
    srt, vtt = read_srt(to_srt(result)), read_vtt(to_vtt(result))
    for parsed in (srt, vtt):
        starts = [cue.start_ms for cue in parsed]
        assert starts == sorted(starts) and violations(parsed, overlapping_talk=True) == []
    assert len(srt) == len(vtt) and " ".join(" ".join(c.lines) for c in srt).count("Channel 1: ") > 1


def test_long_recording_text_has_paragraphs(long_result: dict[str, Any]) -> None:
    text = to_text(long_result)
    blocks = text.strip().split("\n\n")
    assert len(blocks) >= 3
    assert all("\n" not in block for block in blocks)
    assert max(map(len, blocks)) < 3 * PARAGRAPH_CHARS
    assert " ".join(blocks).split() == spoken(long_result)
