"""PUT /api/transcriptions/{id}/speakers: name the speakers of a job's transcript.

`{"speakers": {"1": "Alice", "2": ""}}` names speaker 1 and removes speaker 2's name; the answer
is every name now stored. The job's TXT, SRT and VTT then use them (`?format=`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from transcriber.domain.errors import InvalidRequestError
from transcriber.domain.owners import Caller
from transcriber.domain.speakers import check_speakers, to_json
from transcriber.entry.http.edge import HttpReply, serve
from transcriber.flows.jobs import owners
from transcriber.flows.jobs.speakers import name_speakers
from transcriber.services import TranscriptionService

MAX_BODY_BYTES = 16 * 1024
NO_STORE = {"Cache-Control": "no-store"}


def requested_names(body: bytes) -> dict[int, str]:
    if len(body) > MAX_BODY_BYTES:
        raise InvalidRequestError(f"the body is over {MAX_BODY_BYTES} bytes")
    try:
        document = json.loads(body or b"null")
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidRequestError('the body must be JSON: {"speakers": {"1": "<name>"}}') from None
    return check_speakers(document)


async def put_speakers(headers: Mapping[str, str], job_id: str, body: bytes) -> HttpReply:
    """200 with `{"speakers": {...}}` as stored; 404 for a job the caller cannot see, 409 before it
    succeeded."""

    async def handle(service: TranscriptionService, caller: Caller) -> HttpReply:
        record = await owners.read_visible_job(service, caller, job_id)
        changes = requested_names(body)
        names = await name_speakers(service, record, changes)
        reply = json.dumps({"speakers": to_json(names)}, ensure_ascii=False)
        return HttpReply(200, reply, headers=dict(NO_STORE))

    return await serve(headers, handle)
