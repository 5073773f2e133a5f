"""A blob trigger's invocation data, as the host builds it for one blob.

- The binding's `path` (`container/{name}`) is matched against the blob: its `{...}` parts
  become trigger metadata (the `{name}` parameter), as the host's binding data contract does.
- With an SDK-type binding the runtime reports `SupportsDeferredBinding` in the raw binding;
  the host then sends `model_binding_data` (source `AzureStorageBlobs`, JSON with Connection,
  ContainerName, BlobName) and never the content. Otherwise it reads the whole blob and sends
  its bytes, which is what made func.InputStream expensive.
- Trigger metadata: BlobTrigger (`container/name`), Uri, Properties (a subset of the SDK's
  BlobProperties, PascalCase as the .NET host serialises them), Metadata, the path's
  parameters, and `sys`.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

MODEL_BINDING_SOURCE = "AzureStorageBlobs"


@dataclass(frozen=True)
class BlobTriggerBinding:
    """A function's blobTrigger binding, from the runtime's raw bindings."""

    function: str
    function_id: str
    name: str
    path: str
    connection: str
    source: str
    deferred: bool

    @classmethod
    def from_raw(cls, function: str, function_id: str, raw: dict[str, Any]) -> BlobTriggerBinding:
        properties = raw.get("properties") or {}
        return cls(
            function=function,
            function_id=function_id,
            name=raw["name"],
            path=raw["path"],
            connection=raw.get("connection") or "AzureWebJobsStorage",
            source=raw.get("source") or "LogsAndContainerScan",
            deferred=bool(properties.get("SupportsDeferredBinding")),
        )

    def parameters(self, blob_name: str) -> dict[str, str] | None:
        """The path's `{...}` values for this blob, or None when the blob does not match.

        The container is the event's (tests give every test its own container; the host is
        indexed once per process); only the part after the container is a pattern.
        """
        _, _, pattern = self.path.partition("/")
        if not pattern:
            return {}
        regex = ""
        for literal, field in re.findall(r"([^{]*)(?:\{([^}]*)\})?", pattern):
            regex += re.escape(literal)
            if field:
                regex += f"(?P<{field}>.+)"
        match = re.fullmatch(regex, blob_name, flags=re.DOTALL)
        return match.groupdict() if match else None


def _properties_json(properties: Any) -> dict[str, Any]:
    settings = properties.content_settings
    return {
        "LastModified": properties.last_modified.isoformat(),
        "CreatedOn": properties.creation_time.isoformat() if properties.creation_time else None,
        "BlobType": str(properties.blob_type).split(".")[-1].replace("BlockBlob", "Block"),
        "ContentLength": properties.size,
        "ContentType": settings.content_type,
        "ContentEncoding": settings.content_encoding,
        "ContentHash": base64.b64encode(settings.content_md5).decode() if settings.content_md5 else None,
        "ETag": properties.etag,
        "VersionId": properties.version_id,
    }


def invocation_data(
    protos: ModuleType,
    binding: BlobTriggerBinding,
    container: str,
    blob_name: str,
    uri: str,
    properties: Any,
    parameters: dict[str, str],
    content: bytes | None,
) -> tuple[list[Any], dict[str, Any]]:
    """(input_data, trigger_metadata) for one InvocationRequest."""
    if binding.deferred:
        reference = json.dumps(
            {"Connection": binding.connection, "ContainerName": container, "BlobName": blob_name}
        )
        data = protos.TypedData(
            model_binding_data=protos.ModelBindingData(
                version="1.0",
                source=MODEL_BINDING_SOURCE,
                content_type="application/json",
                content=reference.encode(),
            )
        )
    else:
        data = protos.TypedData(bytes=content or b"")
    metadata = {
        "BlobTrigger": protos.TypedData(string=f"{container}/{blob_name}"),
        "Uri": protos.TypedData(string=uri),
        "Properties": protos.TypedData(json=json.dumps(_properties_json(properties))),
        "Metadata": protos.TypedData(json=json.dumps(dict(properties.metadata or {}))),
        "sys": protos.TypedData(
            json=json.dumps(
                {
                    "MethodName": binding.function,
                    "UtcNow": datetime.now(UTC).isoformat(),
                    "RandGuid": str(uuid.uuid4()),
                }
            )
        ),
    }
    metadata.update({name: protos.TypedData(string=value) for name, value in parameters.items()})
    return [protos.ParameterBinding(name=binding.name, data=data)], metadata
