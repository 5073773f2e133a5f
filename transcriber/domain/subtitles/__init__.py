"""Subtitles people can read: cues and lines laid out by the rules of broadcast style guides.

words (timed words), segment (one speaker's cues), turns (every speaker's cues in time order),
lines (two balanced lines), paragraphs (the plain text).
"""

from transcriber.domain.subtitles.lines import LINE_CHARS, MAX_LINES, break_lines
from transcriber.domain.subtitles.paragraphs import PARAGRAPH_CHARS, PARAGRAPH_PAUSE_MS, Paragraph, paragraphs
from transcriber.domain.subtitles.segment import CUE_MAX_MS, CUE_MIN_GAP_MS, CUE_MIN_MS, MAX_CHARS_PER_SECOND
from transcriber.domain.subtitles.turns import Cue, cues
from transcriber.domain.subtitles.words import SpeakerNames, TimedWord, has_speech, timed_words

__all__ = [
    "CUE_MAX_MS",
    "CUE_MIN_GAP_MS",
    "CUE_MIN_MS",
    "LINE_CHARS",
    "MAX_CHARS_PER_SECOND",
    "MAX_LINES",
    "PARAGRAPH_CHARS",
    "PARAGRAPH_PAUSE_MS",
    "Cue",
    "Paragraph",
    "SpeakerNames",
    "TimedWord",
    "break_lines",
    "cues",
    "has_speech",
    "paragraphs",
    "timed_words",
]
