"""Text, SRT and WebVTT renderings, checked with real subtitle parsers."""

from __future__ import annotations

import io
import itertools

import pysrt
import webvtt

from transcriber.domain.formats import NO_SPEECH, cues, to_srt, to_text, to_vtt
from transcriber.domain.subtitles import CUE_MAX_MS, LINE_CHARS


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


def test_text_an_hour_apart_is_two_paragraphs() -> None:
    assert to_text(MONO) == "Hello there.\n\nGeneral Kenobi.\n"


def test_text_without_phrases_falls_back_to_combined_phrases() -> None:
    assert to_text({"combinedPhrases": [{"text": "Hello there."}]}) == "Hello there.\n"


def test_text_channels_alternate_as_named_paragraphs() -> None:
    result = {
        "combinedPhrases": [{"channel": 1, "text": "right"}, {"channel": 0, "text": "left"}],
        "phrases": [phrase(0, 900, "left", channel=0), phrase(1000, 900, "right", channel=1)],
    }
    assert to_text(result) == "Channel 0: left\n\nChannel 1: right\n"


def test_text_long_pause_starts_a_paragraph_and_same_speaker_is_not_renamed() -> None:
    result = {
        "phrases": [
            phrase(0, 900, "One.", speaker=1),
            phrase(1000, 900, "Two.", speaker=1),
            phrase(5000, 900, "Three.", speaker=1),
        ]
    }
    assert to_text(result) == "Speaker 1: One. Two.\n\nThree.\n"


def test_silence_gives_valid_non_empty_files() -> None:
    silent = {"durationMilliseconds": 4000, "combinedPhrases": [], "phrases": []}
    assert to_text(silent) == f"{NO_SPEECH}\n"
    [sub] = pysrt.from_string(to_srt(silent))
    assert (sub.start.ordinal, sub.end.ordinal, sub.text) == (0, 4000, NO_SPEECH)
    [caption] = webvtt.from_buffer(io.StringIO(to_vtt(silent))).captions
    assert caption.text == NO_SPEECH


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
    result = {"phrases": [phrase(0, 1500, "hi", speaker=1), phrase(2000, 1500, "hello", speaker=2)]}
    assert [s.text for s in pysrt.from_string(to_srt(result))] == ["Speaker 1: hi", "Speaker 2: hello"]


def test_srt_speaker_named_only_when_it_changes() -> None:
    result = {
        "phrases": [
            phrase(0, 3000, "Good morning everyone, and welcome.", speaker=1),
            phrase(3200, 4000, "Today we look at the figures for the last quarter.", speaker=1),
            phrase(7400, 1500, "Thanks.", speaker=2),
        ]
    }
    texts = [s.text for s in pysrt.from_string(to_srt(result))]
    assert texts[0].startswith("Speaker 1: ") and texts[-1] == "Speaker 2: Thanks."
    assert sum(t.count("Speaker 1") for t in texts) == 1


def test_vtt_channel_labels_become_voice_spans_named_once() -> None:
    result = {"phrases": [phrase(0, 1000, "left side", channel=0)]}
    caption = webvtt.from_buffer(io.StringIO(to_vtt(result))).captions[0]
    assert caption.voice == "Channel 0" and caption.text == "left side"


def test_vtt_one_speaker_is_named_in_the_voice_span_only() -> None:
    result = {"phrases": [phrase(240, 3000, "And all my fellow america.", speaker=1)]}
    [caption] = webvtt.from_buffer(io.StringIO(to_vtt(result))).captions
    assert caption.raw_text == "<v Speaker 1>And all my fellow america.</v>"


def test_cues_long_phrase_split_by_word_timings_within_limits() -> None:
    text = " ".join(f"word{i}" for i in range(60))
    long = {"phrases": [phrase(1000, 30_000, text)]}
    split = list(cues(long))
    assert len(split) > 3
    assert " ".join(c.text for c in split) == text
    for cue in split:
        assert len(cue.lines) <= 2 and all(len(line) <= LINE_CHARS for line in cue.lines)
        assert cue.end_ms - cue.start_ms <= CUE_MAX_MS
    assert split[0].start_ms == 1000
    assert all(a.end_ms <= b.start_ms for a, b in itertools.pairwise(split))
    assert len(pysrt.from_string(to_srt(long))) == len(split)


