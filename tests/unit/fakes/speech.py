"""An in-memory SpeechClient: fast transcription answering a canned result, or the app's errors.

It builds the request's `definition` as the real client does (`transcription_options`), so
options the SDK cannot express fail alike; errors are raised as
`transcriber.adapters.speech.translate_error` gives them (ServiceThrottledError, ServiceError,
AudioRejectedError, AuthenticationError).
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass
from typing import Any

from tests.unit.fakes.faults import FaultPlan
from transcriber.adapters.speech_gate import TRIGGER_PATIENCE_SECONDS, SpeechGate
from transcriber.adapters.speech_models import transcription_options
from transcriber.adapters.telemetry import NullTelemetry, Telemetry
from transcriber.config import SpeechSettings
from transcriber.domain.options import TranscriptionRequestOptions


def canned_result(text: str = "hello from the fake service", seconds: float = 1.0) -> dict[str, Any]:
    """A fast-transcription result of one phrase, shaped as the service answers."""
    duration = int(seconds * 1000)
    words = text.split()
    step = duration // max(1, len(words))
    return {
        "durationMilliseconds": duration,
        "combinedPhrases": [{"text": text}],
        "phrases": [
            {
                "offsetMilliseconds": 0,
                "durationMilliseconds": duration,
                "text": text,
                "words": [
                    {"text": word, "offsetMilliseconds": i * step, "durationMilliseconds": step}
                    for i, word in enumerate(words)
                ],
                "locale": "en-US",
                "confidence": 0.93,
            }
        ],
    }


@dataclass(frozen=True)
class SpeechRequest:
    audio_bytes: int | None  # None: sent by URL
    audio_url: str | None
    options: TranscriptionRequestOptions


class FakeSpeech:
    """`requests` lists what was sent (faulted ones too), `answered` counts results; `delay` holds
    each answer (so deliveries overlap). Requests pass the real client's gate (`speech_gate`), so
    the instance's pace and its throttles behave as in the app."""

    def __init__(
        self,
        settings: SpeechSettings,
        *,
        result: dict[str, Any] | None = None,
        faults: FaultPlan | None = None,
        delay: float = 0.0,
        telemetry: Telemetry | None = None,
    ) -> None:
        self.settings = settings
        self.gate = SpeechGate(
            "fast", settings.requests_per_minute, settings.max_concurrency, telemetry or NullTelemetry()
        )
        self.result = result if result is not None else canned_result()
        self.faults = faults or FaultPlan()
        self.delay = delay
        self.requests: list[SpeechRequest] = []
        self.answered = 0

    async def transcribe(
        self,
        audio: bytes | bytearray | memoryview,
        options: TranscriptionRequestOptions,
        *,
        timeout: float | None = None,
        patience: float = TRIGGER_PATIENCE_SECONDS,
    ) -> dict[str, Any]:
        return await self._answer("transcribe", SpeechRequest(len(audio), None, options), patience)

    async def transcribe_url(
        self,
        audio_url: str,
        options: TranscriptionRequestOptions,
        *,
        timeout: float | None = None,
        patience: float = TRIGGER_PATIENCE_SECONDS,
    ) -> dict[str, Any]:
        return await self._answer("transcribe_url", SpeechRequest(None, audio_url, options), patience)

    def time_passes(self) -> None:
        """A deferral's delay went by (tests skip it): every slot promised and any Retry-After are past."""
        pacer = self.gate.pacer
        pacer.next_slot = pacer.held_until = pacer.deferred_until = 0.0

    def defer_seconds(self, retry_after: int | None = None) -> float:
        return self.gate.defer_seconds(retry_after)

    async def _answer(self, operation: str, request: SpeechRequest, patience: float) -> dict[str, Any]:
        transcription_options(request.options)  # the definition, built before anything is sent
        async with self.gate.slot(patience):
            self.requests.append(request)
            self.faults.begin(operation)
            await asyncio.sleep(self.delay)
            self.faults.end(operation)
        self.answered += 1
        return copy.deepcopy(self.result)  # the real client parses a fresh dict from each body

    async def check_access(self, timeout: float) -> str | None:
        await asyncio.sleep(0)
        self.faults.begin("check_access")
        return None

    def prepare_client(self) -> None:
        return None

    async def prepare(self) -> None:
        return None

    async def close(self) -> None:
        return None
