"""Stereo channels and interleaved speakers: cues in start-time order, each labelled rightly and
named once, read back by pysrt and webvtt-py, for any phrase set (hypothesis)."""

from __future__ import annotations

import io
import itertools
import re
from typing import Any

import pysrt
import webvtt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.domain.subtitles.rules import read_srt, read_vtt, violations
from transcriber.domain.formats import to_srt, to_text, to_vtt
from transcriber.domain.subtitles import words as subtitle_words

NAMED = re.compile(r"^(?:- )?((?:Channel|Speaker) \d+): ")
VOICE = re.compile(r"^<v ([^>]+)>")


def phrase(offset: int, duration: int, text: str, **extra: object) -> dict[str, Any]:
    words = text.split()
    step = duration // len(words)
    timed = [
        {"text": w, "offsetMilliseconds": offset + i * step, "durationMilliseconds": step}
        for i, w in enumerate(words)
    ]
    return {
        "offsetMilliseconds": offset,
        "durationMilliseconds": duration,
        "text": text,
        "words": timed,
        **extra,
    }


def srt_words(text: str) -> list[tuple[str | None, str]]:
    """(label, word) for every shown word, the label the SRT last named."""
    shown, label = [], None
    for sub in pysrt.from_string(text):
        for line in sub.text.split("\n"):
            named = NAMED.match(line)
            if named:
                label, line = named.group(1), line[named.end() :]
            shown += [(label, word) for word in line.removeprefix("- ").split()]
    return shown


def vtt_words(text: str) -> list[tuple[str | None, str]]:
    """(voice, word) for every shown word; a voice span's text never names its speaker again."""
    shown = []
    for caption in webvtt.from_buffer(io.StringIO(text)).captions:
        voice = None
        for line in caption.raw_text.split("\n"):
            opened = VOICE.match(line)
            if opened:
                voice, line = opened.group(1), line[opened.end() :]
            assert not NAMED.match(line), f"{voice} named twice: {line!r}"
            shown += [(voice, word) for word in line.removesuffix("</v>").removeprefix("- ").split()]
            if line.endswith("</v>"):
                voice = None
    return shown


def per_label(shown: list[tuple[str | None, str]]) -> dict[str | None, list[str]]:
    ordered = sorted(enumerate(shown), key=lambda item: str(item[1][0]))
    return {
        label: [word for _, (_, word) in group]
        for label, group in itertools.groupby(ordered, key=lambda item: item[1][0])
    }


def spoken_per_label(result: dict[str, Any]) -> dict[str | None, list[str]]:
    said: dict[str | None, list[str]] = {}
    for p in subtitle_words.spoken_phrases(result):
        said.setdefault(subtitle_words.label(p), []).extend(p["text"].split())
    return said


def starts(parsed: list[Any]) -> list[int]:
    return [cue.start_ms for cue in parsed]


# -- the case the issue found: two channels talking at once ------------------------------------

STEREO = {  # a call: both ends talking at once, as two channels
    "durationMilliseconds": 11_000,
    "phrases": [
        phrase(
            300,
            10_200,
            "And so my fellow Americans, ask not what your country can do for you, "
            "ask what you can do for your country, and the world will follow.",
            channel=0,
        ),
        phrase(
            240,
            9000,
            "What your country can do for you, and what you can do together, "
            "is the question we all ask ourselves every day.",
            channel=1,
        ),
        phrase(9400, 1500, "For your country.", channel=1),
    ],
}


def test_stereo_srt_cues_start_in_time_order_across_channels() -> None:
    srt = pysrt.from_string(to_srt(STEREO))
    assert [s.start.ordinal for s in srt] == sorted(s.start.ordinal for s in srt)
    assert srt[0].start.ordinal == 240 and srt[0].text.startswith("Channel 1: ")
    assert per_label(srt_words(to_srt(STEREO))) == spoken_per_label(STEREO)


