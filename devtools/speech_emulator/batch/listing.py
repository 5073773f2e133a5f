"""`GET /speechtotext/transcriptions`: the list, with `skip`, `top` and `filter` (2024-11-15).

The reference's filter: properties displayName, description, createdDateTime, lastActionDateTime,
status, locale; `eq`/`ne` for all of them, `gt`/`ge`/`lt`/`le` for the two times; `and`, `or`,
`not`. Values are single-quoted strings ('' is a quote) or, for the times, bare ISO 8601 stamps
(the reference's example: `createdDateTime gt 2022-02-01T11:00:00Z`). Parentheses are not in the
reference and are refused, as anything else the emulator cannot read (400 InvalidQueryParameter).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from devtools.speech_emulator.errors import ServiceError

PROPERTIES = ("displayName", "description", "createdDateTime", "lastActionDateTime", "status", "locale")
TIMES = ("createdDateTime", "lastActionDateTime")
ORDER = ("gt", "ge", "lt", "le")
DEFAULT_TOP = 100
_TOKEN = re.compile(r"\s*('(?:[^']|'')*'|[^\s']+)")

Predicate = Callable[[dict[str, Any]], bool]


def _bad(message: str) -> ServiceError:
    return ServiceError.invalid_request(f"The filter is not valid: {message}", "InvalidQueryParameter")


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _bad("unbalanced quote")
        tokens.append(match.group(1))
        position = match.end()
    return tokens


def _time(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise _bad(f"'{value}' is not a time") from exc


def _term(prop: str, op: str, raw: str) -> Predicate:
    if prop not in PROPERTIES:
        raise _bad(f"'{prop}' is not a filterable property")
    if op not in ("eq", "ne", *ORDER) or (op in ORDER and prop not in TIMES):
        raise _bad(f"'{op}' is not supported for {prop}")
    value = (
        raw[1:-1].replace("''", "'") if raw.startswith("'") and raw.endswith("'") and len(raw) > 1 else raw
    )
    if prop in TIMES:
        wanted = _time(value)

        def compare(entity: dict[str, Any]) -> bool:
            have = _time(str(entity.get(prop)))
            return {
                "eq": have == wanted,
                "ne": have != wanted,
                "gt": have > wanted,
                "ge": have >= wanted,
                "lt": have < wanted,
                "le": have <= wanted,
            }[op]

        return compare
    if not raw.startswith("'"):
        raise _bad(f"the value for {prop} must be a quoted string")
    if op == "eq":
        return lambda entity: entity.get(prop) == value
    return lambda entity: entity.get(prop) != value


def parse_filter(text: str | None) -> Predicate:
    """A predicate over the entity JSON; `or` binds looser than `and`, `not` tightest."""
    if not text or not text.strip():
        return lambda entity: True
    tokens = _tokens(text)
    if any(t.startswith("(") or t.endswith(")") for t in tokens if not t.startswith("'")):
        raise _bad("parentheses are not supported")
    alternatives: list[list[Predicate]] = [[]]
    i = 0
    while i < len(tokens):
        negate = False
        while i < len(tokens) and tokens[i] == "not":
            negate, i = not negate, i + 1
        if i + 3 > len(tokens):
            raise _bad("a comparison needs a property, an operator and a value")
        term = _term(tokens[i], tokens[i + 1], tokens[i + 2])
        alternatives[-1].append((lambda e, t=term: not t(e)) if negate else term)
        i += 3
        if i < len(tokens):
            if tokens[i] == "or":
                alternatives.append([])
            elif tokens[i] != "and":
                raise _bad(f"expected 'and' or 'or', not '{tokens[i]}'")
            i += 1
            if i == len(tokens):
                raise _bad("the filter ends with an operator")
    return lambda entity: any(all(term(entity) for term in terms) for terms in alternatives)


def page_bounds(skip: str | None, top: str | None) -> tuple[int, int]:
    try:
        first = int(skip) if skip is not None else 0
        count = int(top) if top is not None else DEFAULT_TOP
    except ValueError as exc:
        raise ServiceError.invalid_request("skip and top must be integers.", "InvalidQueryParameter") from exc
    if first < 0 or count < 1:
        raise ServiceError.invalid_request("skip must be >= 0 and top >= 1.", "InvalidQueryParameter")
    return first, count
