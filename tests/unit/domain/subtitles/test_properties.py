"""The subtitle rules hold for any timing the service could give (hypothesis)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.domain.subtitles.rules import read_srt, read_vtt, violations
from transcriber.domain.formats import to_srt, to_text, to_vtt

LABEL = re.compile(r"Speaker \d+: ")
DASH = re.compile(r"^- ")  # a two-speaker cue opens each speaker's line with a dash
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz'", min_size=1, max_size=14) | st.sampled_from(
    ["a", "I", "the", "word.", "yes,", "why?", "supercalifragilistic"]
)


@st.composite
def results(draw: st.DrawFn) -> dict[str, Any]:
    """Phrases one after another: any pace (very fast to very slow), pauses, optional speakers."""
    phrases, clock = [], draw(st.integers(0, 5000))
    speakers = draw(st.booleans())
    for _ in range(draw(st.integers(0, 25))):
        clock += draw(st.sampled_from([0, 40, 80, 300, 1200, 3000, 9000]))
        words, start = [], clock
        for text in draw(st.lists(WORD, min_size=1, max_size=40)):
            duration = draw(st.integers(30, 1500))
            words.append({"text": text, "offsetMilliseconds": clock, "durationMilliseconds": duration})
            clock += duration + draw(st.sampled_from([0, 0, 20, 200, 900]))
        phrase = {
            "offsetMilliseconds": start,
            "durationMilliseconds": clock - start,
            "text": " ".join(w["text"] for w in words),
            "words": words,
        }
        if speakers:
            phrase["speaker"] = draw(st.integers(1, 3))
        phrases.append(phrase)
    return {"durationMilliseconds": clock + 500, "phrases": phrases}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(results())
def test_any_timing_keeps_the_rules_and_every_word(result: dict[str, Any]) -> None:
    srt_text = to_srt(result)
    srt, vtt = read_srt(srt_text), read_vtt(to_vtt(result))
    assert violations(srt) == [] and violations(vtt) == []
    assert len(srt) >= 1  # silence too gives a cue
    words = " ".join(p["text"] for p in result["phrases"]).split()
    shown = LABEL.sub("", " ".join(DASH.sub("", line) for c in srt for line in c.lines)).split()
    assert shown == (words or ["[no", "speech", "detected]"])
    assert to_text(result).strip()
