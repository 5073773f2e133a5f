"""A job record's JSON (`jobs/<id>.json`): id, status, source, options, attempts, batch state,
outputs or error, callback, and who submitted it (`owner`, `transcriber.domain.owners`). Only id, status and source are required; absent values are left out
(but a job with outputs says `"error": null`). A record read and written again keeps its keys in
place and any key it does not know; new keys follow in the order of `to_json`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.failure_record import RecordedError
from transcriber.domain.options import TranscriptionRequestOptions

# A job's status is one of transcriber.domain.statuses' (deferred: Speech was busy, back from the
# queue at `deferredUntil`, flows.deferral).
# A batch job's state (`batch.state`): submitting, looking at a submitted transcription, following
# another batch job's outcome, done.
BATCH_SUBMIT, BATCH_RUNNING, BATCH_FOLLOW, BATCH_DONE = "submit", "running", "follow", "done"


def options_to_json(options: TranscriptionRequestOptions) -> dict[str, Any]:
    """The options the caller gave (snake_case, as `dataclasses.asdict` names them)."""
    return {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in dataclasses.asdict(options).items()
        if value is not None
    }


def options_from_json(document: Mapping[str, Any]) -> TranscriptionRequestOptions:
    """Tolerant: keys this version does not know are ignored."""
    fields = {f.name for f in dataclasses.fields(TranscriptionRequestOptions)}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in document.items() if k in fields}
    return TranscriptionRequestOptions(**values)


@dataclass(frozen=True)
class SubmitAttempt:
    """A batch submit under way: its display name (unique per look) and its SAS's end."""

    display_name: str
    sas_expires_at: str

    @classmethod
    def from_json(cls, document: object) -> SubmitAttempt | None:
        if not isinstance(document, Mapping) or not document.get("displayName"):
            return None
        return cls(str(document["displayName"]), str(document.get("sasExpiresAt")))

    def to_json(self) -> dict[str, Any]:
        return {"displayName": self.display_name, "sasExpiresAt": self.sas_expires_at}


@dataclass
class BatchState:
    """Where a batch job stands (`batch` in its record); its steps update it, then save the record."""

    state: str | None = None
    look: int | None = None
    reason: str | None = None
    queued_at: str | None = None
    holder: str | None = None
    claim: str | None = None
    claim_etag: str | None = None
    errors: int | None = None
    submitting: str | None = None
    submitting_look: int | None = None
    submit_attempt: SubmitAttempt | None = None
    transcription: str | None = None
    submitted_at: str | None = None
    sas_expires_at: str | None = None
    sas_renewals: int | None = None
    polls: int | None = None
    next_delay_seconds: int | None = None
    next_look_at: str | None = None
    service_status: str | None = None
    last_error: RecordedError | None = None
    stored: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> BatchState:
        last_error = document.get("lastError")
        return cls(
            state=document.get("state"),
            look=document.get("look"),
            reason=document.get("reason"),
            queued_at=document.get("queuedAt"),
            holder=document.get("holder"),
            claim=document.get("claim"),
            claim_etag=document.get("claimEtag"),
            errors=document.get("errors"),
            submitting=document.get("submitting"),
            submitting_look=document.get("submittingLook"),
            submit_attempt=SubmitAttempt.from_json(document.get("submitAttempt")),
            transcription=document.get("transcription"),
            submitted_at=document.get("submittedAt"),
            sas_expires_at=document.get("sasExpiresAt"),
            sas_renewals=document.get("sasRenewals"),
            polls=document.get("polls"),
            next_delay_seconds=document.get("nextDelaySeconds"),
            next_look_at=document.get("nextLookAt"),
            service_status=document.get("serviceStatus"),
            last_error=RecordedError.from_json(last_error) if isinstance(last_error, Mapping) else None,
            stored=dict(document),
        )

    def to_json(self) -> dict[str, Any]:
        known = {
            "state": self.state,
            "look": self.look,
            "reason": self.reason,
            "queuedAt": self.queued_at,
            "holder": self.holder,
            "claim": self.claim,
            "claimEtag": self.claim_etag,
            "errors": self.errors,
            "submitting": self.submitting,
            "submittingLook": self.submitting_look,
            "submitAttempt": self.submit_attempt.to_json() if self.submit_attempt else None,
            "transcription": self.transcription,
            "submittedAt": self.submitted_at,
            "sasExpiresAt": self.sas_expires_at,
            "sasRenewals": self.sas_renewals,
            "polls": self.polls,
            "nextDelaySeconds": self.next_delay_seconds,
            "nextLookAt": self.next_look_at,
            "serviceStatus": self.service_status,
            "lastError": self.last_error.to_json() if self.last_error else None,
        }
        return _laid_over(
            self.stored, known, {key: value for key, value in known.items() if value is not None}
        )


