"""CPU time from /proc, per process tree and for the whole machine, so a benchmark can say where
its wall time went: the app, each stand-in (Azurite, the Speech emulator) or everyone else on a
shared machine. Linux only; elsewhere every figure is None and the benchmark prints the raw ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # after "pid (comm) ": state, ppid, ...


def tree_cpu_seconds(pid: int) -> float | None:
    """User + system CPU of `pid` and every live descendant (None when `pid` is gone or no /proc)."""
    if _stat(pid) is None:
        return None
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        fields = _stat(current)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime (children reaped: cutime, cstime)
        todo.extend(children.get(current, []))
    return total / TICKS


def machine_busy_seconds() -> float | None:
    """CPU seconds every core spent busy (anyone's work), from /proc/stat's first line."""
    try:
        fields = [int(v) for v in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / TICKS


@dataclass
class CpuSample:
    """CPU seconds of named process trees and the machine at one moment."""

    trees: dict[str, float | None]
    machine: float | None

    @classmethod
    def take(cls, pids: dict[str, int]) -> CpuSample:
        return cls({name: tree_cpu_seconds(pid) for name, pid in pids.items()}, machine_busy_seconds())

    def since(self, earlier: CpuSample) -> dict[str, float | None]:
        """CPU seconds used between `earlier` and this sample, per tree and `machine`."""
        used: dict[str, float | None] = {}
        for name, value in self.trees.items():
            before = earlier.trees.get(name)
            used[name] = None if value is None or before is None else value - before
        used["machine"] = (
            None if self.machine is None or earlier.machine is None else self.machine - earlier.machine
        )
        return used


def parse_pids(text: str) -> dict[str, int]:
    """`name=pid,name=pid` (how a benchmark hands its stand-ins' pids to a child process)."""
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {name: int(pid) for name, pid in pairs if pid.isdigit()}


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def where_it_went(result: dict[str, Any], ideal: float) -> str:
    """One phase's wall time against the CPU every process spent in it, and against the floor the
    CPU sets: the app's one event loop, Azurite's one node thread, and the machine's cores."""
    wall, app = float(result["wall"]), float(result["cpu"])
    used = result.get("stand_ins") or {}
    azurite, emulator, machine = used.get("Azurite"), used.get("emulator"), used.get("machine")
    if azurite is None or emulator is None or machine is None:
        return f"(no /proc here: app CPU {app:.2f} s in {wall:.2f} s)"
    cores = _cores()
    others = max(0.0, machine - app - azurite - emulator)
    floor = max(ideal, app, azurite, emulator, machine / cores)
    idle = max(ideal, app, azurite, emulator, (app + azurite + emulator) / cores)
    return (
        f"CPU in {wall:.2f} s: app {app:.2f} s, Azurite {azurite:.2f} s, emulator {emulator:.2f} s, "
        f"everyone else {others:.2f} s, of {cores} cores x wall = {cores * wall:.2f} core-s; "
        f"wall x the floor that CPU allows ({floor:.2f} s): {wall / floor:.2f}; with no one else on "
        f"the machine the floor is {idle:.2f} s, {idle / ideal:.2f}x the ideal"
    )


def stand_in_cpu(results: dict[str, dict[str, Any]]) -> str:
    """Azurite's and the emulator's CPU per blob over every phase."""
    blobs = sum(float(r["blobs"]) for r in results.values())
    parts = []
    for name in ("Azurite", "emulator"):
        values = [(r.get("stand_ins") or {}).get(name) for r in results.values()]
        if None in values:
            return "unknown (no /proc)"
        parts.append(f"{name} {sum(values) / blobs * 1000:.1f} ms")
    return ", ".join(parts)
