"""GET /api/transcriptions/{id}/audio: the job's audio, with range requests, for the page's player.

`Range: bytes=a-b` is answered 206 with `Content-Range` (at most 8 MiB an answer); no Range, 200
up to 8 MiB, else 206 of the first 8 MiB; 416 when none of the asked bytes exist.
"""

from __future__ import annotations

from collections.abc import Mapping

from transcriber.domain.owners import Caller
from transcriber.entry.http.edge import HttpReply, serve
from transcriber.flows.jobs import owners
from transcriber.flows.jobs.audio import read_job_audio
from transcriber.services import TranscriptionService

AUDIO_HEADERS = {
    "Accept-Ranges": "bytes",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


async def job_audio(headers: Mapping[str, str], job_id: str) -> HttpReply:
    """The bytes asked for; 404 for a job the caller cannot see or whose audio is gone."""
    range_header = next((value for key, value in headers.items() if key.lower() == "range"), None)

    async def handle(service: TranscriptionService, caller: Caller) -> HttpReply:
        record = await owners.read_visible_job(service, caller, job_id)
        part = await read_job_audio(service, record, range_header)
        reply_headers = dict(AUDIO_HEADERS)
        if part.range.partial:
            reply_headers["Content-Range"] = part.range.content_range
        return HttpReply(206 if part.range.partial else 200, part.data, part.content_type, reply_headers)

    return await serve(headers, handle)
