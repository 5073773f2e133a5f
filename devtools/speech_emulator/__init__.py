"""A local stand-in for Azure AI Speech fast transcription ("Azurite for Speech").

Speaks `POST /speechtotext/transcriptions:transcribe` closely enough for the real
`azure-ai-transcription` SDK (sync and aio), shaped as the live service's recorded answers are
(tests/stress/fidelity), backed by the offline pocketsphinx engine (US English, reported under any of the
service's locales) or a fixed-transcript `echo` engine. In-process use:

    with running_emulator(EmulatorConfig(key="k")) as emu:
        client = TranscriptionClient(emu.endpoint, AzureKeyCredential(emu.key))
        emu.fail(429, count=1, retry_after=0.1)     # or emu.delay(1.0), emu.drop()
        emu.set_quota(600)                          # 600 requests/min, then 429 + Retry-After
        ...
        assert emu.requests()[-1].status == 200

It speaks batch transcription too (`POST /speechtotext/transcriptions:submit`, status, files,
result files by signed URL, delete; api-versions 2024-11-15 and 2025-10-15), fetching audio from
the content URLs and decoding it in blocks (see `devtools.speech_emulator.batch`):

        emu.fail(429, retry_after=2, on=("submit",))      # aim a fault at batch operations
        emu.batch_script(running_polls=5)                 # the next job stays Running 5 polls
        emu.batch_script(fail_code="InvalidData")         # ...or ends Failed with that code

Recognition runs in a spawned worker process (pocketsphinx holds the GIL while decoding), so a
script that starts the emulator in-process needs the usual `if __name__ == "__main__":` guard,
or `EmulatorConfig(decoder_processes=0)` to decode in a thread instead.

Command line: `python -m devtools.speech_emulator --help`.
"""

from devtools.speech_emulator.config import API_VERSIONS, DEFAULT_API_VERSION, SPEECH_AUDIENCE, EmulatorConfig
from devtools.speech_emulator.engines import ECHO_TEXT
from devtools.speech_emulator.errors import EmulatorError, ServiceError
from devtools.speech_emulator.faults import Fault, FaultPlan
from devtools.speech_emulator.journal import Journal, JournalEntry
from devtools.speech_emulator.quota import QuotaLimit, Quotas
from devtools.speech_emulator.server import EmulatorStartError, RunningEmulator, running_emulator
from devtools.speech_emulator.workers import shutdown_decoders

__all__ = [
    "API_VERSIONS",
    "DEFAULT_API_VERSION",
    "ECHO_TEXT",
    "SPEECH_AUDIENCE",
    "EmulatorConfig",
    "EmulatorError",
    "EmulatorStartError",
    "Fault",
    "FaultPlan",
    "Journal",
    "JournalEntry",
    "QuotaLimit",
    "Quotas",
    "RunningEmulator",
    "ServiceError",
    "running_emulator",
    "shutdown_decoders",
]