def test_cues_phrase_without_words_split_by_characters() -> None:
    text = " ".join(["alpha"] * 40)
    result = {"phrases": [{"offsetMilliseconds": 0, "durationMilliseconds": 20_000, "text": text}]}
    split = list(cues(result))
    assert len(split) >= 3 and split[-1].end_ms <= 20_000


def test_short_phrases_merge_into_one_cue() -> None:
    result = {"phrases": [phrase(0, 220, "Where?"), phrase(300, 400, "Over there."), phrase(800, 300, "Oh.")]}
    [cue] = list(cues(result))
    assert cue.text == "Where? Over there. Oh." and cue.end_ms - cue.start_ms >= 1000


def test_lone_short_phrase_is_held_for_a_second() -> None:
    result = {"phrases": [phrase(0, 220, "Where."), phrase(5000, 2000, "Here, by the door.")]}
    first = next(cues(result))
    assert (first.start_ms, first.end_ms) == (0, 1000)


def test_fast_speech_is_held_until_just_before_the_next_cue() -> None:
    result = {
        "phrases": [
            phrase(0, 1500, "This sentence is said far too quickly to read."),
            phrase(4000, 1000, "Then."),
        ]
    }
    first = next(cues(result))
    assert first.end_ms == 0 + round(len(first.text) / 20 * 1000)


def test_two_lines_are_balanced_and_break_after_punctuation() -> None:
    text = "We would meet at the station, but he never came back."
    [cue] = list(cues({"phrases": [phrase(0, 4000, text)]}))
    assert cue.lines == ("We would meet at the station,", "but he never came back.")


def test_vtt_escapes_markup_characters() -> None:
    result = {"phrases": [phrase(0, 1000, "a <b> & c")]}
    assert "a &lt;b&gt; &amp; c" in to_vtt(result)


def test_placeholder_word_timings_are_shared_by_characters() -> None:
    """A translation's words all sit at 1 ms for 10 ms (as recorded): the phrase's span is used."""
    text = "Guten Morgen zusammen, und willkommen zu unserer Besprechung heute."
    words = [{"text": w, "offsetMilliseconds": 1, "durationMilliseconds": 10} for w in text.split()]
    result = {
        "phrases": [{"offsetMilliseconds": 2000, "durationMilliseconds": 4000, "text": text, "words": words}]
    }
    [cue] = list(cues(result))
    assert cue.start_ms == 2000 and cue.end_ms >= 5900


def test_quick_exchange_between_speakers_shares_one_cue_with_dashes() -> None:
    result = {
        "phrases": [
            phrase(0, 220, "Where?", speaker=1),
            phrase(260, 700, "Over there.", speaker=2),
            phrase(5000, 2000, "Thanks, I see it now.", speaker=1),
        ]
    }
    subs = pysrt.from_string(to_srt(result))
    assert subs[0].text == "- Speaker 1: Where?\n- Speaker 2: Over there."
    assert subs[0].end.ordinal - subs[0].start.ordinal >= 1000
    assert subs[1].text == "Speaker 1: Thanks, I see it now."
    caption = webvtt.from_buffer(io.StringIO(to_vtt(result))).captions[0]
    assert caption.raw_text == "<v Speaker 1>- Where?</v>\n<v Speaker 2>- Over there.</v>"


def test_japanese_phrase_uses_the_service_words_without_spaces() -> None:
    words = [
        "今日",
        "は",
        "とても",
        "良い",
        "天気",
        "です",
        "ね",
        "、",
        "散歩",
        "に",
        "行き",
        "ましょう",
        "か",
        "。",
    ]
    words = words * 2
    timed = [
        {"text": w, "offsetMilliseconds": 400 * i, "durationMilliseconds": 380} for i, w in enumerate(words)
    ]
    text = "".join(words)
    result = {
        "phrases": [
            {"offsetMilliseconds": 0, "durationMilliseconds": 400 * len(words), "text": text, "words": timed}
        ]
    }
    made = list(cues(result))
    assert "".join(c.text for c in made) == text and " " not in "".join(c.text for c in made)
    assert all(len(line) <= LINE_CHARS for c in made for line in c.lines)


def test_unspaced_text_without_word_timings_is_still_cut_to_lines() -> None:
    text = "天" * 200
    result = {"phrases": [{"offsetMilliseconds": 0, "durationMilliseconds": 30_000, "text": text}]}
    made = list(cues(result))
    assert "".join(c.text for c in made) == text
    assert all(len(line) <= LINE_CHARS for c in made for line in c.lines)
