"""Peak memory of parsing a 32 MiB batch result file: whole (before) and as it arrives (now).

The file is made by the Speech emulator's batch renderer (`devtools/speech_emulator/batch/render.py`:
word and display-word timings, as the app asks for), once in the emulator's layout (indented) and
once compact, each 32 MiB. Each figure is the growth of a fresh process's resident high-water
mark (VmHWM) while the file, already in memory, is handed over in 64 KiB pieces as a download
would be and turned into the fast result, divided by the file's size. "Before" is the code this
replaced: the pieces joined, `parse_json` (the whole document), then `to_fast_shape`. "Now" is
`BatchClient`'s path: the pieces fed to `ResultStream` a mebibyte at a time, which keeps only the
fast result. CPU seconds beside each, since streaming trades some for the memory.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from bench.peak_rss import peak_kb
from bench.stack import run_child, verdict

SIZE = 32 * 1024 * 1024
PIECE = 64 * 1024
GOAL = 2.0  # at most twice the file: the fast result is about its size, or less
_VOCABULARY = "the weather is fine today and we will meet after the budget review".split()  # noqa: SIM905


def _render(phrases: int) -> bytes:
    from devtools.speech_emulator.batch.render import render_transcription
    from devtools.speech_emulator.batch.spec import BatchSpec
    from devtools.speech_emulator.engines import Track
    from devtools.speech_emulator.recognition import RecognizedPhrase, RecognizedWord

    rng = random.Random(24)
    spec = BatchSpec(
        "bench", "en-US", ("https://account.blob.core.windows.net/audio-in/long.wav",), None, (),
        "Masked", "DictatedAndAutomatic", True, True, 24, None, (), None, {},
    )  # fmt: skip
    made, clock = [], 0
    for _ in range(phrases):
        words = []
        for _ in range(12):
            words.append(RecognizedWord(rng.choice(_VOCABULARY), clock, 300, round(rng.random(), 7)))
            clock += 320
        made.append(RecognizedPhrase(tuple(words)))
        clock += 500
    source = spec.content_urls[0]
    return render_transcription(source, [Track(0, made)], clock, spec, "en-US", "2026-12-07T00:00:00Z")


def _result_file(layout: str) -> bytes:
    """About SIZE bytes: the phrase count scaled from a small rendering."""
    sample = 200
    per_phrase = len(_render(sample)) / sample
    body = _render(int(SIZE / per_phrase))
    if layout == "compact":
        document = json.loads(body)
        per_phrase = len(json.dumps(document, separators=(",", ":"))) / len(document["recognizedPhrases"])
        body = json.dumps(json.loads(_render(int(SIZE / per_phrase))), separators=(",", ":")).encode()
    return body


def _child(path: str, mode: str) -> None:
    from transcriber.adapters.batch.client import PARSE_STEP_BYTES
    from transcriber.adapters.batch.result_stream import ResultStream
    from transcriber.adapters.batch.results import FastShape, to_fast_shape
    from transcriber.domain.rendering import parse_json

    body = Path(path).read_bytes()
    before = peak_kb(reset=True)
    cpu = time.process_time()
    if mode == "before":
        chunks = [body[start : start + PIECE] for start in range(0, len(body), PIECE)]
        document = asyncio.run(parse_json(b"".join(chunks)))
        del chunks
        result = to_fast_shape(document, locale="en-US")
    else:
        stream, pending, size = ResultStream(FastShape(locale="en-US")), [], 0
        for start in range(0, len(body), PIECE):
            pending.append(body[start : start + PIECE])
            size += PIECE
            if size >= PARSE_STEP_BYTES:
                stream.feed(b"".join(pending))
                pending, size = [], 0
        stream.feed(b"".join(pending))
        result = stream.finish()
    cpu = time.process_time() - cpu
    growth_mb = (peak_kb() - before) / 1024
    print(json.dumps({"growth_mb": growth_mb, "cpu_s": cpu, "phrases": len(result["phrases"])}))


def main() -> None:
    print(f"a {SIZE // 2**20} MiB batch result file to the fast result; peak RSS growth, CPU")
    print(
        f"{'layout':<10}{'before MiB':>12}{'x file':>8}{'CPU s':>7}{'now MiB':>10}{'x file':>8}{'CPU s':>7}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for layout in ("indented", "compact"):
            path = Path(folder) / f"{layout}.json"
            path.write_bytes(_result_file(layout))
            size = path.stat().st_size
            before = run_child("bench.bench_batch_result", dict(os.environ), str(path), "before")
            now = run_child("bench.bench_batch_result", dict(os.environ), str(path), "now")
            assert before["phrases"] == now["phrases"]
            ratio_before = before["growth_mb"] * 2**20 / size
            ratio = now["growth_mb"] * 2**20 / size
            print(
                f"{layout:<10}{before['growth_mb']:>12.0f}{ratio_before:>7.2f}x{before['cpu_s']:>7.1f}"
                f"{now['growth_mb']:>10.0f}{ratio:>7.2f}x{now['cpu_s']:>7.1f}"
                f"  goal <= {GOAL}x: {verdict(ratio <= GOAL)}"
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:4])
    else:
        main()
