"""The storage connection, read from the same settings the Functions host reads for the trigger.

A connection string in `<Conn>`, or identity-based `<Conn>__blobServiceUri` and its siblings
(`__queueServiceUri`, `__tableServiceUri`, `__credential`, `__clientId`), as Microsoft documents
identity-based connections for the Functions host.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from transcriber.domain.errors import SettingError

DEV_BLOB_ENDPOINT = "http://127.0.0.1:10000/devstoreaccount1"
DEV_TABLE_ENDPOINT = "http://127.0.0.1:10002/devstoreaccount1"


@dataclass(frozen=True)
class StorageConnection:
    """How the code-side blob clients reach the account the trigger watches."""

    setting: str
    blob_url: str
    queue_url: str | None = None
    table_url: str | None = None  # the audio budget's table (`transcriber.adapters.budget_table`)
    connection_string: str | None = None
    managed_identity: bool = False
    client_id: str | None = None

    @property
    def uses_token(self) -> bool:
        """Token credentials make user-delegation SAS possible (and keys unnecessary)."""
        return self.connection_string is None

    @property
    def host(self) -> str:
        return urlsplit(self.blob_url).hostname or ""

    def describe(self) -> str:
        """A secret-free description for health checks and logs."""
        if self.connection_string is not None:
            return f"connection string ({self.host})"
        kind = "user-assigned managed identity" if self.client_id else "managed identity"
        return f"{kind if self.managed_identity else 'default Azure credential'} ({self.host})"

    @classmethod
    def from_settings(cls, env: Mapping[str, str], name: str) -> StorageConnection:
        """Parse either form; the connection string wins when both are present, as in the host."""
        connection_string = (env.get(name) or "").strip()
        if connection_string:
            return cls(
                setting=name,
                blob_url=_endpoint(name, connection_string, "blob"),
                table_url=_table_endpoint(name, connection_string),
                connection_string=connection_string,
            )
        blob_setting = f"{name}__blobServiceUri"
        blob_url = (env.get(blob_setting) or env.get(f"{name}__serviceUri") or "").strip()
        if not blob_url:
            raise SettingError(
                name,
                f"is not set: give a connection string in {name}, or {blob_setting} "
                f"(and {name}__queueServiceUri) for an identity-based connection",
            )
        _check_url(blob_setting, blob_url)
        queue_setting = f"{name}__queueServiceUri"
        queue_url = (env.get(queue_setting) or "").strip() or None
        if queue_url:
            _check_url(queue_setting, queue_url)
        table_setting = f"{name}__tableServiceUri"
        table_url = (env.get(table_setting) or "").strip() or None
        if table_url:
            _check_url(table_setting, table_url)
        credential_setting = f"{name}__credential"
        credential = (env.get(credential_setting) or "").strip()
        if credential and credential.lower() != "managedidentity":
            raise SettingError(credential_setting, "must be 'managedidentity' or unset")
        client_id = (env.get(f"{name}__clientId") or "").strip() or None
        if client_id and not credential:
            raise SettingError(f"{name}__clientId", f"needs {credential_setting}=managedidentity beside it")
        return cls(
            setting=name,
            blob_url=blob_url.rstrip("/"),
            queue_url=queue_url,
            table_url=table_url.rstrip("/") if table_url else None,
            managed_identity=bool(credential),
            client_id=client_id,
        )


def _check_url(setting: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingError(setting, "must be a URL such as https://<account>.blob.core.windows.net")
    if parts.query:
        raise SettingError(setting, "must not carry a query string (no SAS tokens: use an identity)")


def _table_endpoint(setting: str, connection_string: str) -> str | None:
    """The table endpoint, when the connection string names one (or an account to derive it from)."""
    try:
        return _endpoint(setting, connection_string, "table")
    except SettingError:  # a blob-only string (BlobEndpoint and a SAS): no table, fine until one is needed
        return None


def _endpoint(setting: str, connection_string: str, service: str) -> str:
    """The `service` (blob, table) endpoint a connection string points at, without exposing its key."""
    fields: dict[str, str] = {}
    for part in connection_string.split(";"):
        key, sep, value = part.partition("=")
        if part.strip() and not sep:
            raise SettingError(setting, "is not a storage connection string (expected key=value pairs)")
        fields[key.strip().lower()] = value.strip()
    if fields.get("usedevelopmentstorage", "").lower() == "true":
        return DEV_BLOB_ENDPOINT if service == "blob" else DEV_TABLE_ENDPOINT
    if f"{service}endpoint" in fields:
        return fields[f"{service}endpoint"].rstrip("/")
    account = fields.get("accountname")
    if not account:
        raise SettingError(
            setting, f"connection string names no AccountName or {service.capitalize()}Endpoint"
        )
    protocol = fields.get("defaultendpointsprotocol", "https")
    suffix = fields.get("endpointsuffix", "core.windows.net")
    return f"{protocol}://{account}.{service}.{suffix}"
