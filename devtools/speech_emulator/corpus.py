"""The corpus of real recordings (tests/corpus) and how transcripts are scored on it.

Used by the accuracy test and `bench/bench_accuracy.py`, so both score the same way: lower
case, "%" read as "percent", punctuation dropped (hyphens split words, as in the references),
common English titles spelled out as the references spell them ("mr" -> "mister"), spelled
numbers written in digits by the same library the emulator's display form uses (text2num), so
"ten of clubs" and "10 of clubs." compare equal; then word error rate with jiwer.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from text_to_num import alpha2digit

__all__ = ["CorpusItem", "load_corpus", "normalize_text", "word_error_rate"]

_TITLES = {"mr": "mister", "mrs": "missus", "dr": "doctor"}
_NOT_WORD = re.compile(r"[^a-z0-9' ]+")
_CHANNEL_REFERENCE = re.compile(r"channel\s+(\d+)\s*:\s*([^|]*)")


@dataclass(frozen=True)
class CorpusItem:
    """One recording with a reference: for the whole file (`channel` None) or for one channel."""

    path: Path
    channel: int | None
    reference: str

    @property
    def label(self) -> str:
        return self.path.name if self.channel is None else f"{self.path.name}[ch{self.channel}]"


def load_corpus(directory: Path) -> list[CorpusItem]:
    """Every referenced recording in `manifest.tsv`; files marked "(no reference ...)" are skipped."""
    items = []
    with (directory / "manifest.tsv").open(newline="", encoding="utf-8") as manifest:
        for row in csv.DictReader(manifest, delimiter="\t"):
            reference = row["reference"].strip()
            if not reference or reference.startswith("("):
                continue
            per_channel = _CHANNEL_REFERENCE.findall(reference)
            if per_channel:
                items.extend(
                    CorpusItem(directory / row["file"], int(ch), text.strip()) for ch, text in per_channel
                )
            else:
                items.append(CorpusItem(directory / row["file"], None, reference))
    return items


def normalize_text(text: str) -> str:
    """Lower-case words without punctuation, titles spelled out, numbers in digits."""
    plain = _NOT_WORD.sub(" ", text.lower().replace("-", " ").replace("%", " percent "))
    words = alpha2digit(" ".join(plain.split()), "en").split()
    return " ".join(_TITLES.get(word, word) for word in words)


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Aggregate WER (errors over all reference words) after `normalize_text`."""
    import jiwer

    return float(jiwer.wer([normalize_text(r) for r in references], [normalize_text(h) for h in hypotheses]))
