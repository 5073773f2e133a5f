"""Storage SDK errors as the app's, the same for blobs and the budget table."""

from __future__ import annotations

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ServiceRequestError

from transcriber.adapters.storage_errors import storage_error
from transcriber.domain.errors import AuthenticationError, ServiceError


def http_error(status: int, code: str, cls: type[HttpResponseError] = HttpResponseError) -> HttpResponseError:
    error = cls(message=f"{code}\nRequestId:0")
    error.status_code, error.error_code = status, code
    return error


@pytest.mark.parametrize("status", [401, 403])
def test_storage_errors_a_refused_credential_is_an_authentication_error(status: int) -> None:
    for error in (
        http_error(status, "AuthorizationFailure"),
        http_error(status, "X", ClientAuthenticationError),
    ):
        translated = storage_error(error, "the budget table", "GetEntity")
        assert isinstance(translated, AuthenticationError)
        assert translated.message.startswith("the budget table refused the credential (GetEntity): ")


def test_storage_errors_a_status_keeps_its_code_and_a_transport_failure_its_kind() -> None:
    busy = storage_error(http_error(503, "ServerBusy"), "storage", "download")
    assert isinstance(busy, ServiceError) and busy.code == "StorageError"
    assert busy.message == "storage download failed (503): ServerBusy"
    gone = storage_error(ServiceRequestError("connection refused"), "storage", "download")
    assert gone.message == "storage download failed: ServiceRequestError"
