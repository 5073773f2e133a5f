"""Microsoft's quickstart, unchanged, against the emulator: read sentences come back one phrase
each, starting at the pauses, with numbers in digits.

The quickstart is `samples/sample_transcribe_audio_file.py` of the azure-ai-transcription 1.0.0
source distribution (the README's "Transcribe an audio file" code): copied as it is, its audio
put where it reads it (`assets/audio.wav`), pointed at the emulator by the two environment
variables it documents, and its printed phrases (`[start ms - end ms]: text`) read back.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from devtools.sdk_samples import download_samples
from devtools.speech_emulator import RunningEmulator
from tests.integration.emulator.read_sentences import read_sentences

CACHE = Path(__file__).resolve().parents[3] / ".cache" / "sdk-samples"
QUICKSTART = "sample_transcribe_audio_file.py"
SENTENCES = [
    "The weather today is sunny and warm.",
    "Numbers like one two three are spoken clearly.",
    "Let's see how the transcript looks.",
    "In two thousand twenty six, prices rose by twenty percent.",
    "She bought four apples and ten oranges at the market.",
    "Please call me back before the meeting starts.",
]
PAUSES_SECONDS = [0.3, 0.45, 0.6, 0.35, 0.5]  # a reader's ordinary pauses
PHRASE = re.compile(r"^\s*\[(\d+)ms - (\d+)ms\]: (.*)$")
TOLERANCE_MS = 200  # a phrase starts this close to its sentence (the service's grid is 40 ms)


def _run_quickstart(tmp_path: Path, emulator: RunningEmulator, audio: bytes) -> str:
    work = tmp_path / "samples"
    (work / "assets").mkdir(parents=True)
    shutil.copyfile(download_samples(CACHE) / QUICKSTART, work / QUICKSTART)
    (work / "assets" / "audio.wav").write_bytes(audio)
    env = {**os.environ, "AZURE_SPEECH_ENDPOINT": emulator.endpoint, "AZURE_SPEECH_API_KEY": emulator.key}
    done = subprocess.run(
        [sys.executable, QUICKSTART], cwd=work, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_quickstart_read_sentences_are_one_phrase_each_at_the_pauses_with_numbers_in_digits(
    tmp_path: Path, speech: RunningEmulator
) -> None:
    recording = read_sentences(SENTENCES, PAUSES_SECONDS)
    output = _run_quickstart(tmp_path, speech, recording.audio)
    phrases = [(int(m[1]), int(m[2]), m[3]) for line in output.splitlines() if (m := PHRASE.match(line))]

    assert abs(len(phrases) - len(SENTENCES)) <= 1, output
    for (_, end), (start, _) in zip(recording.spans_ms, recording.spans_ms[1:], strict=False):
        middle = (end + start) // 2  # no phrase runs through a pause between sentences
        assert not any(first < middle < last for first, last, _ in phrases), (middle, output)
    starts = [first for first, _, _ in phrases]
    for start, _ in recording.spans_ms:  # each sentence starts a phrase, just after its pause
        assert min(abs(first - start) for first in starts) <= TOLERANCE_MS, (start, output)
    for _, _, text in phrases:
        assert text[:1].isupper() and text.endswith((".", "?")), output
    transcription = output.splitlines()[0]
    assert "1, 2, 3" in transcription and "2026" in transcription and "20%" in transcription, output
