"""Speech emulator accuracy and speed: WER per corpus file and overall, and real-time factor.

Recognition runs in this process with the emulator's own decoder settings and code path
(`sphinx.recognize` on audio decoded and resampled by `audio.decode_audio`), one core. The
real-time factor counts this thread's CPU time spent recognising over the audio's duration, so
other load on the machine does not inflate it; wall time is shown beside it. Stereo files with a
reference per channel are scored per channel. Targets: overall WER <= 0.27, RTF <= 0.5.

The hypothesis scored is the display text the emulator answers (phrases at pauses, numbers in
digits, sentence case; `display.display_words`), compared after `corpus.normalize_text`, which
writes spelled numbers in digits on both sides. The spoken words' WER is printed beside it, and
both beside the figure stored in `accuracy_previous.json` (what this bench printed before the
display form), so a change that costs accuracy shows at once.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from devtools.speech_emulator.audio import ENGINE_RATE, decode_audio
from devtools.speech_emulator.corpus import load_corpus, word_error_rate
from devtools.speech_emulator.display import display_words
from devtools.speech_emulator.recognition import RecognizedPhrase
from devtools.speech_emulator.sphinx import DECODER_OPTIONS, create_decoder, recognize

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("TRANSCRIBER_CORPUS", ROOT / "tests" / "corpus"))
WER_TARGET = 0.27
RTF_TARGET = 0.5
PREVIOUS = Path(__file__).resolve().parent / "accuracy_previous.json"


def main() -> None:
    items = load_corpus(CORPUS)
    decoder = create_decoder()
    print(f"decoder settings: {DECODER_OPTIONS} (plus the model's defaults)")
    print(f"{'file':<52} {'audio s':>8} {'cpu s':>7} {'wer':>6}  hypothesis")
    references, hypotheses, spoken = [], [], []
    audio_seconds = cpu_seconds = wall_seconds = 0.0
    for item in items:
        decoded = decode_audio(item.path.read_bytes(), max_seconds=3600)
        samples = decoded.mono() if item.channel is None else decoded.channel(item.channel)
        cpu, wall = time.thread_time(), time.perf_counter()
        phrases = recognize(decoder, samples)
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        hypothesis = " ".join(_display_text(phrase) for phrase in phrases)
        spoken.append(" ".join(word.text for phrase in phrases for word in phrase.words))
        seconds = len(samples) / ENGINE_RATE
        audio_seconds, cpu_seconds, wall_seconds = (
            audio_seconds + seconds,
            cpu_seconds + cpu,
            wall_seconds + wall,
        )
        references.append(item.reference)
        hypotheses.append(hypothesis)
        wer = word_error_rate([item.reference], [hypothesis])
        print(f"{item.label:<52} {seconds:8.2f} {cpu:7.2f} {wer:6.3f}  {hypothesis}")
    overall = word_error_rate(references, hypotheses)
    rtf = cpu_seconds / audio_seconds
    previous = json.loads(PREVIOUS.read_text(encoding="utf-8"))
    print(
        f"overall WER {overall:.3f} over {len(items)} recordings, display text "
        f"(spoken words {word_error_rate(references, spoken):.3f}; previous {previous['wer']:.3f} "
        f"at {previous['commit']}; target <= {WER_TARGET})"
    )
    print(
        f"real-time factor {rtf:.3f} CPU, {wall_seconds / audio_seconds:.3f} wall, one core (target <= {RTF_TARGET})"
    )


def _display_text(phrase: RecognizedPhrase) -> str:
    return " ".join(word.text for word in display_words([w.text for w in phrase.words]) if word.text)
