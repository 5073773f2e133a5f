"""The instance's gate to Speech: slots from the pace, throttles that hold and cut it."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.unit.fakes import RecordingTelemetry
from transcriber.adapters.speech_gate import SpeechGate
from transcriber.adapters.telemetry import METRIC_THROTTLED
from transcriber.domain.errors import ServiceThrottledError


async def test_a_slot_promised_before_a_throttle_waits_out_its_retry_after() -> None:
    telemetry = RecordingTelemetry()
    gate = SpeechGate("fast", 600, 8, telemetry)  # a slot every 0.1 s
    started = time.monotonic()
    gate.pacer.next_slot = started  # no idle second's slots to spend at once
    sent: list[float] = []

    async def throttled() -> None:
        with pytest.raises(ServiceThrottledError):
            async with gate.slot():
                await asyncio.sleep(0.05)
                raise ServiceThrottledError("slow down", retry_after=1)

    async def next_in_line() -> None:
        await asyncio.sleep(0.01)  # its slot (0.1 s) is promised before the 429 comes back
        async with gate.slot():
            sent.append(time.monotonic() - started)

    await asyncio.gather(throttled(), next_in_line())
    assert sent[0] >= 1.0  # not inside the Retry-After, though its first slot was at 0.1 s
    assert gate.pacer.cuts == 1 and 7.0 <= gate.pacer.rate < 10.0  # cut to 70%, growing back
    assert [p.name for p in telemetry.metrics] == [METRIC_THROTTLED]


async def test_no_slot_within_the_patience_is_refused_at_once_with_when_to_come_back() -> None:
    gate = SpeechGate("fast", 6, 8, RecordingTelemetry())  # a slot every 10 s
    async with gate.slot(patience=1.0):  # the one slot the last idle second left
        pass
    started = time.monotonic()
    with pytest.raises(ServiceThrottledError) as refused:
        async with gate.slot(patience=1.0):
            raise AssertionError("no slot was free")
    assert time.monotonic() - started < 0.5
    assert refused.value.paced and 9 <= (refused.value.retry_after or 0) <= 10
    assert gate.pacer.cuts == 0  # its own pace is no throttle: the rate stays