def test_stereo_vtt_cues_start_in_time_order_with_one_voice_each() -> None:
    text = to_vtt(STEREO)
    captions = webvtt.from_buffer(io.StringIO(text)).captions
    assert starts(read_vtt(text)) == sorted(starts(read_vtt(text)))
    assert captions[0].voice == "Channel 1" and not captions[0].text.startswith("Channel")
    assert per_label(vtt_words(text)) == spoken_per_label(STEREO)


def test_interleaved_speakers_are_named_where_the_speaker_changes() -> None:
    result = {
        "phrases": [
            phrase(
                0,
                9000,
                "Shall we start with the budget, or with the figures for the last quarter first?",
                speaker=1,
            ),
            phrase(2000, 2500, "Yes, the budget first please.", speaker=2),
        ]
    }
    srt = pysrt.from_string(to_srt(result))
    assert [s.start.ordinal for s in srt] == sorted(s.start.ordinal for s in srt)
    labels = [s.text.split(": ")[0] for s in srt]
    assert labels[:3] == ["Speaker 1", "Speaker 2", "Speaker 1"]
    assert per_label(srt_words(to_srt(result))) == spoken_per_label(result)


# -- any phrase set ---------------------------------------------------------------------------

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)


@st.composite
def stereo_results(draw: st.DrawFn) -> dict[str, Any]:
    """Two channels, each one after another at its own pace, overlapping the other anyhow."""
    phrases, serial = [], itertools.count()
    for channel in (0, 1):
        clock = draw(st.integers(0, 8000))
        for _ in range(draw(st.integers(0, 8))):
            clock += draw(st.sampled_from([0, 80, 400, 1500, 4000]))
            texts = [f"{w}{next(serial)}" for w in draw(st.lists(WORD, min_size=1, max_size=25))]
            duration = sum(draw(st.integers(80, 900)) for _ in texts)
            phrases.append(phrase(clock, duration, " ".join(texts), channel=channel))
            clock += duration
    order = draw(st.permutations(range(len(phrases))))  # the service's order is not ours to trust
    return {"durationMilliseconds": 60_000, "phrases": [phrases[i] for i in order]}


@st.composite
def speaker_results(draw: st.DrawFn) -> dict[str, Any]:
    """One clock, the speaker changing at any phrase, a reply sometimes starting before the other
    speaker's end (never before the same speaker's own end)."""
    phrases, serial, clock, ends = [], itertools.count(), 0, {}
    for _ in range(draw(st.integers(1, 12))):
        speaker = draw(st.integers(1, 3))
        start = max(clock, ends.get(speaker, 0))
        texts = [f"{w}{next(serial)}" for w in draw(st.lists(WORD, min_size=1, max_size=20))]
        duration = sum(draw(st.integers(80, 900)) for _ in texts)
        phrases.append(phrase(start, duration, " ".join(texts), speaker=speaker))
        ends[speaker] = start + duration
        clock = max(0, start + duration + draw(st.sampled_from([-600, -100, 0, 40, 300, 2500])))
    return {"durationMilliseconds": clock + 1000, "phrases": phrases}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(stereo_results(), speaker_results()))
def test_any_phrase_set_keeps_time_order_labels_and_every_word_once(result: dict[str, Any]) -> None:
    srt_text, vtt_text = to_srt(result), to_vtt(result)
    srt, vtt = read_srt(srt_text), read_vtt(vtt_text)
    assert starts(srt) == sorted(starts(srt)) and starts(vtt) == sorted(starts(vtt))
    assert violations(srt, overlapping_talk=True) == [] and violations(vtt, overlapping_talk=True) == []
    said = spoken_per_label(result)
    if said:
        assert per_label(srt_words(srt_text)) == said
        assert per_label(vtt_words(vtt_text)) == said
    text = to_text(result)
    for p in result["phrases"]:
        assert len(re.findall(rf"(?<!\S){re.escape(p['text'])}(?!\S)", text)) == 1
