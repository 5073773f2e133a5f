"""The profanity filter modes (None, Removed, Tags, Masked) over a small English word list.

The service's list is far larger and not public; a handful of common words is enough to see each
mode at work. Masked is the service's default.
"""

from __future__ import annotations

__all__ = ["PROFANE_WORDS", "filter_word"]

PROFANE_WORDS = frozenset(
    {
        "fuck",
        "fucked",
        "fucker",
        "fucking",
        "motherfucker",
        "shit",
        "shitty",
        "bullshit",
        "bitch",
        "bastard",
        "asshole",
        "cunt",
    }
)


def filter_word(word: str, mode: str) -> str:
    """The word as `mode` shows it; Removed leaves an empty word, as the live service does."""
    if mode == "None" or word.lower() not in PROFANE_WORDS:
        return word
    if mode == "Removed":
        return ""
    if mode == "Tags":
        return f"<profanity>{word}</profanity>"
    return "*" * len(word)
