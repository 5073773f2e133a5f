"""`status NAME`: a blob's outcome, for people (one line) or scripts (--json, and the exit code)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping

from transcriber.domain.errors import TranscriberError
from transcriber.domain.statuses import DEFERRED, FAILED, QUEUED, RUNNING, SUCCEEDED
from transcriber.entry.cli import exit_codes
from transcriber.flows.status import NOT_FOUND, BlobStatus, blob_status
from transcriber.services import get_service, reset_service

EXIT_BY_STATE = {
    SUCCEEDED: exit_codes.OK,
    FAILED: exit_codes.FAILED,
    RUNNING: exit_codes.TEMPORARY,
    QUEUED: exit_codes.TEMPORARY,
    DEFERRED: exit_codes.TEMPORARY,
    NOT_FOUND: exit_codes.NO_INPUT,
}


async def run_status(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    name = args.name.strip().lstrip("/")
    if not name or len(name) > 1024:
        print("error: NAME must be a blob name of 1 to 1024 characters", file=sys.stderr)
        return exit_codes.USAGE
    service = get_service(environ)
    container = service.settings.audio_container
    try:
        status = await blob_status(service, name)
    except TranscriberError as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return exit_codes.for_error(exc)
    finally:
        await reset_service()
    if args.json:
        print(json.dumps(status.as_record(), ensure_ascii=False))
    else:
        print(_describe(container, status))
    return EXIT_BY_STATE[status.state]


def _describe(container: str, status: BlobStatus) -> str:
    where, state = f"{container}/{status.name}", status.state
    if state == SUCCEEDED:
        return f"{where}: succeeded -> " + ", ".join(status.outputs)
    error = status.error
    reason = f"{error.code}: {error.message}" if error is not None else "None: None"
    if state == FAILED:
        return f"{where}: failed for good: {reason}"
    if state == RUNNING and error is not None:
        return f"{where}: running, retrying (attempt {status.attempts}) after {reason}"
    if state == DEFERRED and status.deferred is not None:
        deferred = status.deferred
        why = (
            "the audio budget was spent" if deferred.get("reason") == "budget" else "Azure AI Speech was busy"
        )
        return (
            f"{where}: deferred until {deferred['until']}: {why} "
            f"({deferred['deferrals']} deferral(s) since {deferred['since']})"
        )
    batch = status.batch
    if state == RUNNING and batch is not None:
        when = f", next look at {batch['nextLookAt']}" if batch.get("nextLookAt") else ""
        return f"{where}: running: batch job {batch['job']} {batch['state']}{when}"
    if state == RUNNING:
        return f"{where}: running (a worker holds version {status.etag})"
    if state == QUEUED:
        return f"{where}: queued (no outcome yet for version {status.etag})"
    return f"{where}: not found"
