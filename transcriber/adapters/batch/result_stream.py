"""A batch result file parsed as its bytes arrive, within a memory bound.

`json.loads` of a whole result file holds every alternative, lexical form and both word lists of
every phrase at once, several times the file's size; here each phrase is built on its own by
ijson's C parser and converted to the fast shape (`results.FastShape`) before the next, so what
is kept is the fast result alone. A second, event-level pass over the same chunks picks out the
small fields: the duration and the service's combined text per channel.
"""

from __future__ import annotations

from typing import Any

import ijson

from transcriber.adapters.batch.results import LISTS, BatchResultError, FastShape

__all__ = ["ResultStream"]

# The C parser holds the GIL through a whole piece: pieces this small keep each hold to a few
# milliseconds, so the event loop's thread gets its turns while a long file is parsed.
PIECE_BYTES = 64 * 1024
_OPEN = frozenset(("start_map", "start_array"))
_CLOSE = frozenset(("end_map", "end_array"))


class ResultStream:
    """Feed a result file's bytes in any chunks (`feed`), then take the fast result (`finish`).

    Not thread-safe: one caller feeds it, from one thread at a time.
    """

    def __init__(self, shape: FastShape) -> None:
        self._shape = shape
        self._phrases = ijson.sendable_list()
        self._events = ijson.sendable_list()
        self._phrase_parser = ijson.items_coro(self._phrases, "recognizedPhrases.item", use_float=True)
        self._event_parser = ijson.basic_parse_coro(self._events, use_float=True)
        self._depth = 0
        self._key: str | None = None
        self._entry: dict[str, Any] | None = None  # the combinedRecognizedPhrases entry being read
        self._entry_key: str | None = None

    def feed(self, chunk: bytes) -> None:
        """Parse what came next, in pieces of PIECE_BYTES; BatchResultError when it is not JSON
        or not a result file."""
        for start in range(0, len(chunk), PIECE_BYTES):
            piece = chunk[start : start + PIECE_BYTES]
            try:
                self._phrase_parser.send(piece)
                self._event_parser.send(piece)
            except ijson.JSONError as exc:  # IncompleteJSONError too
                raise BatchResultError(f"the result file is not valid JSON: {exc}") from None
            self._take()

    def finish(self) -> dict[str, Any]:
        """The fast result, once the whole file was fed."""
        try:
            self._phrase_parser.close()
            self._event_parser.close()
        except ijson.JSONError as exc:
            raise BatchResultError(f"the result file is not valid JSON: {exc}") from None
        self._take()
        return self._shape.result()

    def _take(self) -> None:
        for phrase in self._phrases:
            self._shape.add_phrase(phrase)
        del self._phrases[:]
        for event, value in self._events:
            self._event(event, value)
        del self._events[:]

    def _event(self, event: str, value: Any) -> None:
        depth = self._depth
        if event in _OPEN:
            self._depth += 1
            if depth == 0 and event != "start_map":
                raise BatchResultError("the result file is not a JSON object")
            if depth == 1 and self._key in LISTS and event != "start_array":
                raise BatchResultError(f"{self._key} is not a list")
            if depth == 1 and self._key not in LISTS and self._key is not None:
                # its kind, not its content: a duration that is a list is refused as the whole file's
                self._shape.set_field(self._key, {} if event == "start_map" else [])
            if depth == 2 and self._key == "combinedRecognizedPhrases" and event == "start_map":
                self._entry = {}
        elif event in _CLOSE:
            self._depth -= 1
            if depth == 3 and self._entry is not None:
                self._shape.add_combined(self._entry)
                self._entry = None
        elif event == "map_key":
            if depth == 1:
                self._key = value
            elif depth == 3:
                self._entry_key = value
        elif depth == 0:
            raise BatchResultError("the result file is not a JSON object")
        elif depth == 1:
            if self._key in LISTS and value is not None:
                raise BatchResultError(f"{self._key} is not a list")
            if self._key is not None:
                self._shape.set_field(self._key, value)
        elif depth == 3 and self._entry is not None and self._entry_key is not None:
            self._entry[self._entry_key] = value
