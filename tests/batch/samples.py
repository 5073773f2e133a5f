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
