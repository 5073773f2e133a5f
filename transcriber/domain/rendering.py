"""Transcript files and JSON, made off the event loop when they are big.

An hour of speech would stall every invocation on the loop (docs/ARCHITECTURE.md, "Rendering off the loop").
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from transcriber.domain import formats

__all__ = ["dumps", "encode_json", "parse_json", "render_files"]

INLINE_BYTES = 64 * 1024  # JSON bodies up to this size are parsed on the loop
INLINE_PHRASES = 64  # transcripts up to this many phrases are rendered on the loop
_DECODER = json.JSONDecoder()  # its scan_once is the C scanner
_executor: ThreadPoolExecutor | None = None


async def parse_json(body: bytes) -> Any:
    """The service's result as plain data."""
    if len(body) <= INLINE_BYTES:
        return json.loads(body)
    return await _run(_loads_in_steps, body, inline=False)


def _loads_in_steps(body: bytes) -> Any:
    """`json.loads(body)`, the top-level object and its arrays one element at a time.

    The C decoder holds the GIL for a whole call (about 15 ms for an hour's result), so each
    element (a phrase) gets a call of its own: between them the loop's thread can take the GIL.
    """
    text = body.decode("utf-8")
    index = _skip(text, 0)
    if not text.startswith("{", index):
        return json.loads(text)
    document: dict[str, Any] = {}
    index = _skip(text, index + 1)
    if text.startswith("}", index):
        return _end(text, index + 1, document)
    while True:
        if not text.startswith('"', index):
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, index)
        key, index = json.decoder.scanstring(text, index + 1)
        index = _skip(text, index)
        if not text.startswith(":", index):
            raise json.JSONDecodeError("Expecting ':' delimiter", text, index)
        index = _skip(text, index + 1)
        document[key], index = _value(text, index)
        index = _skip(text, index)
        if text.startswith("}", index):
            return _end(text, index + 1, document)
        if not text.startswith(",", index):
            raise json.JSONDecodeError("Expecting ',' delimiter", text, index)
        index = _skip(text, index + 1)


def _value(text: str, index: int) -> tuple[Any, int]:
    """One value at `index`: an array element by element, anything else in one C call."""
    if not text.startswith("[", index):
        return _scan(text, index)
    items: list[Any] = []
    index = _skip(text, index + 1)
    if text.startswith("]", index):
        return items, index + 1
    while True:
        item, index = _scan(text, index)
        items.append(item)
        index = _skip(text, index)
        if text.startswith("]", index):
            return items, index + 1
        if not text.startswith(",", index):
            raise json.JSONDecodeError("Expecting ',' delimiter", text, index)
        index = _skip(text, index + 1)


def _scan(text: str, index: int) -> tuple[Any, int]:
    try:
        return _DECODER.scan_once(text, index)  # type: ignore[attr-defined]
    except StopIteration as exc:
        raise json.JSONDecodeError("Expecting value", text, exc.value) from None


def _skip(text: str, index: int) -> int:
    return json.decoder.WHITESPACE.match(text, index).end()  # type: ignore[union-attr]


def _end(text: str, index: int, document: dict[str, Any]) -> dict[str, Any]:
    if _skip(text, index) != len(text):
        raise json.JSONDecodeError("Extra data", text, index)
    return document


async def encode_json(document: Mapping[str, Any], *, indent: int | None = None) -> str:
    """`json.dumps(document, ensure_ascii=False, indent=indent)`, exactly, in short steps."""
    return await _run(partial(dumps, indent=indent), document, inline=_is_small(document))


async def render_files(
    result: Mapping[str, Any], fmts: Iterable[str], document: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """Each of `fmts` rendered from `result`, plus `document` as pretty JSON under "json"."""
    return await _run(partial(_render_all, tuple(fmts), document), result, inline=_is_small(result))


def dumps(value: Any, *, indent: int | None = None) -> str:
    """Like `json.dumps(value, ensure_ascii=False, indent=indent)`; big lists one item at a time.

    The C encoder holds the GIL for a whole call; one call per list item lets the event loop's
    thread in between (and stays C-fast).
    """
    return _encode(value, indent, 0)


def _encode(value: Any, indent: int | None, depth: int) -> str:
    if isinstance(value, dict) and len(value) > 0 and _has_big_list(value):
        items = [
            f"{json.dumps(str(key), ensure_ascii=False)}: {_encode(item, indent, depth + 1)}"
            for key, item in value.items()
        ]
        return _wrap("{", "}", items, indent, depth)
    if isinstance(value, list) and len(value) > INLINE_PHRASES:
        return _wrap("[", "]", [_encode(item, indent, depth + 1) for item in value], indent, depth)
    encoded = json.dumps(value, ensure_ascii=False, indent=indent)
    return encoded.replace("\n", "\n" + " " * (indent * depth)) if indent and depth else encoded


def _wrap(opening: str, closing: str, items: list[str], indent: int | None, depth: int) -> str:
    if indent is None:
        return opening + ", ".join(items) + closing
    inner, outer = "\n" + " " * (indent * (depth + 1)), "\n" + " " * (indent * depth)
    return opening + inner + ("," + inner).join(items) + outer + closing


def _has_big_list(value: dict[Any, Any]) -> bool:
    return any(isinstance(item, list) and len(item) > INLINE_PHRASES for item in value.values())


def _render_all(
    fmts: tuple[str, ...], document: Mapping[str, Any] | None, result: Mapping[str, Any]
) -> dict[str, str]:
    files = formats.render_many(dict(result), fmts)
    if document is not None:
        files["json"] = dumps(dict(document), indent=2)
    return files


def _is_small(document: Mapping[str, Any]) -> bool:
    phrases = document.get("phrases")
    return not isinstance(phrases, list) or len(phrases) <= INLINE_PHRASES


async def _run[T](call: Callable[[Any], T], argument: Any, *, inline: bool) -> T:
    if inline:
        return call(argument)
    global _executor
    if _executor is None:
        # One thread: a second CPU-bound one would make the loop's thread wait for the GIL
        # behind both of them.
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="transcriber-render")
    return await asyncio.get_running_loop().run_in_executor(_executor, call, argument)
