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


Token = tuple[str, bool]  # a word, and whether it is glued to the one before (no space: CJK)


def join(tokens: list[Token]) -> str:
    """The tokens as text: a space between words, none before a glued one."""
    return "".join(word if index == 0 or glued else " " + word for index, (word, glued) in enumerate(tokens))


def break_lines(words: list[str] | list[Token], prefix: str = "") -> list[str]:
    """One line if it fits, else the best two-line break; a lone over-long word stands alone."""
    tokens: list[Token] = [(w, False) if isinstance(w, str) else w for w in words]
    if prefix and tokens:
        tokens[0] = (prefix + tokens[0][0], tokens[0][1])
    single = join(tokens)
    if len(single) <= LINE_CHARS or len(tokens) < 2:
        return [single] if single else []
    # Every cut is weighed by the two lines' lengths, counted rather than built (a cue is tried
    # many times over while the cues are laid out): a space goes before each unglued token
    # after the first, and a cut drops the one before the bottom line's first token.
    spaces = [0] + [0 if glued else 1 for _, glued in tokens[1:]]
    best: tuple[float, int] | None = None
    top = 0
    for cut in range(1, len(tokens)):
        top += len(tokens[cut - 1][0]) + spaces[cut - 1]
        bottom = len(single) - top - spaces[cut]
        if max(top, bottom) > LINE_CHARS:
            continue
        cost = abs(top - bottom) + (0.5 if top > bottom else 0.0)
        last = tokens[cut - 1][0]
        if last[-1] in ".?!;:,\u3002\u3001":
            cost -= 12
        elif last.lower() in WEAK_ENDINGS:
            cost += 12
        if best is None or cost < best[0]:
            best = (cost, cut)
    if best is None:  # does not fit in two lines: greedy fill, the caller decides what to do
        return _greedy(tokens)
    return [join(tokens[: best[1]]), join(tokens[best[1] :])]


def _greedy(tokens: list[Token]) -> list[str]:
    lines: list[list[Token]] = []
    for token in tokens:
        if lines and len(join([*lines[-1], token])) <= LINE_CHARS:
            lines[-1].append(token)
        else:
            lines.append([(token[0], False)])
    return [join(line) for line in lines]
