"""Fetch `audioUrl` as the service does: http(s), redirects followed, size-capped while streaming.

Any failure (unreachable host, TLS, non-2xx answer, timeout, too large) is the caller's problem,
so it answers 400 InvalidArgument with inner code InvalidAudioUrl and the reason, never the URL's
query (a SAS signature). Trust: `ca_file`, else `SSL_CERT_FILE`, else the system store.
"""

from __future__ import annotations

import logging
import os
import ssl
from pathlib import Path

import httpx

from devtools.speech_emulator.errors import ServiceError
from devtools.speech_emulator.journal import redact_url

logger = logging.getLogger(__name__)
# httpx logs every request line at INFO, SAS query included: keep signatures out of our logs.
logging.getLogger("httpx").setLevel(logging.WARNING)

__all__ = ["fetch_audio"]


def _ssl_context(ca_file: Path | str | None) -> ssl.SSLContext:
    cafile = ca_file or os.environ.get("SSL_CERT_FILE") or None
    return ssl.create_default_context(cafile=str(cafile) if cafile else None)


async def fetch_audio(
    url: str, *, max_bytes: int, timeout_seconds: float, ca_file: Path | str | None = None
) -> bytes:
    """The bytes at `url`, or a 400 ServiceError saying why they could not be had."""
    shown = redact_url(url)
    try:
        async with (
            httpx.AsyncClient(
                verify=_ssl_context(ca_file), timeout=timeout_seconds, follow_redirects=True
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise _refused(f"fetching {shown} answered HTTP {response.status_code}")
            declared = response.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > max_bytes:
                raise _too_large(shown, max_bytes)
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > max_bytes:
                    raise _too_large(shown, max_bytes)
            return bytes(data)
    except httpx.HTTPError as exc:
        logger.info("audioUrl fetch failed: %s (%s)", shown, type(exc).__name__)
        raise _refused(f"fetching {shown} failed: {type(exc).__name__}") from exc


def _refused(reason: str) -> ServiceError:
    return ServiceError.invalid_argument(
        "InvalidAudioUrl", f"The audio could not be downloaded from audioUrl: {reason}."
    )


def _too_large(shown: str, max_bytes: int) -> ServiceError:
    return ServiceError.invalid_argument(
        "AudioSizeLimitExceeded",
        f"The audio at {shown} is larger than this emulator's limit of {max_bytes} bytes.",
    )
