"""Job callbacks: a signed POST of `{"id", "status"}` when a job finishes, never the transcript.

Only to https hosts in CALLBACK_ALLOWED_HOSTS. Signed as Standard Webhooks (www.standardwebhooks.com)
sign them, with the destination's own secret (transcriber/domain/callback_keys.py), so a receiver
verifies with `standardwebhooks.Webhook(secret).verify(body, headers)`; docs/API.md ("Callbacks").
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from standardwebhooks import Webhook

from transcriber.config import Settings
from transcriber.domain.callback_keys import delivery_id, destination_secret
from transcriber.domain.errors import InvalidCallbackError
from transcriber.domain.job_record import CallbackState, JobRecord
from transcriber.domain.privacy import job_label

logger = logging.getLogger(__name__)
MAX_URL_CHARS = 2048
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
RETRIED_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def check_callback_url(settings: Settings, url: object) -> str:
    """`url` when callbacks may go there. Checked when a job is accepted and again before each
    send, so removing a host from CALLBACK_ALLOWED_HOSTS stops its callbacks."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_CHARS:
        raise InvalidCallbackError(f"callbackUrl must be an https URL of at most {MAX_URL_CHARS} characters")
    if not settings.callback_allowed_hosts:
        raise InvalidCallbackError("callbacks are off here (CALLBACK_ALLOWED_HOSTS is not set)")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidCallbackError("callbackUrl is not a valid URL") from None
    if parts.scheme != "https" or not parts.hostname:
        raise InvalidCallbackError("callbackUrl must be an https URL")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise InvalidCallbackError("callbackUrl must not carry user information")
    if any(ord(c) < 33 or c == "\\" for c in url):
        raise InvalidCallbackError("callbackUrl must not contain spaces, control characters or backslashes")
    host = parts.hostname.lower()
    allowed = settings.callback_allowed_hosts
    # a bare host allows https's own port only; another port must be listed as host:port
    if f"{host}:{port or 443}" not in allowed and not (port in (None, 443) and host in allowed):
        raise InvalidCallbackError(
            "callbackUrl's host and port are not in CALLBACK_ALLOWED_HOSTS (a bare host allows port 443)"
        )
    return url


def signed_headers(webhook: Webhook, message_id: str, body: bytes, now: float) -> dict[str, str]:
    """One try's headers: the same id on every try, this try's time, the signature of both and the body."""
    timestamp = datetime.fromtimestamp(int(now), UTC)
    return {
        "Content-Type": "application/json",
        ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(int(now)),
        SIGNATURE_HEADER: webhook.sign(message_id, timestamp, body),
    }


def callback_body(record: JobRecord) -> bytes:
    """Only the id and status: the callback may cross a trust boundary the transcript must not."""
    return json.dumps({"id": record.id, "status": record.status}).encode()


async def send_callback(settings: Settings, record: JobRecord) -> CallbackState:
    """POST the signed status; returns what to record (`delivered`, `attempts`, last `status`)."""
    import aiohttp

    url = check_callback_url(settings, record.callback_url)
    assert settings.callback_secret is not None  # config requires it with allowed hosts
    body = callback_body(record)
    webhook = Webhook(destination_secret(settings.callback_secret, url))
    message_id = delivery_id(settings.callback_secret, record.id, record.status)
    attempts = 0
    status: int | str | None = None
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for attempt in range(1, settings.callback_max_attempts + 1):
            attempts = attempt
            headers = signed_headers(webhook, message_id, body, time.time())
            try:
                async with session.post(url, data=body, headers=headers, allow_redirects=False) as response:
                    status = response.status
                    if 200 <= response.status < 300:
                        return CallbackState(delivered=True, attempts=attempts, status=status)
                    if response.status not in RETRIED_STATUSES:
                        break
            except (aiohttp.ClientError, TimeoutError) as exc:
                status = type(exc).__name__
            if attempt < settings.callback_max_attempts:
                await asyncio.sleep(settings.callback_backoff_ms / 1000 * 2 ** (attempt - 1))
    logger.warning("%s: callback not delivered after %d attempt(s)", job_label(record.id), attempts)
    return CallbackState(delivered=False, attempts=attempts, status=status)
