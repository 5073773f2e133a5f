"""Credentials: a managed identity in Azure, the developer's sign-in elsewhere, a key only if given.

App Service and Functions set IDENTITY_ENDPOINT (and IDENTITY_HEADER) in every worker that has a
managed identity; that is how we know we run in Azure. azure-identity is imported lazily:
it costs ~180 ms at import and most local runs never need it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from transcriber.domain.redaction import redacted_cause

if TYPE_CHECKING:
    from azure.core.credentials import AzureKeyCredential, TokenCredential
    from azure.core.credentials_async import AsyncTokenCredential

    from transcriber.config import SpeechSettings, TelemetrySettings
    from transcriber.config.storage_connection import StorageConnection

STORAGE_SCOPE = "https://storage.azure.com/.default"
SPEECH_SCOPE = "https://cognitiveservices.azure.com/.default"  # the Speech SDK's credential scope


def in_azure(env: Mapping[str, str] | None = None) -> bool:
    """True where the platform offers a managed identity endpoint."""
    env = os.environ if env is None else env
    return bool(env.get("IDENTITY_ENDPOINT") or env.get("MSI_ENDPOINT"))


def speech_credential(settings: SpeechSettings) -> AzureKeyCredential | AsyncTokenCredential:
    """A key when one is configured; otherwise a token for the Cognitive Services audience."""
    if settings.api_key:
        from azure.core.credentials import AzureKeyCredential

        return AzureKeyCredential(settings.api_key)
    return _async_token_credential(settings.client_id, managed=in_azure())


def storage_credential(connection: StorageConnection) -> AsyncTokenCredential | None:
    """None for a connection string (the key is in it); otherwise the identity the host uses."""
    if connection.connection_string is not None:
        return None
    return _async_token_credential(connection.client_id, managed=connection.managed_identity or in_azure())


def telemetry_credential(settings: TelemetrySettings) -> TokenCredential | None:
    """Entra ID authentication for ingestion, only when APPLICATIONINSIGHTS_AUTHENTICATION_STRING asks."""
    if not settings.entra_auth:
        return None
    kwargs: dict[str, Any] = {"client_id": settings.client_id} if settings.client_id else {}
    if in_azure():
        from azure.identity import ManagedIdentityCredential

        return ManagedIdentityCredential(**kwargs)
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential(managed_identity_client_id=settings.client_id)


def _async_token_credential(client_id: str | None, *, managed: bool) -> AsyncTokenCredential:
    if managed:
        from azure.identity.aio import ManagedIdentityCredential

        credential = (
            ManagedIdentityCredential(client_id=client_id) if client_id else ManagedIdentityCredential()
        )
        return _AuthFailureCredential(credential)
    from azure.identity.aio import DefaultAzureCredential

    return DefaultAzureCredential(managed_identity_client_id=client_id)


class _AuthFailureCredential:
    """Reports an unreachable token endpoint as an authentication failure, at once.

    azure-identity raises a connection error (ServiceRequestError) when the managed identity
    endpoint is down; the storage client's retry policy would then retry it for ~100 s and the
    error would read like a storage outage. As ClientAuthenticationError it is not retried by
    the clients and is reported as what it is.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        return await self._guard(self._inner.get_token(*scopes, **kwargs))

    async def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        return await self._guard(self._inner.get_token_info(*scopes, options=options))

    async def _guard(self, pending: Any) -> Any:
        from azure.core.exceptions import ClientAuthenticationError

        try:
            return await pending
        except ClientAuthenticationError:
            raise
        except Exception as exc:
            raise ClientAuthenticationError(
                message=f"the managed identity endpoint did not answer ({type(exc).__name__})"
            ) from redacted_cause(exc)

    async def close(self) -> None:
        await self._inner.close()

    async def __aenter__(self) -> _AuthFailureCredential:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
