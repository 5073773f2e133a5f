"""The jobs-queue message that brings a deferred blob version back (`transcriber.flows.deferral`).

    {"deferred": {"blob": <name>, "etag": <etag>, "owner": <claim owner>, "job": <job id>}}

`owner` (when the version's claim was kept for this message) and `job` (when a job waits on the
version) are optional. A message is checked like any name from outside before it is acted on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from transcriber.domain.errors import TranscriberError
from transcriber.domain.names import check_blob_name, check_job_id

MAX_MESSAGE_CHARS = 8192  # a blob name (at most 1,024 characters, escaped) and three short fields
_OWNER = re.compile(r"[0-9a-f]{32}")
_ETAG = re.compile(r"[\x21-\x7e]{1,128}")  # an ETag's visible ASCII (RFC 9110), quotes included


@dataclass(frozen=True)
class DeferredVersion:
    """One deferred version: the blob (of the audio container), its etag, and who waits for it."""

    blob: str
    etag: str
    owner: str | None = None
    job: str | None = None

    def to_json(self) -> dict[str, Any]:
        body = {"blob": self.blob, "etag": self.etag, "owner": self.owner, "job": self.job}
        return {"deferred": {key: value for key, value in body.items() if value is not None}}

    @classmethod
    def parse(cls, text: str) -> DeferredVersion | None:
        """The message's version, or None for any other message (or one no client of ours sends)."""
        if len(text) > MAX_MESSAGE_CHARS or '"deferred"' not in text:
            return None
        try:
            document = json.loads(text)
            body = document.get("deferred") if isinstance(document, dict) else None
            if not isinstance(body, dict):
                return None
            etag, owner, job = body.get("etag"), body.get("owner"), body.get("job")
            if not isinstance(etag, str) or not _ETAG.fullmatch(etag):
                return None
            if owner is not None and (not isinstance(owner, str) or not _OWNER.fullmatch(owner)):
                return None
            return cls(
                check_blob_name(body.get("blob")),
                etag,
                owner,
                check_job_id(job) if job is not None else None,
            )
        except (ValueError, TranscriberError):
            return None
