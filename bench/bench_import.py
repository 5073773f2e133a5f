"""Import cost of function_app against azure.functions alone, each in a fresh interpreter.

The worker imports function_app on every cold start. Each trial is a new interpreter that times
one import in-process, inside a running event loop as Microsoft's runtime imports the app (wall
and CPU clock around the import statement, so the interpreter's own start-up is not in it): `azure.functions`, then `function_app` (azure.functions included), the
app before #12, and the import plus what indexing adds (it resolves the blob trigger's
annotation, which loads the SDK-type binding extension: azure.storage.blob, azure.identity).
Trials are interleaved, all kinds once per round; figures are medians with the spread of the
per-round ratios (min-max). The CPU clock counts the import's own work; the wall clock also
counts waiting for a core, which on 2 shared cores can double a figure from one trial to the
next: both are printed with a verdict each. The core's SDKs load on the warm-up thread after
indexing. Where no bytecode is written (PYTHONDONTWRITEBYTECODE, set on these machines) the
app's own modules are compiled from source on every import, the SDKs' (installed) are not.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

from bench.stack import verdict

ROOT = Path(__file__).resolve().parent.parent
TRIALS = 15
GOAL = 1.2
INDEX = "import typing; typing.get_type_hints(function_app.transcribe_blob._function._func)"
KINDS = {
    "azure.functions": "import azure.functions",
    "function_app": "import function_app",
    "function_app + index": f"import function_app; {INDEX}",
}


def _timed_import(statement: str, cwd: Path) -> dict[str, float]:
    """One import in a fresh interpreter, inside a running event loop as the worker does it."""
    code = (
        "import asyncio, json, time\n"
        "async def main():\n"
        "    wall, cpu = time.perf_counter(), time.process_time()\n"
        f"    {statement}\n"
        "    print(json.dumps({'wall': (time.perf_counter() - wall) * 1000, "
        "'cpu': (time.process_time() - cpu) * 1000}))\n"
        "asyncio.run(main())"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    from bench.baseline import baseline_tree

    with baseline_tree() as old_tree:
        kinds = [(label, statement, ROOT) for label, statement in KINDS.items()]
        if old_tree is not None:
            kinds.append(("function_app before #12", KINDS["function_app"], old_tree))
        runs: dict[str, list[dict[str, float]]] = {label: [] for label, _, _ in kinds}
        for _ in range(TRIALS):  # interleaved so every kind sees the same machine load
            for label, statement, cwd in kinds:
                runs[label].append(_timed_import(statement, cwd))
    print(
        f"{TRIALS} interleaved fresh interpreters; in-process import time, median; ratio to azure.functions"
    )
    print(f"{'import':<26}{'cpu ms':>8}{'ratio':>7}{'spread':>12}{'wall ms':>10}{'ratio':>7}{'spread':>12}")
    ratios: dict[tuple[str, str], float] = {}
    for label, trials in runs.items():
        cells = []
        for clock in ("cpu", "wall"):
            base = runs["azure.functions"]
            per_round = [t[clock] / b[clock] for t, b in zip(trials, base, strict=True)]
            value = statistics.median(t[clock] for t in trials)
            ratios[(label, clock)] = value / statistics.median(b[clock] for b in base)
            cells.append(
                f"{value:>8.1f}{ratios[(label, clock)]:>6.2f}x{min(per_round):>6.2f}-{max(per_round):<5.2f}"
            )
        print(f"{label:<26}{cells[0]}  {cells[1]}")
    for clock, meaning in (
        ("cpu", "the import's own work"),
        ("wall", "also the time spent waiting for a core on this shared machine"),
    ):
        before = ratios.get(("function_app before #12", clock))
        base_text = f"before #12 {before:.2f}x" if before is not None else "before #12: no git history"
        now = ratios[("function_app", clock)]
        print(
            f"goal import function_app <= {GOAL:g}x azure.functions, {clock} clock ({meaning}): "
            f"now {now:.2f}x ({base_text}): {verdict(now <= GOAL)}"
        )
    print(
        "'+ index': indexing resolves the blob trigger's annotation, which loads the SDK-type "
        "binding extension (needed for deferred binding); the host waits for it either way"
    )


if __name__ == "__main__":
    main()
