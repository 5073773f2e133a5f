"""One log line per blob delivery that says what came of it: the host reports every invocation that
returns as Succeeded, a failure recorded for good and a deferral included, and `make dev`'s
console shows the app's word (devtools/dev/host.py `describe`), not the host's."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from devtools.dev.host import describe
from tests.fixtures.functions import AppUnderTest

TRIGGERS = "transcriber.entry.triggers"
NOT_DECODABLE = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(200))  # the service: InvalidAudioFormat


def outcome_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == TRIGGERS and " outcome: " in r.getMessage()]


async def test_a_failure_recorded_for_good_is_logged_as_failed_not_succeeded(
    deployed: AppUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=TRIGGERS)
    deployed.upload("notaudio.wav", NOT_DECODABLE)
    delivery = await deployed.blob_event("notaudio.wav")
    assert delivery.status == "succeeded"  # the host's word: the invocation returned
    [line] = outcome_lines(caplog)
    assert re.fullmatch(r"blob \S+ outcome: failed \(InvalidAudioFormat\)", line), line
    assert describe(delivery.status, delivery.invocations) == ("failed", "InvalidAudioFormat")


async def test_a_deferral_is_logged_as_deferred_with_its_time(
    deployed: AppUnderTest, corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=TRIGGERS)
    deployed.upload("busy.wav", (corpus / "cards-001.wav").read_bytes())
    deployed.speech.fail(429, count=1, retry_after=1)
    delivery = await deployed.blob_event("busy.wav")
    [line] = outcome_lines(caplog)
    assert re.fullmatch(r"blob \S+ outcome: deferred \(until \S+\)", line), line
    word, why = describe(delivery.status, delivery.invocations)
    assert word == "deferred" and why.startswith("until ")


async def test_a_transcribed_blob_is_logged_as_transcribed(
    deployed: AppUnderTest, corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=TRIGGERS)
    deployed.upload("fine.wav", (corpus / "cards-001.wav").read_bytes())
    delivery = await deployed.blob_event("fine.wav")
    [line] = outcome_lines(caplog)
    assert re.fullmatch(r"blob \S+ outcome: transcribed", line), line
    assert describe(delivery.status, delivery.invocations) == ("succeeded", "")