@dataclass(frozen=True)
class CallbackState:
    """A job's callback: being sent (`sending`, `since`), or sent (`delivered`, `attempts`, the
    last `status`: an HTTP status or an exception's name), or `refused` (its URL no longer allowed)."""

    sending: bool | None = None
    since: str | None = None
    delivered: bool | None = None
    attempts: int | None = None
    status: int | str | None = None
    refused: str | None = None

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> CallbackState:
        return cls(
            sending=document.get("sending"),
            since=document.get("since"),
            delivered=document.get("delivered"),
            attempts=document.get("attempts"),
            status=document.get("status"),
            refused=document.get("refused"),
        )

    def to_json(self) -> dict[str, Any]:
        document = {
            "sending": self.sending,
            "since": self.since,
            "delivered": self.delivered,
            "attempts": self.attempts,
            "status": self.status,
            "refused": self.refused,
        }
        return {key: value for key, value in document.items() if value is not None}


@dataclass
class JobRecord:
    """One job: what it transcribes, how far it got, and what its end left (outputs or error)."""

    id: str
    status: str
    source: BlobInfo
    options: TranscriptionRequestOptions | None = field(default_factory=TranscriptionRequestOptions)
    attempts: int | None = 0
    created_at: str | None = None
    callback_url: str | None = None
    origin: str | None = None  # "blob" (a blob event's batch job), "http" or "backfill"; None: POSTed
    retry_failed_at: str | None = None  # backfill: the final failure this job retries
    updated_at: str | None = None
    deferred_until: str | None = None
    batch: BatchState | None = None
    outputs: list[str] | None = None
    error: RecordedError | None = None
    audio_removed_at: str | None = None
    callback: CallbackState | None = None
    owner: str | None = None  # who submitted it; None: nobody over HTTP (a blob event, a backfill)
    file_name: str | None = None  # the name its caller knows the recording by
    keep_audio: bool | None = None  # the audio sent with it stays once it ends (the page plays it)
    stored: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> JobRecord:
        options, batch = document.get("options"), document.get("batch")
        error, callback, outputs = document.get("error"), document.get("callback"), document.get("outputs")
        return cls(
            id=document["id"],
            status=document["status"],
            source=BlobInfo.from_record(document["source"]),
            options=options_from_json(options) if isinstance(options, Mapping) else None,
            attempts=document.get("attempts"),
            created_at=document.get("createdAt"),
            callback_url=document.get("callbackUrl"),
            origin=document.get("origin"),
            retry_failed_at=document.get("retryFailedAt"),
            updated_at=document.get("updatedAt"),
            deferred_until=document.get("deferredUntil"),
            batch=BatchState.from_json(batch) if isinstance(batch, Mapping) else None,
            outputs=list(outputs) if isinstance(outputs, list) else None,
            error=RecordedError.from_json(error) if isinstance(error, Mapping) else None,
            audio_removed_at=document.get("audioRemovedAt"),
            callback=CallbackState.from_json(callback) if isinstance(callback, Mapping) else None,
            owner=document.get("owner"),
            file_name=document.get("fileName"),
            keep_audio=document.get("keepAudio"),
            stored=dict(document),
        )

    def to_json(self) -> dict[str, Any]:
        known = {
            "id": self.id,
            "status": self.status,
            "createdAt": self.created_at,
            "source": self.source.as_record(),
            "options": options_to_json(self.options) if self.options is not None else None,
            "attempts": self.attempts,
            "callbackUrl": self.callback_url,
            "origin": self.origin,
            "retryFailedAt": self.retry_failed_at,
            "updatedAt": self.updated_at,
            "deferredUntil": self.deferred_until,
            "batch": self.batch.to_json() if self.batch is not None else None,
            "outputs": list(self.outputs) if self.outputs is not None else None,
            "error": self.error.to_json() if self.error is not None else None,
            "audioRemovedAt": self.audio_removed_at,
            "callback": self.callback.to_json() if self.callback is not None else None,
            "owner": self.owner,
            "fileName": self.file_name,
            "keepAudio": self.keep_audio,
        }
        present = {
            key: value
            for key, value in known.items()
            if value is not None or (key == "error" and self.outputs is not None)
        }
        return _laid_over(self.stored, known, present)


def _laid_over(
    stored: Mapping[str, Any], known: Mapping[str, Any], present: dict[str, Any]
) -> dict[str, Any]:
    """`present` (the known keys with a value, in their order) laid over the document as read:
    keys it had keep their places, keys this version does not know their values; new keys follow."""
    document: dict[str, Any] = {}
    for key, value in stored.items():
        if key in present:
            document[key] = present[key]
        elif key not in known:
            document[key] = value
    document.update((key, value) for key, value in present.items() if key not in document)
    return document
