"""Batch result files and URLs shared by the batch tests."""

from __future__ import annotations

from typing import Any

AUDIO_URL = "https://account.blob.core.windows.net/audio-in/long.wav?sv=2024&sp=r&sig=AUDIOSASSECRET"
# Facts of the result file on Microsoft's "Get batch transcription results" page
# (MicrosoftDocs/azure-ai-docs, articles/ai-services/speech-service/batch-transcription-get.md).
DOC_RESULT: dict[str, Any] = {
    "source": AUDIO_URL,
    "durationInTicks": 25800000,
    "durationMilliseconds": 2580,
    "combinedRecognizedPhrases": [{"channel": 0, "lexical": "hello world", "display": "Hello world."}],
    "recognizedPhrases": [
        {
            "recognitionStatus": "Success",
            "channel": 0,
            "offsetInTicks": 7600000.0,
            "durationInTicks": 13200000.0,
            "nBest": [
                {
                    "confidence": 0.5643338,
                    "lexical": "hello world",
                    "display": "Hello world.",
                    "displayWords": [
                        {"displayText": "Hello", "offsetInTicks": 7600000.0, "durationInTicks": 7600000.0},
                        {"displayText": "world.", "offsetInTicks": 15200000.0, "durationInTicks": 5600000.0},
                    ],
                },
                {"confidence": 0.1769063, "lexical": "helloworld", "display": "helloworld"},
            ],
        }
    ],
}


# Facts of samples/batch/transcription-enabled-storage/Tests/TestFiles/transcriptSample.json in
# Azure-Samples/cognitive-services-speech-sdk (a diarized result file): `durationTicks` at the
# top, speakers 1, 2, 1, lexical `words` only, display text in ITN form ("0030") unlike its words.
def _word(word: str, offset: int, duration: int) -> dict[str, Any]:
    return {
        "word": word,
        "offsetInTicks": float(offset),
        "durationInTicks": float(duration),
        "confidence": 0.99,
    }


def _phrase(
    speaker: int, offset: int, duration: int, display: str, words: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "recognitionStatus": "Success",
        "channel": 0,
        "speaker": speaker,
        "offsetInTicks": float(offset),
        "durationInTicks": float(duration),
        "nBest": [{"confidence": 0.9509893, "display": display, "words": words}],
    }


SDK_SAMPLE_RESULT: dict[str, Any] = {
    "source": "https://www.contoso.com",
    "durationTicks": 74800000,
    "duration": "PT7.48S",
    "combinedRecognizedPhrases": [{"channel": 0, "display": "Run Alabama drivers license. 0030 669"}],
    "recognizedPhrases": [
        _phrase(1, 400000, 21800000, "Run Alabama drivers license.", [
            _word("run", 400000, 4800000), _word("alabama", 5200000, 5800000),
            _word("drivers", 11000000, 5200000), _word("license", 16200000, 6000000),
        ]),
        _phrase(2, 22800000, 30800000, "0030", [
            _word("zero", 22800000, 7600000), _word("zero", 30600000, 7400000),
            _word("three", 38600000, 7400000), _word("zero", 46200000, 7400000),
        ]),
        _phrase(1, 54000000, 20600000, "669", [
            _word("six", 54000000, 7000000), _word("six", 61600000, 7100000), _word("nine", 69000000, 5600000),
        ]),
    ],
}  # fmt: skip
