"""Recognition engines: `pocketsphinx` (real offline recognition) and `echo` (no decoding).

An engine turns the request's audio bytes and validated spec into a `Transcript`: one track per
transcribed channel (or one merged track), phrases with timings, and speakers when asked for.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from starlette.concurrency import run_in_threadpool

from devtools.speech_emulator.audio import DecodedAudio, decode_audio
from devtools.speech_emulator.config import ECHO_TEXT
from devtools.speech_emulator.definition import TranscriptionSpec
from devtools.speech_emulator.errors import ServiceError
from devtools.speech_emulator.recognition import RecognizedPhrase, RecognizedWord
from devtools.speech_emulator.speakers import assign_speakers
from devtools.speech_emulator.workers import DecoderRunner, decoder_runner

logger = logging.getLogger(__name__)

__all__ = ["ECHO_TEXT", "EchoEngine", "Engine", "PocketsphinxEngine", "Track", "Transcript", "create_engine"]

_ECHO_WORD_MS = 300


@dataclass(frozen=True)
class Track:
    """The phrases of one channel (`channel=None`: all channels merged) and their speakers."""

    channel: int | None
    phrases: list[RecognizedPhrase]
    speakers: list[int] | None = None


@dataclass(frozen=True)
class Transcript:
    duration_ms: int
    tracks: list[Track]


class Engine(Protocol):
    name: str

    async def transcribe(self, audio: bytes, spec: TranscriptionSpec, max_seconds: float) -> Transcript: ...

    def warm_up(self) -> None: ...


class EchoEngine:
    """A fixed transcript, immediately, without decoding: for measuring everything but recognition."""

    name = "echo"

    def __init__(self, text: str = ECHO_TEXT) -> None:
        self.text = text

    async def transcribe(self, audio: bytes, spec: TranscriptionSpec, max_seconds: float) -> Transcript:
        words = tuple(
            RecognizedWord(text, i * _ECHO_WORD_MS, _ECHO_WORD_MS, 1.0)
            for i, text in enumerate(self.text.split())
        )
        phrase = RecognizedPhrase(words)
        speakers = [1] if spec.diarization else None
        channel = mono_channel(spec)  # the echo engine's "audio" is mono
        return Transcript(duration_ms=phrase.duration_ms, tracks=[Track(channel, [phrase], speakers)])

    def warm_up(self) -> None:
        """Nothing to load."""


class PocketsphinxEngine:
    """Decode with soundfile/soxr, recognise each requested channel with pocketsphinx."""

    name = "pocketsphinx"

    def __init__(self, runner: DecoderRunner) -> None:
        self.runner = runner

    async def transcribe(self, audio: bytes, spec: TranscriptionSpec, max_seconds: float) -> Transcript:
        decoded: DecodedAudio = await run_in_threadpool(decode_audio, audio, max_seconds)
        tracks = []
        if spec.channels is not None and decoded.channel_count > 1:
            for channel in spec.channels:  # validated as 0 and/or 1, so present in stereo audio
                phrases = await self.runner.recognize(decoded.channel(channel))
                tracks.append(Track(channel, phrases, _speakers(decoded, phrases, spec, channel)))
        else:  # channels merged (as the service does without `channels`), or mono audio
            channel = mono_channel(spec) if decoded.channel_count == 1 else None
            phrases = await self.runner.recognize(decoded.mono())
            tracks.append(Track(channel, phrases, _speakers(decoded, phrases, spec, None)))
        return Transcript(duration_ms=decoded.duration_ms, tracks=tracks)

    def warm_up(self) -> None:
        self.runner.warm_up()


def mono_channel(spec: TranscriptionSpec) -> int | None:
    """`channels` on mono audio: recorded, `[0]` tags everything `"channel": 0`.

    Asking for channel 1 alone of mono audio is refused (BadChannelConfiguration): the live
    service's answer is not recorded, and the emulator does not guess that it is ignored.
    """
    if spec.channels is None:
        return None
    if 0 not in spec.channels:
        raise ServiceError.invalid_argument(
            "BadChannelConfiguration", "The audio has one channel; channel 1 does not exist."
        )
    return 0


def _speakers(
    decoded: DecodedAudio, phrases: list[RecognizedPhrase], spec: TranscriptionSpec, channel: int | None
) -> list[int] | None:
    if spec.max_speakers is None:
        return None
    samples = decoded.samples if channel is None else decoded.samples[:, [channel]]
    return assign_speakers(samples, phrases, spec.max_speakers)


def create_engine(name: str, decoder_processes: int = 1, echo_text: str = ECHO_TEXT) -> Engine:
    """The engine called `name` ("pocketsphinx" or "echo")."""
    if name == "echo":
        return EchoEngine(echo_text)
    if name == "pocketsphinx":
        return PocketsphinxEngine(decoder_runner(decoder_processes))
    raise ValueError(f"unknown engine {name!r}")
