"""One delivery of one batch look: the job record as read (with its etag), saved If-Match.

A step's message names the job and its look number; only the record's current look is acted on.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from transcriber.domain import names
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.errors import ConditionNotMetError, TranscriberError
from transcriber.domain.invocation import Invocation
from transcriber.domain.job_record import BatchState, JobRecord
from transcriber.domain.options import TranscriptionRequestOptions
from transcriber.domain.privacy import job_label
from transcriber.domain.statuses import RUNNING
from transcriber.flows.batch import claim_handover
from transcriber.flows.jobs import records
from transcriber.services import TranscriptionService

logger = logging.getLogger(__name__)


def parse_step(text: str) -> tuple[str, int] | None:
    """(job id, look) of a batch step's message; None for any other message."""
    try:
        document = json.loads(text)
        look = document.get("batch") if isinstance(document, dict) else None
        if isinstance(look, bool) or not isinstance(look, int) or look < 0:
            return None
        return names.check_job_id(document.get("id")), look
    except (ValueError, TranscriberError):
        return None


class Step:
    """One delivery of one look: the record as read (with its etag) and how to move it on."""

    def __init__(self, service: TranscriptionService, record: JobRecord, etag: str, invocation: Invocation):
        assert record.batch is not None  # a batch step's record (batch_steps.run_step checks)
        self.service, self.record, self.etag, self.invocation = service, record, etag, invocation
        self.batch: BatchState = record.batch
        self.settings = service.settings.batch

    @property
    def info(self) -> BlobInfo:
        return self.record.source

    @property
    def transcription(self) -> str:
        """The service's transcription the job looks at (a running job has one)."""
        assert self.batch.transcription is not None
        return self.batch.transcription

    @property
    def options(self) -> TranscriptionRequestOptions:
        """The job's options over the app's defaults, as its fast run would use them."""
        return records.job_options(self.service, self.record)

    async def save(self) -> bool:
        """Write the record If-Match; False when another delivery moved the job on first."""
        try:
            self.etag = await records.write_job(self.service, self.record, if_etag=self.etag)
        except ConditionNotMetError:
            logger.info("%s: moved on by another delivery; this one stops", job_label(self.record.id))
            return False
        return True

    async def look_again(self, delay: int) -> str:
        """Record the next look, then queue it (a lost send is re-sent by the retried delivery)."""
        self.batch.look = (self.batch.look or 0) + 1
        self.batch.next_delay_seconds = delay
        self.batch.next_look_at = (datetime.now(UTC) + timedelta(seconds=delay)).isoformat()
        if await self.save():
            await self.send_current()
        return RUNNING

    async def send_current(self) -> None:
        await self.service.jobs.send_json(
            claim_handover.message(self.record.id, self.batch.look or 0),
            delay_seconds=self.batch.next_delay_seconds or 0,
        )
