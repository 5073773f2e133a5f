"""The local host's blob trigger around Microsoft's runtime: references, metadata, retries, poison."""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from azure.storage.queue import QueueClient

from devtools.azurite import Azurite
from devtools.functions_host.poison import POISON_QUEUE
from tests.fixtures.functions import AppUnderTest as Deployed
from transcriber.domain import privacy


async def test_host_blob_worker_gets_a_reference_never_the_bytes(
    deployed: Deployed, corpus: Path, sent: list[Any]
) -> None:
    audio = (corpus / "jfk.flac").read_bytes() * 8  # a few MB; the request must not grow with it
    etag = deployed.upload("calls/big.flac", audio, "audio/flac")
    delivery = await deployed.blob_event("calls/big.flac")
    assert delivery.status == "succeeded"

    (request,) = sent
    assert request.ByteSize() < 4096 < len(audio)
    (binding,) = request.input_data
    assert binding.name == "blob" and binding.data.WhichOneof("data") == "model_binding_data"
    reference = binding.data.model_binding_data
    assert (reference.source, reference.content_type) == ("AzureStorageBlobs", "application/json")
    assert json.loads(reference.content) == {
        "Connection": "AudioStorage",
        "ContainerName": deployed.containers.audio,
        "BlobName": "calls/big.flac",
    }
    metadata = request.trigger_metadata
    assert metadata["BlobTrigger"].string == f"{deployed.containers.audio}/calls/big.flac"
    assert metadata["name"].string == "calls/big.flac"
    assert metadata["Uri"].string.endswith(f"/{deployed.containers.audio}/calls/big.flac")
    properties = json.loads(metadata["Properties"].json)
    assert (properties["ContentLength"], properties["ContentType"]) == (len(audio), "audio/flac")
    assert properties["ETag"].strip('"') == etag and json.loads(metadata["Metadata"].json) == {}
    assert request.HasField("retry_context") and request.retry_context.retry_count == 0


async def test_host_blob_extension_client_reads_the_blob_with_the_connection_string(
    deployed: Deployed, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from azurefunctions.extensions.bindings.blob.blobClientConverter import BlobClientConverter

    clients: list[Any] = []
    decode = BlobClientConverter.decode.__func__

    def keep(cls: type, data: Any, *, trigger_metadata: Any, pytype: Any) -> Any:
        clients.append(decode(cls, data, trigger_metadata=trigger_metadata, pytype=pytype))
        return clients[-1]

    monkeypatch.setattr(BlobClientConverter, "decode", classmethod(keep))
    audio = (corpus / "cards-001.wav").read_bytes()
    deployed.upload("probe.wav", audio)
    assert (await deployed.blob_event("probe.wav")).status == "succeeded"
    (client,) = clients
    properties = await asyncio.to_thread(client.get_blob_properties)  # sync client: off the loop
    assert (client.container_name, client.blob_name, properties.size) == (
        deployed.containers.audio,
        "probe.wav",
        len(audio),
    )


def _poison_messages(azurite: Azurite, container: str) -> list[dict[str, Any]]:
    with QueueClient.from_connection_string(azurite.connection_string, POISON_QUEUE) as queue:
        messages = [json.loads(base64.b64decode(m.content)) for m in queue.peek_messages(max_messages=32)]
    return [m for m in messages if m["ContainerName"] == container]


async def test_host_blob_failing_every_try_is_poisoned_after_host_json_threshold(
    deployed: Deployed, azurite: Azurite, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOB_MAX_ATTEMPTS", "10")  # the app keeps raising; the host gives up first
    etag = deployed.upload("doomed.wav", (corpus / "cards-001.wav").read_bytes())
    deployed.speech.fail(500, count=1000)  # a failure (a throttle would be deferred, not retried)

    delivery = await deployed.blob_event("doomed.wav")

    assert (
        delivery.status == "poisoned" and delivery.attempts == deployed.host.blobs.poison_blob_threshold == 5
    )
    assert all(error and error.startswith("ServiceError") for error in delivery.errors)
    assert len({invocation.invocation_id for invocation in delivery.invocations}) == 5
    expected = {
        "Type": "BlobTrigger",
        "FunctionId": "Host.Functions.transcribe_blob",
        "BlobType": "BlockBlob",
        "ContainerName": deployed.containers.audio,
        "BlobName": "doomed.wav",
        "ETag": f'"{etag}"',
    }
    assert delivery.poison_message == expected
    assert _poison_messages(azurite, deployed.containers.audio) == [expected]
    assert deployed.failure_json("doomed.wav")["attempts"] == 5


async def test_host_blob_concurrent_deliveries_keep_their_logs_apart(
    deployed: Deployed, corpus: Path
) -> None:
    names = ["one.wav", "two.wav", "three.wav"]
    for index, name in enumerate(names, start=1):
        deployed.upload(name, (corpus / f"cards-00{index}.wav").read_bytes())

    deliveries = await asyncio.gather(*(deployed.blob_event(name) for name in names))

    for name, delivery in zip(names, deliveries, strict=True):
        (invocation,) = delivery.invocations
        assert {log.invocation_id for log in invocation.logs} == {invocation.invocation_id}
        transcribed = [m for m in invocation.log_messages() if m.startswith("transcribed ")]
        label = privacy.blob_label(name)  # blob names are personal data: logs carry keyed ids
        assert transcribed and all(m.startswith(f"transcribed {label}:") for m in transcribed)


async def test_host_blob_outside_the_trigger_path_is_not_delivered(
    deployed: Deployed, sent: list[Any]
) -> None:
    assert (await deployed.host.blob_event(deployed.containers.audio, "")).status == "unmatched"
    assert sent == []


async def test_host_blob_new_version_between_tries_supersedes_the_old_delivery(
    deployed: Deployed, corpus: Path, functions_host: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = functions_host._worker
    invoke = worker.invoke

    async def then_replace(request: Any) -> Any:
        response = await invoke(request)
        deployed.upload("edited.wav", (corpus / "cards-002.wav").read_bytes())  # a new version lands
        return response

    monkeypatch.setattr(worker, "invoke", then_replace)
    deployed.upload("edited.wav", (corpus / "cards-001.wav").read_bytes())
    deployed.speech.fail(503, count=4)  # the first try fails (one SDK call with its retries)

    delivery = await deployed.blob_event("edited.wav")

    # The host drops the old version's retries; the new version has its own event.
    assert (delivery.status, delivery.attempts) == ("superseded", 1)


async def test_host_blob_runs_at_most_max_degree_of_parallelism_at_once(
    deployed: Deployed, corpus: Path, functions_host: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = functions_host._worker
    invoke = worker.invoke
    running, peak = 0, 0

    async def count(request: Any) -> Any:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        try:
            return await invoke(request)
        finally:
            running -= 1

    monkeypatch.setattr(worker, "invoke", count)
    assert deployed.host.blobs.max_degree_of_parallelism == 64  # host.json
    monkeypatch.setattr(deployed.host, "blobs", replace(deployed.host.blobs, max_degree_of_parallelism=4))
    names = [f"many-{index}.wav" for index in range(6)]
    for name in names:
        deployed.upload(name, (corpus / "cards-001.wav").read_bytes())
    deployed.speech.delay(0.3, count=6)

    deliveries = await asyncio.gather(*(deployed.blob_event(name) for name in names))

    assert all(delivery.status == "succeeded" for delivery in deliveries)
    assert peak == deployed.host.blobs.max_degree_of_parallelism == 4
