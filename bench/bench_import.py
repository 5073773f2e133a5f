"""Import cost of function_app against azure.functions alone (cold interpreter, median of runs).

The worker imports function_app on every cold start. The core's SDKs (Speech, telemetry,
aiohttp sessions) load on the warm-up thread afterwards; the SDK-type blob binding's extension
(azure-storage-blob, azure-identity) is loaded lazily, when the runtime's indexing resolves the
trigger's annotation, so it is shown as "import + index". Figures come from one run, side by side.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7


def _cold_import_ms(module: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, check=True, stderr=subprocess.DEVNULL
    )
    return (time.perf_counter() - started) * 1000


def main() -> None:
    baseline = [_cold_import_ms("sys")]
    functions, app, indexed = [], [], []
    for _ in range(RUNS):  # interleaved so both sides see the same machine load
        baseline.append(_cold_import_ms("sys"))
        functions.append(_cold_import_ms("azure.functions"))
        app.append(_cold_import_ms("function_app"))
        # what the runtime's indexing adds: it resolves each function's annotations
        indexed.append(
            _cold_import_ms(
                "function_app, typing; typing.get_type_hints(function_app.transcribe_blob._function._func)"
            )
        )
    interpreter = statistics.median(baseline)
    f = statistics.median(functions) - interpreter
    a = statistics.median(app) - interpreter
    print(f"interpreter start-up      {interpreter:7.1f} ms (subtracted)")
    print(f"import azure.functions    {f:7.1f} ms")
    print(f"import function_app       {a:7.1f} ms")
    i = statistics.median(indexed) - interpreter
    print(
        f"ratio function_app/azure.functions  {a / f:.2f}  goal <= 1.2: {'goal holds' if a / f <= 1.2 else 'GOAL MISSED'}"
    )
    print(f"import + index function_app   {i:7.1f} ms ({i / f:.2f}x): indexing resolves the blob trigger's")
    print(
        "  annotation, which loads the SDK-type binding extension (azure.storage.blob, needed for deferred binding)"
    )


if __name__ == "__main__":
    main()
