"""Blob names are personal data (they are often people's names): keep them out of telemetry and logs.
Job ids are bearer handles (whoever holds one reads the job's transcript with a key): logs carry
their keyed id too, always.

`python -m transcriber.domain.privacy NAME` prints the keyed id that stands for NAME,
`python -m transcriber.domain.privacy --job ID` the one that stands for a job id.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import sys
from dataclasses import dataclass

__all__ = ["blob_id", "blob_label", "configure", "job_label", "names_included", "quiet_sdk_logging"]

ID_PREFIX = "blob-"
JOB_PREFIX = "job-"
# A job's blobs are named jobs/<id>/... (transcriber.domain.names): the id stays hidden even there.
_JOB_SEGMENT = re.compile(r"(?<![^/])jobs/([0-9a-f]{32})(?=/|$)")
# azure-core's request/response lines and urllib3's connection lines (the sync storage client
# of the SDK-type blob binding) carry URLs with blob names. Not `azure` as a whole: the Functions
# runtime logs as `azure.functions`, and its INFO lines are the function's own.
SDK_LOGGERS = (
    "azure.core",
    "azure.core.pipeline.policies.http_logging_policy",
    "azure.storage",
    "azure.identity",
    "azure.ai",
    "azure.monitor",
    "urllib3",
    "aiohttp",
)

_state: dict[str, object] = {"key": secrets.token_bytes(32), "include": False}


@dataclass(frozen=True)
class PrivacySettings:
    """Blob names are personal data: telemetry and logs carry a keyed hash unless names are allowed."""

    include_blob_names: bool = False
    name_key: str | None = None


def configure(settings: PrivacySettings) -> None:
    """Use the deployment's key and choice, once the settings are read (anyone may call
    `blob_label` before); also quiets the SDKs' request logging."""
    key = settings.name_key.encode("utf-8") if settings.name_key else _state["key"]
    _state.update(key=key, include=settings.include_blob_names)
    quiet_sdk_logging()


def names_included() -> bool:
    return bool(_state["include"])


def _keyed(text: str) -> str:
    key = _state["key"]
    assert isinstance(key, bytes)
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def blob_id(name: str) -> str:
    """A stable, keyed stand-in for a blob name: `blob-` and 16 hex digits."""
    return f"{ID_PREFIX}{_keyed(name)}"


def job_label(job_id: str) -> str:
    """What a log line may say about a job: `job-` and 16 hex digits, a keyed hash of its id
    (never the id, whatever TELEMETRY_INCLUDE_BLOB_NAMES says: the id opens the transcript)."""
    return f"{JOB_PREFIX}{_keyed('job:' + job_id)}"


def blob_label(name: str) -> str:
    """What a log line or event may say about a blob: its name if allowed (a job's id in it as
    its label), else its id."""
    if not names_included():
        return blob_id(name)
    return _JOB_SEGMENT.sub(lambda match: f"jobs/{job_label(match.group(1))}", name)


def quiet_sdk_logging() -> None:
    """Azure SDK loggers at WARNING: their INFO lines carry full request URLs."""
    for logger_name in SDK_LOGGERS:
        logger = logging.getLogger(logger_name)
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


def main(argv: list[str]) -> int:
    """Print the id of each name given (of each job id, after `--job`), under TELEMETRY_NAME_KEY
    (to find a recording's or a job's lines)."""
    key = os.environ.get("TELEMETRY_NAME_KEY", "").strip()
    jobs = argv[:1] == ["--job"]
    values = argv[1:] if jobs else argv
    if not key or not values:
        print(
            "usage: TELEMETRY_NAME_KEY=<key> python -m transcriber.domain.privacy [--job] <blob name or job id>...",
            file=sys.stderr,
        )
        return 2
    configure(PrivacySettings(include_blob_names=False, name_key=key))
    for value in values:
        print(f"{job_label(value) if jobs else blob_id(value)}\t{value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))


def logged_name(name: str) -> str:
    """How a blob name appears in logs: its keyed id unless names are allowed.

    Control characters are escaped, so a hostile name cannot forge a log line.
    """
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in blob_label(name))
