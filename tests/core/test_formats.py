"""Text, SRT and WebVTT renderings, checked with real subtitle parsers."""

from __future__ import annotations

import io
import itertools

import pysrt
import webvtt

from transcriber.formats import CUE_MAX_CHARS, CUE_MAX_SECONDS, cues, to_srt, to_text, to_vtt


def phrase(offset: int, duration: int, text: str, **extra: object) -> dict[str, object]:
    words = text.split()
    step = duration // max(len(words), 1)
    timed = [
        {"text": w, "offsetMilliseconds": offset + i * step, "durationMilliseconds": step}
        for i, w in enumerate(words)
    ]
    return {
        "offsetMilliseconds": offset,
        "durationMilliseconds": duration,
        "text": text,
        "words": timed,
        "locale": "en-US",
        "confidence": 0.9,
        **extra,
    }


MONO = {
    "durationMilliseconds": 3_725_500,
    "combinedPhrases": [{"text": "Hello there. General Kenobi."}],
    "phrases": [phrase(3_600_250, 1200, "General Kenobi."), phrase(80, 1500, "Hello there.")],
}


def test_text_mono_joins_combined_phrases() -> None:
    assert to_text(MONO) == "Hello there. General Kenobi.\n"


def test_text_channels_one_block_per_channel() -> None:
    result = {
        "combinedPhrases": [{"channel": 1, "text": "right"}, {"channel": 0, "text": "left"}],
        "phrases": [],
    }
    assert to_text(result) == "[Channel 0]\nleft\n\n[Channel 1]\nright\n"


def test_text_empty_result_is_empty() -> None:
    assert to_text({"combinedPhrases": [], "phrases": []}) == ""


def test_srt_timestamps_and_order_parse_with_pysrt() -> None:
    subs = pysrt.from_string(to_srt(MONO))
    assert [s.text for s in subs] == ["Hello there.", "General Kenobi."]
    assert (subs[0].start.ordinal, subs[0].end.ordinal) == (80, 1580)
    assert str(subs[1].start) == "01:00:00,250" and subs[1].index == 2


def test_vtt_timestamps_parse_with_webvtt() -> None:
    text = to_vtt(MONO)
    assert text.startswith("WEBVTT\n")
    captions = webvtt.from_buffer(io.StringIO(text)).captions
    assert [c.text for c in captions] == ["Hello there.", "General Kenobi."]
    assert captions[1].start == "01:00:00.250" and captions[1].end == "01:00:01.450"


def test_srt_speaker_labels_prefix_each_cue() -> None:
    result = {"phrases": [phrase(0, 1000, "hi", speaker=1), phrase(1000, 1000, "hello", speaker=2)]}
    assert [s.text for s in pysrt.from_string(to_srt(result))] == ["Speaker 1: hi", "Speaker 2: hello"]


def test_vtt_channel_labels_become_voice_spans() -> None:
    result = {"phrases": [phrase(0, 1000, "left side", channel=0)]}
    caption = webvtt.from_buffer(io.StringIO(to_vtt(result))).captions[0]
    assert caption.voice == "Channel 0" and caption.text == "left side"


def test_cues_long_phrase_split_by_word_timings_within_limits() -> None:
    text = " ".join(f"word{i}" for i in range(60))
    long = {"phrases": [phrase(1000, 30_000, text)]}
    split = list(cues(long))
    assert len(split) > 3
    assert " ".join(c.text for c in split) == text
    for cue in split:
        assert len(cue.text) <= CUE_MAX_CHARS
        assert (cue.end_ms - cue.start_ms) / 1000 <= CUE_MAX_SECONDS
    assert split[0].start_ms == 1000
    assert all(a.end_ms <= b.start_ms for a, b in itertools.pairwise(split))
    assert len(pysrt.from_string(to_srt(long))) == len(split)


def test_cues_phrase_without_words_split_by_characters() -> None:
    text = " ".join(["alpha"] * 40)
    result = {"phrases": [{"offsetMilliseconds": 0, "durationMilliseconds": 20_000, "text": text}]}
    split = list(cues(result))
    assert len(split) >= 3 and split[-1].end_ms <= 20_000


def test_vtt_escapes_markup_characters() -> None:
    result = {"phrases": [phrase(0, 1000, "a <b> & c")]}
    assert "a &lt;b&gt; &amp; c" in to_vtt(result)
