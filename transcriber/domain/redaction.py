"""Secrets out of every text the app emits: error messages, failure records, logs, telemetry.

Applied where error text is made and to every log record, so a forgotten call site cannot leak.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

REDACTED = "<redacted>"
_SECRET_NAMES = (
    r"sig|signature|code|access_token|refresh_token|id_token|client_secret|password|pwd|secret|token"
    r"|api[_-]?key|apikey|key|accountkey|sharedaccesskey|sharedaccesssignature|subscription[_-]?key"
    r"|x-functions-key|x-identity-header|identity_header|skoid|sktid|skt|ske|sks|skv"
)
_HEADER_NAMES = (
    r"authorization|ocp-apim-subscription-key|x-functions-key|x-identity-header|x-ms-authorization"
)
_VALUE = r"[^\s&;\"'<>,)\]}]+"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # URL query strings, as written, JSON-escaped and percent-encoded
    (re.compile(r"(?i)(https?:(?://|\\/\\/)[^\s?#\"'<>]+)\?[^\s#\"'<>]*"), rf"\1?{REDACTED}"),
    (re.compile(r"(?i)(https?%3A%2F%2F[^\s\"'<>&?]*?)%3F[^\s\"'<>]*"), rf"\1%3F{REDACTED}"),
    # name=value pairs (query fragments, connection strings), also percent-encoded
    (
        re.compile(rf"(?i)(?<![A-Za-z0-9_-])({_SECRET_NAMES})(=|%3D)(?:%[0-9A-F]{{2}}|{_VALUE})+"),
        rf"\1\2{REDACTED}",
    ),
    # JSON members: "AccountKey": "...", "access_token":"..."
    (re.compile(rf'(?i)("(?:{_SECRET_NAMES})"\s*:\s*")(?:[^"\\]|\\.)*"'), rf'\1{REDACTED}"'),
    # headers as printed: "Authorization: Bearer ...", 'x-functions-key': '...'
    (re.compile(rf"(?i)\b({_HEADER_NAMES})(['\"]?\s*[:=]\s*['\"]?)[^\r\n'\"]+"), rf"\1\2{REDACTED}"),
    (re.compile(r"(?i)\b(bearer|sharedkey)\s+[A-Za-z0-9\-._~+/:=]{8,}"), rf"\1 {REDACTED}"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), REDACTED),
]


def redact(text: str) -> str:
    """`text` without any secret-shaped part; everything else is kept for the reader."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactedCause(Exception):
    """Stands in for an SDK exception in a chain: its type and redacted text, not its secrets."""


def redacted_cause(exc: BaseException) -> RedactedCause:
    """Use as `raise OurError(...) from redacted_cause(exc)`: the host logs the whole chain."""
    cause = RedactedCause(f"{type(exc).__module__}.{type(exc).__name__}: {redact(str(exc))}")
    return cause.with_traceback(exc.__traceback__)


def install_log_redaction() -> None:
    """Redact every log record as it is made (message and traceback), whoever logs it."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is the handler's to report
            return record
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
        return record

    factory.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
