"""How long a one-hour transcript holds the event loop: the app's path beside the one before #12.

A one-hour result (150 words a minute, word timings, speakers) as the service returns it is
turned into what the blob job writes (the JSON document, .txt, .srt, .vtt) and what an HTTP
caller gets (compact JSON). A ticker on the same loop records the longest gap between its
ticks (1 ms apart) while that runs: the stall every other invocation on the worker would see.
Before #12: the SDK built its models from the body (`_deserialize`, then `as_dict()`), and
`formats.render` and `json.dumps` ran on the loop. Now: `transcriber.rendering`.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from typing import Any

from bench.stack import verdict

GOAL_MS = 20.0
RUNS = 5
FORMATS = ("txt", "srt", "vtt")


def one_hour(words_per_minute: int = 150, seconds: int = 3600) -> dict[str, Any]:
    rng = random.Random(12)
    vocabulary = [
        "the",
        "quick",
        "brown",
        "fox",
        "jumps",
        "over",
        "a",
        "lazy",
        "dog",
        "while",
        "someone",
        "reads",
        "the",
        "minutes",
        "aloud",
    ]
    phrases, clock = [], 0
    while len(phrases) * 12 < words_per_minute * seconds // 60:
        words = []
        for _ in range(12):
            words.append(
                {"text": rng.choice(vocabulary), "offsetMilliseconds": clock, "durationMilliseconds": 320}
            )
            clock += 400
        phrases.append(
            {
                "offsetMilliseconds": words[0]["offsetMilliseconds"],
                "durationMilliseconds": clock - words[0]["offsetMilliseconds"],
                "text": " ".join(w["text"] for w in words) + ".",
                "words": words,
                "locale": "en-US",
                "confidence": 0.93,
                "speaker": len(phrases) % 3 + 1,
            }
        )
    combined = [{"text": " ".join(p["text"] for p in phrases)}]
    return {"durationMilliseconds": seconds * 1000, "combinedPhrases": combined, "phrases": phrases}


async def _max_stall_ms(work: Any) -> float:
    """Run `work()` while a ticker measures the longest time the loop did not get to it."""
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    tick = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    await work()
    done.set()
    await tick
    return max(gaps) * 1000


async def _before(body: bytes) -> None:
    from azure.ai.transcription import models
    from azure.ai.transcription._utils.model_base import _deserialize

    from transcriber import formats

    result = _deserialize(models.TranscriptionResult, json.loads(body)).as_dict()
    for fmt in FORMATS:
        formats.render(result, fmt)
    json.dumps({**result, "source": {}}, ensure_ascii=False, indent=2)
    json.dumps(result, ensure_ascii=False)


async def _now(body: bytes) -> None:
    from transcriber import rendering

    result = await rendering.parse_json(body)
    await rendering.render_files(result, FORMATS, {**result, "source": {}})
    await rendering.encode_json(result)


def main() -> None:
    body = json.dumps(one_hour()).encode()
    print(
        f"one-hour transcript: {len(body) / 1e6:.1f} MB of service JSON; longest loop stall, median of {RUNS}"
    )
    figures = {}
    for label, path in (("before #12", _before), ("now", _now)):
        stalls = [asyncio.run(_max_stall_ms(lambda path=path: path(body))) for _ in range(RUNS)]
        figures[label] = statistics.median(stalls)
    print(f"before #12 (SDK models, render and dumps on the loop): {figures['before #12']:7.1f} ms")
    now = figures["now"]
    print(
        f"now (parsed, rendered, encoded off the loop):        {now:7.1f} ms  goal <= {GOAL_MS:g} ms: {verdict(now <= GOAL_MS)}"
    )


if __name__ == "__main__":
    main()
