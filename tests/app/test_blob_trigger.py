"""transcribe_blob: uploads in Azurite, delivered by the host through Microsoft's runtime with the
SDK-type binding, transcribed by the Speech emulator through the real SDK."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import jiwer
import pysrt
import pytest
import webvtt

from tests.fixtures.functions import AppUnderTest as Deployed


def _normalise(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())


def _reference(corpus: Path, name: str) -> str:
    for line in (corpus / "manifest.tsv").read_text().splitlines()[1:]:
        fields = line.split("\t")
        if fields[0] == name:
            return fields[1]
    raise KeyError(name)


async def test_blob_upload_writes_json_text_srt_and_vtt(deployed: Deployed, corpus: Path) -> None:
    audio = (corpus / "jfk.flac").read_bytes()
    etag = deployed.upload("speech/jfk.flac", audio, "audio/flac")
    delivery = await deployed.blob_event("speech/jfk.flac")
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)

    outputs = deployed.transcripts()
    assert set(outputs) == {f"speech/jfk.flac.{ext}" for ext in ("json", "txt", "srt", "vtt")}
    document = json.loads(outputs["speech/jfk.flac.json"])
    assert document["phrases"] and document["durationMilliseconds"] > 10_000
    assert all({"offsetMilliseconds", "durationMilliseconds", "text"} <= set(p) for p in document["phrases"])
    assert document["source"] == {
        "container": deployed.containers.audio,
        "name": "speech/jfk.flac",
        "etag": etag,
        "size": len(audio),
        "contentType": "audio/flac",
    }
    processing = document["processing"]
    assert processing["endpointHost"] == "127.0.0.1" and processing["apiVersion"] == "2025-10-15"
    assert processing["audioDelivery"] == "bytes" and processing["latencyMilliseconds"] >= 0
    assert processing["audioDurationMilliseconds"] == document["durationMilliseconds"]

    text = outputs["speech/jfk.flac.txt"].decode()
    assert jiwer.wer(_reference(corpus, "jfk.flac"), _normalise(text)) < 0.5
    subs = pysrt.from_string(outputs["speech/jfk.flac.srt"].decode())
    # every phrase's words, in order (short phrases may share a cue)
    assert _normalise(" ".join(s.text for s in subs)) == _normalise(
        " ".join(p["text"] for p in document["phrases"])
    )
    assert subs[0].start.ordinal >= 0
    captions = webvtt.from_buffer(io.StringIO(outputs["speech/jfk.flac.vtt"].decode())).captions
    assert len(captions) == len(subs)
    assert _normalise(" ".join(c.text for c in captions)) == _normalise(" ".join(s.text for s in subs))
    assert deployed.output_props("speech/jfk.flac.json").metadata["sourceetag"] == etag


async def test_blob_stereo_recording_with_channels_labels_each_channel(
    deployed: Deployed, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSCRIPTION_CHANNELS", "0,1")
    deployed.upload("stereo.wav", (corpus / "stereo_diarization.wav").read_bytes())
    await deployed.blob_event("stereo.wav")
    outputs = deployed.transcripts()
    text = outputs["stereo.wav.txt"].decode()
    assert text.startswith("Channel ") and "Channel 0: " in text and "Channel 1: " in text
    captions = webvtt.from_buffer(io.StringIO(outputs["stereo.wav.vtt"].decode())).captions
    assert {c.voice for c in captions} == {"Channel 0", "Channel 1"}
    assert not any(c.text.startswith("Channel ") for c in captions)  # named by the voice span only
    subs = pysrt.from_string(outputs["stereo.wav.srt"].decode())
    for starts in ([c.start_time.in_milliseconds() for c in captions], [s.start.ordinal for s in subs]):
        assert starts == sorted(starts)  # both channels' cues in one time order


async def test_blob_duplicate_event_makes_no_second_service_call(deployed: Deployed, corpus: Path) -> None:
    deployed.upload("cards.wav", (corpus / "cards-001.wav").read_bytes())
    await deployed.blob_event("cards.wav")
    written = deployed.output_props("cards.wav.json").last_modified
    calls = len(deployed.speech.requests())

    await deployed.blob_event("cards.wav")

    assert len(deployed.speech.requests()) == calls == 1
    assert deployed.output_props("cards.wav.json").last_modified == written


async def test_blob_new_version_is_transcribed_again_and_replaces_outputs(
    deployed: Deployed, corpus: Path
) -> None:
    deployed.upload("take.wav", (corpus / "cards-001.wav").read_bytes())
    await deployed.blob_event("take.wav")
    first = deployed.transcript_json("take.wav.json")

    etag = deployed.upload("take.wav", (corpus / "cards-003.wav").read_bytes())
    await deployed.blob_event("take.wav")

    second = deployed.transcript_json("take.wav.json")
    assert len(deployed.speech.requests()) == 2
    assert second["source"]["etag"] == etag != first["source"]["etag"]
    assert "7 of clubs" in deployed.transcripts()["take.wav.txt"].decode().lower()


@pytest.mark.parametrize("name", ["with space.wav", "ünïcødé 名前.wav", "a/b/c.wav"])
async def test_blob_names_keep_their_path_under_transcripts(
    deployed: Deployed, corpus: Path, name: str
) -> None:
    deployed.upload(name, (corpus / "cards-002.wav").read_bytes())
    await deployed.blob_event(name)
    assert {f"{name}.json", f"{name}.txt", f"{name}.srt", f"{name}.vtt"} == set(deployed.transcripts())


async def test_blob_output_formats_setting_limits_outputs(
    deployed: Deployed, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OUTPUT_FORMATS", "vtt")
    deployed.upload("only-vtt.wav", (corpus / "cards-001.wav").read_bytes())
    await deployed.blob_event("only-vtt.wav")
    assert set(deployed.transcripts()) == {"only-vtt.wav.json", "only-vtt.wav.vtt"}


@pytest.mark.parametrize(
    ("data", "content_type", "code", "service_calls"),
    [
        (b"these are meeting notes, not a recording", "text/plain", "UnsupportedMediaType", 0),
        (b"%PDF-1.7\n1 0 obj", "application/pdf", "UnsupportedMediaType", 0),
        (bytes([0x5A, 0x17]) + random.Random(3).randbytes(4096), "audio/wav", "UnsupportedMediaType", 0),
        (b"", "audio/wav", "EmptyAudioFile", 0),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(200)), "audio/wav", "InvalidAudioFormat", 1),
    ],
)
async def test_blob_bad_input_leaves_failure_record_and_returns(
    deployed: Deployed, data: bytes, content_type: str, code: str, service_calls: int
) -> None:
    etag = deployed.upload("bad.wav", data, content_type)
    delivery = await deployed.blob_event("bad.wav")  # returns normally: no retry storm
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)

    assert deployed.transcripts() == {}
    assert set(deployed.failures()) == {"failed/bad.wav.json"}
    record = deployed.failure_json("bad.wav")
    assert record["error"]["code"] == code and record["error"]["message"]
    assert record["source"]["etag"] == etag and record["final"] is True and record["transient"] is False
    assert len(deployed.speech.requests()) == service_calls

    await deployed.blob_event("bad.wav")  # the same version again: nothing more happens
    assert len(deployed.speech.requests()) == service_calls


async def test_blob_unsupported_locale_setting_leaves_failure_record(
    deployed: Deployed, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSCRIPTION_LOCALES", "xx-XX")
    deployed.upload("locale.wav", (corpus / "cards-001.wav").read_bytes())
    await deployed.blob_event("locale.wav")
    record = deployed.failure_json("locale.wav")
    assert record["error"]["code"] == "InvalidLocale"


async def test_blob_transient_failure_is_retried_by_host_and_last_app_try_leaves_final_record(
    deployed: Deployed, corpus: Path
) -> None:
    deployed.upload("busy.wav", (corpus / "cards-001.wav").read_bytes())
    deployed.speech.fail(500, count=100)  # failures (a throttle is deferred, never retried hot)

    delivery = await deployed.blob_event("busy.wav")

    # BLOB_MAX_ATTEMPTS=2 in these tests: two failed tries, then the app's final record stops
    # the host's retries (poisonBlobThreshold 5) with a normal return, so nothing is poisoned.
    assert delivery.status == "succeeded" and delivery.attempts == 3
    assert [error.split(":")[0] for error in delivery.errors[:2]] == ["ServiceError"] * 2
    last = deployed.failure_json("busy.wav")
    assert (last["attempts"], last["final"], last["transient"]) == (2, True, True)
    assert deployed.transcripts() == {} and set(deployed.failures()) == {"failed/busy.wav.json"}
    assert any("already failed for good" in message for message in delivery.invocations[2].log_messages())


async def test_blob_success_after_transient_failure_removes_failure_record(
    deployed: Deployed, corpus: Path
) -> None:
    deployed.upload("flaky.wav", (corpus / "cards-001.wav").read_bytes())
    deployed.speech.fail(500, count=4)  # one SDK call: the first try and azure-core's 3 retries

    delivery = await deployed.blob_event("flaky.wav")

    assert delivery.status == "succeeded" and delivery.attempts == 2
    assert "500" in (delivery.errors[0] or "")
    assert set(deployed.transcripts()) == {f"flaky.wav.{ext}" for ext in ("json", "txt", "srt", "vtt")}
    assert deployed.failures() == {}


async def test_blob_deleted_before_delivery_is_never_invoked(deployed: Deployed) -> None:
    delivery = await deployed.blob_event("vanished.wav")
    assert (delivery.status, delivery.attempts) == ("gone", 0)
    assert deployed.transcripts() == {}
    assert deployed.speech.requests() == []


async def test_blob_new_version_failing_for_good_replaces_old_transcript_with_record(
    deployed: Deployed, corpus: Path
) -> None:
    deployed.upload("revised.wav", (corpus / "cards-001.wav").read_bytes())
    await deployed.blob_event("revised.wav")
    etag = deployed.upload("revised.wav", b"not audio any more, just text", "text/plain")
    await deployed.blob_event("revised.wav")
    assert deployed.transcripts() == {} and set(deployed.failures()) == {"failed/revised.wav.json"}
    assert deployed.failure_json("revised.wav")["source"]["etag"] == etag


async def test_blob_diarization_setting_labels_speakers_in_every_output(
    deployed: Deployed, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fails without "enabled": true in the definition: the live service (and emulator) label nobody."""
    monkeypatch.setenv("TRANSCRIPTION_DIARIZATION_MAX_SPEAKERS", "2")
    deployed.upload("meeting.wav", (corpus / "stereo_diarization.wav").read_bytes())
    await deployed.blob_event("meeting.wav")
    outputs = deployed.transcripts()
    document = json.loads(outputs["meeting.wav.json"])
    assert document["phrases"] and all(isinstance(p.get("speaker"), int) for p in document["phrases"])
    assert document["processing"]["options"]["diarization"] == "2"
    voices = {c.voice for c in webvtt.from_buffer(io.StringIO(outputs["meeting.wav.vtt"].decode())).captions}
    assert voices and all(v.startswith("Speaker ") for v in voices)
    assert "Speaker 1: " in outputs["meeting.wav.srt"].decode()


async def test_blob_translation_settings_render_every_format_in_the_target_language(
    deployed: Deployed, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSCRIPTION_ENHANCED_TASK", "translate")
    monkeypatch.setenv("TRANSCRIPTION_TARGET_LANGUAGE", "es")
    deployed.upload("clip.wav", (corpus / "cards-001.wav").read_bytes())
    await deployed.blob_event("clip.wav")
    outputs = deployed.transcripts()
    document = json.loads(outputs["clip.wav.json"])
    assert {p["locale"] for p in document["phrases"]} == {"es-ES"}
    options = document["processing"]["options"]
    assert (options["enhancedMode"], options["targetLanguage"]) == ("translate", "es")
    assert outputs["clip.wav.txt"].decode().strip() == document["combinedPhrases"][0]["text"]
    subs = pysrt.from_string(outputs["clip.wav.srt"].decode())
    assert subs and subs[-1].end.ordinal >= 1000
    assert webvtt.from_buffer(io.StringIO(outputs["clip.wav.vtt"].decode())).captions
