"""What parsing a multipart body adds to memory: 100 MiB of audio as a form's file, before and now.

The body is in memory when the app gets it (the host's copy is not the app's), so each figure is
what `parse_request` adds on top of it, in a fresh process: the growth of the resident high-water
mark (VmHWM, lowered to the current RSS once the body is built) and the Python heap's peak
(tracemalloc), over the audio's size. "Before" is main before issue #24's change, exported from
git (`bench/baseline.py`): the audio part was joined from copied slices; now it is a view into
the body.
"""

from __future__ import annotations

import json
import os
import sys
import tracemalloc

from bench.baseline import ROOT, baseline_tree
from bench.peak_rss import peak_kb
from bench.stack import run_child, verdict

AUDIO_BYTES = 100 * 1024 * 1024
BEFORE = "5780e27"  # main before the multipart audio became a view (issue #24)
GOAL = 0.05  # of the audio's size: the parse may add its own small structures, never the audio again


def _body() -> tuple[bytes, str]:
    audio = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(AUDIO_BYTES - 16)
    body = (
        b'--bench\r\nContent-Disposition: form-data; name="locale"\r\n\r\nen-US\r\n'
        b'--bench\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n'
        b"Content-Type: audio/wav\r\n\r\n" + audio + b"\r\n--bench--\r\n"
    )
    return body, "multipart/form-data; boundary=bench"


def _child() -> None:
    from transcriber.entry.http.request import parse_request

    body, content_type = _body()
    before = peak_kb(reset=True)
    tracemalloc.start()
    request = parse_request(
        "https://app/api/transcribe",
        {"Content-Type": content_type},
        body,
        max_bytes=2 * AUDIO_BYTES,
        blob_base_url="https://account.blob.core.windows.net/audio-in",
    )
    heap = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert request.audio is not None and len(request.audio) == AUDIO_BYTES
    print(json.dumps({"growth_mib": (peak_kb() - before) / 1024, "heap_mib": heap / 2**20}))


def main() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the baseline tree's cwd comes first, then this bench
    print(
        f"multipart parse of {AUDIO_BYTES // 2**20} MiB of audio: what it adds to the body already in memory"
    )
    print(f"{'':<8}{'RSS MiB':>9}{'x audio':>9}{'heap MiB':>10}")
    rows = {}
    with baseline_tree(BEFORE) as tree:
        if tree is None:
            print(f"before   (commit {BEFORE} is not in this clone: no baseline)")
        else:
            rows["before"] = run_child("bench.bench_multipart_memory", env, cwd=tree)
        rows["now"] = run_child("bench.bench_multipart_memory", env)
    for name, row in rows.items():
        ratio = row["growth_mib"] * 2**20 / AUDIO_BYTES
        goal = f"  goal <= {GOAL}x: {verdict(ratio <= GOAL)}" if name == "now" else ""
        print(f"{name:<8}{row['growth_mib']:>9.1f}{ratio:>8.2f}x{row['heap_mib']:>10.1f}{goal}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child()
    else:
        main()
