"""Word error rate of the whole corpus through the SDK and the emulator (pocketsphinx engine)."""

from __future__ import annotations

from pathlib import Path

from azure.ai.transcription import TranscriptionClient
from azure.ai.transcription.models import TranscriptionContent, TranscriptionOptions

from devtools.speech_emulator.corpus import load_corpus, word_error_rate

WER_LIMIT = 0.35


def test_accuracy_corpus_word_error_rate_stays_under_limit(client: TranscriptionClient, corpus: Path) -> None:
    items = load_corpus(corpus)
    hypotheses: dict[tuple[str, int | None], str] = {}
    for path in sorted({item.path for item in items}):
        channels = sorted(item.channel for item in items if item.path == path and item.channel is not None)
        options = TranscriptionOptions(locales=["en-US"], active_channels=channels or None)
        result = client.transcribe(TranscriptionContent(definition=options, audio=path.read_bytes()))
        for combined in result.combined_phrases:
            hypotheses[(path.name, combined.channel)] = combined.text
    references = [item.reference for item in items]
    found = [hypotheses[(item.path.name, item.channel)] for item in items]
    wer = word_error_rate(references, found)
    assert len(items) == 9 and wer < WER_LIMIT, f"WER {wer:.3f}: {found}"
