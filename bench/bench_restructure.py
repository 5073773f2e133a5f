"""Issue #21's bar: app CPU per blob and first-invocation time beside the app before the restructuring.

Issue #21 moves transcriber/ into layers, behaviour unchanged; both figures must stay within 10% of
the app at `BEFORE_RESTRUCTURING` (exported from git, `bench.baseline`). The same code measures
both apps, through function_app's entry points only, so each tree's core may name its modules as
it likes:
- app CPU per blob: bench_concurrency's (its three phases with 0.5 s of Speech latency, the app
  process's CPU over every blob);
- first invocation: bench_first_invocation's (HTTP and blob through the local Functions host, a
  fresh worker process, arriving after the host's start-up or at once after indexing).
Rounds interleave the two apps, in alternating order, so both see the same machine. Each figure is
the median over rounds (trials); the ratio is now/before, beside the spread of the ratios of the
figures measured one after the other (min-max): the noise a 10% bar sits in on this machine.
Faster counts as within. Figures only: no timing fails the run. BENCH_ROUNDS=<n> runs more rounds
(about 1.5 minutes each) where the spread is wider than the bar.
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path

from bench.baseline import BEFORE_RESTRUCTURING, baseline_tree
from bench.bench_concurrency import per_blob_of, run_phases
from bench.bench_first_invocation import ARRIVALS, CONTAINERS, first_invocation
from bench.stack import local_stack

ROUNDS = int(os.environ.get("BENCH_ROUNDS") or 3)
FIRST_PER_ROUND = 2  # first-invocation trials of each kind: a fresh process each, ~2 s
TOLERANCE = 0.10
CPU = "app CPU per blob"
KINDS = {"http": "HTTP", "blob": "blob"}


def compare(now: list[float], before: list[float]) -> tuple[float, float, float, float, float]:
    """Both apps' figures, measured in pairs: the medians, their ratio, and the lowest and highest
    ratio within a pair."""
    pairs = [n / b for n, b in zip(now, before, strict=True)]
    median_now, median_before = statistics.median(now), statistics.median(before)
    return median_now, median_before, median_now / median_before, min(pairs), max(pairs)


def _first_row(kind: str, arrival: str) -> str:
    return f"first {KINDS[kind]} invocation, {ARRIVALS[arrival]}"


def _order(trees: dict[str, Path | None], n: int) -> list[str]:
    """Both apps' labels, "now" first in even rounds and last in odd ones."""
    return list(trees) if n % 2 == 0 else list(reversed(trees))


def main() -> None:
    from azure.storage.blob import BlobServiceClient

    with local_stack() as stack, baseline_tree(BEFORE_RESTRUCTURING) as old_tree:
        if old_tree is None:
            print(f"no git history here ({BEFORE_RESTRUCTURING} unavailable): nothing to compare with")
            return
        admin = BlobServiceClient.from_connection_string(stack.azurite.connection_string)
        for container in CONTAINERS:
            admin.create_container(container)
        trees: dict[str, Path | None] = {"now": None, "before": old_tree}
        rows = [CPU] + [_first_row(kind, arrival) for kind in KINDS for arrival in ARRIVALS]
        figures: dict[str, dict[str, list[float]]] = {row: {label: [] for label in trees} for row in rows}
        for n in range(ROUNDS):
            for label in _order(trees, n):
                phases = run_phases(stack, admin, trees[label], f"{label}-{n}")
                figures[CPU][label].append(per_blob_of(phases, "cpu") * 1000)
            for trial in range(n * FIRST_PER_ROUND, (n + 1) * FIRST_PER_ROUND):
                for kind in KINDS:
                    for arrival in ARRIVALS:
                        for label in _order(trees, trial):
                            prefix = f"{label}-{kind}-{arrival}-{trial}"
                            result = first_invocation(stack, admin, trees[label], kind, arrival, prefix)
                            figures[_first_row(kind, arrival)][label].append(float(result["first_ms"]))
        admin.close()
    print(
        f"this checkout (now) beside {BEFORE_RESTRUCTURING}, the app before the restructuring (before): "
        f"{ROUNDS} interleaved rounds ({ROUNDS * FIRST_PER_ROUND} first-invocation trials); medians in ms; "
        "spread: now/before of each round (trial), min-max"
    )
    print(f"{'':<54}{'now':>8}{'before':>8}{'now/before':>12}{'spread':>12}  within {TOLERANCE:.0%}")
    noisy = False
    for row in rows:
        now, before, ratio, low, high = compare(figures[row]["now"], figures[row]["before"])
        within = "yes" if ratio <= 1 + TOLERANCE else "NO"
        print(f"{row:<54}{now:>8.1f}{before:>8.1f}{ratio:>11.2f}x{f'{low:.2f}-{high:.2f}':>12}  {within}")
        noisy = noisy or low < 1 - TOLERANCE or high > 1 + TOLERANCE
    if noisy:
        print(
            f"a spread past {TOLERANCE:.0%} either way: this machine's noise is as large as the bar; "
            "more rounds (BENCH_ROUNDS=<n>) or a quieter machine resolve it"
        )


if __name__ == "__main__":
    main()
