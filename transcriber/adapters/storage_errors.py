"""A storage SDK's error as the app's, said once for every storage client (blobs, the budget table)."""

from __future__ import annotations

from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

from transcriber.domain.errors import AuthenticationError, ServiceError, TranscriberError


def storage_error(exc: Exception, subject: str, operation: str) -> TranscriberError:
    """What `subject` ("storage", "the budget table") failing at `operation` is: a refused
    credential (401, 403), a storage error with its status, or a transport failure."""
    refused = isinstance(exc, ClientAuthenticationError) or (
        isinstance(exc, HttpResponseError) and exc.status_code in (401, 403)
    )
    if refused:
        return AuthenticationError(f"{subject} refused the credential ({operation}): {reason(exc)}")
    if isinstance(exc, HttpResponseError):
        return ServiceError(
            f"{subject} {operation} failed ({exc.status_code}): {reason(exc)}", code="StorageError"
        )
    # transport failures: connection refused, timeouts
    return ServiceError(f"{subject} {operation} failed: {type(exc).__name__}", code="StorageError")


def reason(exc: Exception) -> str:
    """The service's error code, else the first line of the error (at most 200 characters)."""
    code = getattr(exc, "error_code", None)
    text = str(exc).strip().splitlines()
    return str(code) if code else (text[0][:200] if text else type(exc).__name__)
