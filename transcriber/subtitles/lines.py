"""Breaking one cue's text into lines: at most two of at most LINE_CHARS characters.

Style guides (BBC, Netflix) ask for one line when the text fits, else two lines broken where
the grammar breaks (after punctuation, not after an article or a preposition) and close to
equal in length, the lower line no shorter than needed. Ties go to a longer bottom line.
"""

from __future__ import annotations

LINE_CHARS = 42
MAX_LINES = 2
# Words a line should not end on (an article, a preposition, a conjunction, a possessive).
WEAK_ENDINGS = frozenset(
    {"a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "with", "from", "and", "or", "but"}
    | {"nor", "if", "as", "that", "my", "your", "his", "her", "its", "our", "their"}
)


def fits(words: list[str], prefix: str = "") -> bool:
    """Whether the words (after an optional label) fit in MAX_LINES lines of LINE_CHARS."""
    lines = break_lines(words, prefix)
    return len(lines) <= MAX_LINES and all(len(line) <= LINE_CHARS for line in lines)


def break_lines(words: list[str], prefix: str = "") -> list[str]:
    """One line if it fits, else the best two-line break; a lone over-long word stands alone."""
    tokens = [prefix + words[0], *words[1:]] if prefix and words else list(words)
    single = " ".join(tokens)
    if len(single) <= LINE_CHARS or len(tokens) < 2:
        return [single] if single else []
    best: tuple[float, int] | None = None
    for cut in range(1, len(tokens)):
        top, bottom = " ".join(tokens[:cut]), " ".join(tokens[cut:])
        if max(len(top), len(bottom)) > LINE_CHARS:
            continue
        cost = abs(len(top) - len(bottom)) + (0.5 if len(top) > len(bottom) else 0.0)
        last = tokens[cut - 1]
        if last[-1] in ".?!;:,":
            cost -= 12
        elif last.lower() in WEAK_ENDINGS:
            cost += 12
        if best is None or cost < best[0]:
            best = (cost, cut)
    if best is None:  # does not fit in two lines: greedy fill, the caller decides what to do
        return _greedy(tokens)
    return [" ".join(tokens[: best[1]]), " ".join(tokens[best[1] :])]


def _greedy(tokens: list[str]) -> list[str]:
    lines: list[str] = []
    for token in tokens:
        if lines and len(lines[-1]) + 1 + len(token) <= LINE_CHARS:
            lines[-1] += " " + token
        else:
            lines.append(token)
    return lines
