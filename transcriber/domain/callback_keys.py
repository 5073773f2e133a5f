"""Keys of job callbacks (Standard Webhooks, www.standardwebhooks.com): one secret per destination
and one delivery id per job event, both derived from the app's CALLBACK_SIGNING_SECRET.

A receiver holds only its own destination's secret: it can verify the callbacks sent to it, not
sign callbacks another receiver would accept (each secret is an HMAC of the destination's origin
under the app secret, which never leaves the app). The delivery id (`webhook-id`) is the same on
every try of one callback, so a receiver can drop repeats; it is keyed, so it does not reveal the
job id (a bearer handle to the transcript).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

__all__ = ["SECRET_PREFIX", "delivery_id", "destination_origin", "destination_secret"]

SECRET_PREFIX = "whsec_"  # the spec's prefix of a symmetric secret, followed by its base64
_SECRET_LABEL = b"transcriber callback secret v1\n"
_ID_LABEL = b"transcriber callback id v1\n"
HTTPS_PORT = 443


def destination_origin(url: str) -> str:
    """The origin a callback URL sends to, normalised: `https://host:port`, the host in lower
    case and the port always written, so `https://Hooks.example.com/a` and
    `https://hooks.example.com:443/b` share one secret. ValueError for anything but an https URL
    with a host."""
    parts = urlsplit(url.strip())
    port = parts.port  # ValueError for a port that is not a number from 0 to 65535
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise ValueError("a callback URL is https://host[:port]/...")
    host = parts.hostname.lower()  # urlsplit already lowers it; explicit for the reader
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    return f"https://{host}:{port or HTTPS_PORT}"


def destination_secret(app_secret: str, url: str) -> str:
    """The `whsec_<base64>` secret of the destination `url` sends to: HMAC-SHA256 of its origin
    under the app secret (32 bytes, within the spec's 24 to 64)."""
    key = hmac.new(app_secret.encode(), _SECRET_LABEL + destination_origin(url).encode(), hashlib.sha256)
    return SECRET_PREFIX + base64.b64encode(key.digest()).decode("ascii")


def delivery_id(app_secret: str, job_id: str, event: str) -> str:
    """`msg_` and 32 hex digits, the same for every try of one job's `event` callback."""
    digest = hmac.new(app_secret.encode(), _ID_LABEL + f"{job_id}\n{event}".encode(), hashlib.sha256)
    return "msg_" + digest.hexdigest()[:32]
