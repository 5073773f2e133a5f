"""The process's peak resident memory (Linux), for the memory benchmarks."""

from __future__ import annotations


def peak_kb(*, reset: bool = False) -> int:
    """VmHWM; `reset` first lowers it to the current RSS (Linux: clear_refs 5)."""
    if reset:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1])
