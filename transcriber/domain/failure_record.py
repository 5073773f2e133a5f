"""A failure record: why a blob version has no transcript (`failed/...` or `invalid/...` JSON).

    {"error": {"code": "UnsupportedMediaType", "message": "..."}, "transient": false, "attempts": 1,
     "final": true, "source": {<the version, BlobInfo.as_record()>}, "failedAt": "...Z"}

`source` is the version (container, name, etag, size, contentType), or only the container and
name for an event that named a blob no client may touch. Readers tolerate any key missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.errors import TranscriberError


@dataclass(frozen=True)
class RecordedError:
    """An error as records keep it: its code and message (a job's also says it is `retrying`)."""

    code: str
    message: str
    retrying: bool = False

    @classmethod
    def of(cls, error: TranscriberError, *, retrying: bool = False) -> RecordedError:
        return cls(error.code, error.message, retrying)

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> RecordedError:
        return cls(document["code"], document["message"], bool(document.get("retrying")))

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.retrying:
            document["retrying"] = True
        return document


@dataclass(frozen=True)
class BlobName:
    """The source of a refused event: a container and a (printable, cut) name, no version."""

    container: str
    name: str

    def as_record(self) -> dict[str, Any]:
        return {"container": self.container, "name": self.name}


@dataclass(frozen=True)
class FailureRecord:
    """Why a version has no transcript; `final` when no retry will come."""

    error: RecordedError | None = None
    transient: bool | None = None
    attempts: int | None = None
    final: bool | None = None
    source: BlobInfo | BlobName | None = None
    failed_at: str | None = None

    @property
    def source_etag(self) -> str | None:
        """The version the record is about (None for a refused name, or a record without source)."""
        return self.source.etag if isinstance(self.source, BlobInfo) else None

    def is_final_for(self, etag: str) -> bool:
        """A final failure of version `etag`: that version's outcome."""
        return bool(self.final) and self.source_etag == etag

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> FailureRecord:
        error, source = document.get("error"), document.get("source")
        return cls(
            error=RecordedError.from_json(error) if isinstance(error, Mapping) else None,
            transient=document.get("transient"),
            attempts=document.get("attempts"),
            final=document.get("final"),
            source=_source(source) if isinstance(source, Mapping) else None,
            failed_at=document.get("failedAt"),
        )

    def to_json(self) -> dict[str, Any]:
        document = {
            "error": self.error.to_json() if self.error is not None else None,
            "transient": self.transient,
            "attempts": self.attempts,
            "final": self.final,
            "source": self.source.as_record() if self.source is not None else None,
            "failedAt": self.failed_at,
        }
        return {key: value for key, value in document.items() if value is not None}


def _source(document: Mapping[str, Any]) -> BlobInfo | BlobName:
    if "etag" in document:
        return BlobInfo.from_record(document)
    return BlobName(document["container"], document["name"])
