"""The display form of a phrase, as the service writes it: numbers in digits, sentence case, end mark.

pocketsphinx hears lower-case words ("numbers like one two three"); the service answers display
text ("Numbers, like 1, 2, 3, are spoken clearly."). Numbers go through text2num's `alpha2digit`
(inverse text normalisation, a maintained library, no model): "two thousand twenty six" ->
"2026", "twenty first" -> "21st", "three point five" -> "3.5"; an isolated "one", "two" or
"three" stays a word ("I have one cat"), as text2num decides. On top of it, two forms the issue
recorded from the service: "20 percent" is written "20%", and three or more numbers in a row are a
list, "1, 2, 3". A display word made of several spoken words keeps their span: "2026" starts
with "two" and ends with "six". The phrase is a sentence: capitalised first word, "I", and `?`
after a question word or `.` otherwise on its last word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from text_to_num import alpha2digit

__all__ = ["DisplayWord", "display_words"]

_LANGUAGE = "en"
_QUESTION_WORDS = frozenset(["what", "who", "whom", "whose", "where", "when", "why", "how", "which", "is", "are", "am", "was", "were", "do", "does", "did", "can", "could", "will", "would", "shall", "should", "may", "might"])  # fmt: skip
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_LIST_LENGTH = 3
_MAX_SPAN = 12  # spoken words one number may take: "one hundred and twenty three thousand four ..."


@dataclass(frozen=True)
class DisplayWord:
    """Display text for the spoken words `start` to `end` (exclusive) of a phrase."""

    start: int
    end: int
    text: str


def display_words(spoken: Sequence[str], *, punctuate: bool = True) -> list[DisplayWord]:
    """The phrase's display words; an empty spoken word (profanity `Removed`) stays empty.

    `punctuate=False` (batch transcription's `punctuationMode: None`) leaves out the end mark.
    """
    shown: list[DisplayWord] = []
    run_start = 0
    for index in range(len(spoken) + 1):
        if index == len(spoken) or not spoken[index]:
            shown.extend(_numbers(spoken[run_start:index], run_start))
            if index < len(spoken):
                shown.append(DisplayWord(index, index + 1, ""))
            run_start = index + 1
    shown = _lists(_percent(shown, spoken))
    return _sentence(shown, spoken, punctuate=punctuate)


def _numbers(words: Sequence[str], base: int) -> list[DisplayWord]:
    """alpha2digit over the words, each output token mapped back to the words it came from."""
    if not words:
        return []
    tokens = alpha2digit(" ".join(words), _LANGUAGE).split()
    out: list[DisplayWord] = []
    position = 0
    for token in tokens:
        if position < len(words) and token == words[position]:
            out.append(DisplayWord(base + position, base + position + 1, token))
            position += 1
            continue
        span = _span(words, position, token)
        if span == 0:  # text2num changed something it cannot be traced to: keep the spoken words
            return [DisplayWord(base + i, base + i + 1, word) for i, word in enumerate(words)]
        out.append(DisplayWord(base + position, base + position + span, token))
        position += span
    if position != len(words):
        return [DisplayWord(base + i, base + i + 1, word) for i, word in enumerate(words)]
    return out


def _span(words: Sequence[str], position: int, token: str) -> int:
    """How many words from `position` alpha2digit turns into `token` (0: none)."""
    for length in range(min(_MAX_SPAN, len(words) - position), 0, -1):
        if alpha2digit(" ".join(words[position : position + length]), _LANGUAGE, 0) == token:
            return length
    return 0


def _percent(shown: list[DisplayWord], spoken: Sequence[str]) -> list[DisplayWord]:
    """ "20 percent" -> "20%" (one display word over both spoken spans)."""
    out: list[DisplayWord] = []
    for word in shown:
        previous = out[-1] if out else None
        if previous is not None and spoken[word.start] == "percent" and _NUMBER.match(previous.text):
            out[-1] = DisplayWord(previous.start, word.end, previous.text + "%")
        else:
            out.append(word)
    return out


def _lists(shown: list[DisplayWord]) -> list[DisplayWord]:
    """Three or more numbers in a row, each spoken on its own, are a list: "1, 2, 3"."""
    out = list(shown)
    index = 0
    while index < len(out):
        end = index
        while end < len(out) and _NUMBER.match(out[end].text):
            end += 1
        if end - index >= _LIST_LENGTH:
            for item in range(index, end - 1):
                out[item] = DisplayWord(out[item].start, out[item].end, out[item].text + ",")
        index = max(end, index + 1)
    return out


def _sentence(shown: list[DisplayWord], spoken: Sequence[str], *, punctuate: bool) -> list[DisplayWord]:
    """Capitalise the first word and "I", and end the sentence with `?` or `.`."""
    out = [DisplayWord(w.start, w.end, _capital(w.text, first=i == 0)) for i, w in enumerate(shown)]
    kept = [i for i, w in enumerate(out) if w.text]
    if kept and punctuate:  # a phrase of removed words only keeps its empty words, unpunctuated
        first = next(word for word in spoken if word)
        mark = "?" if first.lower().split("'")[0] in _QUESTION_WORDS else "."
        last = out[kept[-1]]
        text = last.text[:-1] if last.text.endswith(",") else last.text
        out[kept[-1]] = DisplayWord(last.start, last.end, text + mark)
    return out


def _capital(word: str, *, first: bool) -> str:
    if word == "i" or word.startswith("i'"):
        return "I" + word[1:]
    return word[:1].upper() + word[1:] if first else word
