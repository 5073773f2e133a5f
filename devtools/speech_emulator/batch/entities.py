"""The JSON of a transcription entity and of its files, shaped as the reference examples.

Sources (azure-rest-api-specs, SpeechToText stable 2024-11-15 and 2025-10-15 examples):
`create_uri_transcription.json`, `get_transcription.json`, `get_transcription_files.json`,
`create_multispeaker_diarization_transcription.json`; Microsoft's "Create a batch
transcription" page for a fresh submission (status `NotStarted`, properties echoed with their
defaults: channels [0, 1], `DictatedAndAutomatic`, `Masked`, word timestamps false). `contentUrls`
and `contentContainerUrl` are never returned (the schema says so). `durationMilliseconds`
appears once the job has finished; `error` only when it failed. `model` is left out unless it was
given, as in the docs' base-model examples.
"""

from __future__ import annotations

from typing import Any

from devtools.speech_emulator.batch.jobs import BatchJob, ResultFile
from devtools.speech_emulator.journal import redact_url

__all__ = ["file_json", "files_json", "transcription_json", "transcription_url"]

PREFIX = "/speechtotext/transcriptions"


def transcription_url(base: str, job: BatchJob, suffix: str = "") -> str:
    return f"{base}{PREFIX}/{job.id}{suffix}?api-version={job.api_version}"


def transcription_json(base: str, job: BatchJob, status: str) -> dict[str, Any]:
    """The entity as GET (and the 201 of submit) shows it with `status`."""
    spec, document = job.spec, job.spec.document
    body: dict[str, Any] = {"self": transcription_url(base, job), "displayName": spec.display_name}
    for name in ("description", "customProperties"):
        if document.get(name) is not None:
            body[name] = document[name]
    body |= {"locale": spec.locale, "createdDateTime": job.created, "lastActionDateTime": job.last_action}
    if document.get("model") is not None:
        body["model"] = document["model"]
    body["links"] = {"files": transcription_url(base, job, "/files")}
    props: dict[str, Any] = {
        "wordLevelTimestampsEnabled": spec.word_timestamps,
        "displayFormWordLevelTimestampsEnabled": spec.display_word_timestamps,
        "channels": list(spec.channels),
        "punctuationMode": spec.punctuation,
        "profanityFilterMode": spec.profanity,
        "timeToLiveHours": spec.ttl_hours,
    }
    given = document["properties"]
    if given.get("diarization") is not None:
        props["diarization"] = given["diarization"]
    if given.get("languageIdentification") is not None:
        props["languageIdentification"] = {"mode": "Continuous", **given["languageIdentification"]}
    if spec.destination_url is not None:
        props["destinationContainerUrl"] = redact_url(spec.destination_url)
    if status in ("Succeeded", "Failed") and job.duration_ms is not None:
        props["durationMilliseconds"] = job.duration_ms
    if status == "Failed":
        props["error"] = {"code": job.error_code, "message": job.error_message}
    body["properties"] = props
    body["status"] = status
    return body


def file_json(base: str, job: BatchJob, file: ResultFile, content_url: str) -> dict[str, Any]:
    return {
        "self": f"{base}{PREFIX}/{job.id}/files/{file.id}?api-version={job.api_version}",
        "name": file.name,
        "kind": file.kind,
        "links": {"contentUrl": content_url},
        "properties": {"size": len(file.content)},
        "createdDateTime": file.created,
    }


def files_json(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """One page holding every file (the emulator never has more than `top`'s default)."""
    return {"values": entries}
