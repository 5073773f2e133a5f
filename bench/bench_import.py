"""Import cost of function_app against azure.functions alone (cold interpreter, median of runs).

The worker imports function_app on every cold start. The core's SDKs (Speech, telemetry,
aiohttp sessions) are loaded lazily; the SDK-type blob binding's annotation must exist when the
runtime indexes, so its extension, with azure-storage-blob and azure-identity, is part of this
cost. Figures come from one run, side by side.
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
    functions, app = [], []
    for _ in range(RUNS):  # interleaved so both sides see the same machine load
        baseline.append(_cold_import_ms("sys"))
        functions.append(_cold_import_ms("azure.functions"))
        app.append(_cold_import_ms("function_app"))
    interpreter = statistics.median(baseline)
    f = statistics.median(functions) - interpreter
    a = statistics.median(app) - interpreter
    print(f"interpreter start-up      {interpreter:7.1f} ms (subtracted)")
    print(f"import azure.functions    {f:7.1f} ms")
    print(f"import function_app       {a:7.1f} ms")
    print(f"ratio function_app/azure.functions  {a / f:.2f}")


if __name__ == "__main__":
    main()
