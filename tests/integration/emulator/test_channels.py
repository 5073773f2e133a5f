"""`channels`: each stereo channel transcribed on its own and labelled; ignored on mono audio."""

from __future__ import annotations

from pathlib import Path

import pytest
from azure.ai.transcription import TranscriptionClient
from azure.ai.transcription.models import TranscriptionContent, TranscriptionOptions
from azure.core.exceptions import HttpResponseError

from devtools.speech_emulator.corpus import load_corpus, word_error_rate


def references(corpus: Path) -> dict[int, str]:
    return {item.channel: item.reference for item in load_corpus(corpus) if item.channel is not None}


def test_channels_both_are_transcribed_separately_and_labelled(
    client: TranscriptionClient, corpus: Path
) -> None:
    audio = (corpus / "stereo_diarization.wav").read_bytes()
    result = client.transcribe(
        TranscriptionContent(definition=TranscriptionOptions(active_channels=[0, 1]), audio=audio)
    )
    texts = {p.channel: p.text for p in result.combined_phrases}
    assert set(texts) == {0, 1} and texts[0] != texts[1]
    assert {p.channel for p in result.phrases} == {0, 1}
    expected = references(corpus)
    assert word_error_rate([expected[0]], [texts[0]]) < 0.3
    assert "extremely" in texts[1].lower()  # pocketsphinx gets one word in five of channel 1 right
    offsets = [p.offset_milliseconds for p in result.phrases]
    assert offsets == sorted(offsets)


@pytest.mark.parametrize("channel", [0, 1])
def test_channels_one_channel_transcribes_only_that_channel(
    client: TranscriptionClient, corpus: Path, channel: int
) -> None:
    audio = (corpus / "stereo_diarization.wav").read_bytes()
    options = TranscriptionOptions(active_channels=[channel])
    result = client.transcribe(TranscriptionContent(definition=options, audio=audio))
    assert [p.channel for p in result.combined_phrases] == [channel]
    assert {p.channel for p in result.phrases} == {channel}
    word = "wizard" if channel == 0 else "extremely"
    assert word in result.combined_phrases[0].text.lower()


@pytest.mark.parametrize("channels", [[0], [0, 1]])
def test_channels_on_mono_audio_tag_everything_channel_0(
    client: TranscriptionClient, cards: bytes, channels: list[int]
) -> None:
    result = client.transcribe(
        TranscriptionContent(definition=TranscriptionOptions(active_channels=channels), audio=cards)
    )
    assert [(p.channel, p.text) for p in result.combined_phrases] == [(0, "10 of clubs.")]
    assert [p.channel for p in result.phrases] == [0]


def test_channels_1_alone_on_mono_audio_is_refused(client: TranscriptionClient, cards: bytes) -> None:
    with pytest.raises(HttpResponseError) as caught:
        client.transcribe(
            TranscriptionContent(definition=TranscriptionOptions(active_channels=[1]), audio=cards)
        )
    assert caught.value.response.json()["innerError"]["code"] == "BadChannelConfiguration"
