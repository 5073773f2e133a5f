"""The polling blob trigger's part: scan the audio container, deliver each new blob version once.

Like the WebJobs blob extension, a version is done when its receipt exists:
`azure-webjobs-hosts/blobreceipts/<host id>/<function>/<etag>/<container>/<name>`, kept in
Azurite's data, so restarting `make dev` does not deliver old uploads again. A version is
delivered once at a time, at most host.json's maxDegreeOfParallelism at once, as the host runs
them: a small upload does not wait for a few long ones to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from azure.storage.blob.aio import BlobServiceClient, ContainerClient

from devtools.dev import console
from devtools.dev.host import DevHost

logger = logging.getLogger(__name__)
RECEIPTS_CONTAINER = "azure-webjobs-hosts"


class BlobWatcher:
    def __init__(
        self,
        host: DevHost,
        connection: str,
        *,
        interval: float = 1.0,
        parallelism: int | None = None,
        host_id: str = "dev",
    ) -> None:
        self.host = host
        self.connection = connection
        self.interval = interval
        self.host_id = host_id
        self._slots = asyncio.Semaphore(parallelism or host.blob_parallelism)
        self._done: set[tuple[str, str]] = set()
        self._running: dict[tuple[str, str], asyncio.Task[None]] = {}

    async def run(self) -> None:
        """Scan until cancelled; a failed scan (Azurite busy) is logged and tried again."""
        async with BlobServiceClient.from_connection_string(self.connection) as service:
            with contextlib.suppress(Exception):
                await service.create_container(RECEIPTS_CONTAINER)
            try:
                while True:
                    try:
                        await self.scan(service)
                    except Exception as exc:  # keep watching, as the host's listener does
                        logger.warning("scan of %s failed: %s", self.host.blob_container, exc)
                    await asyncio.sleep(self.interval)
            finally:
                for task in self._running.values():
                    task.cancel()
                await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def scan(self, service: BlobServiceClient) -> None:
        container = service.get_container_client(self.host.blob_container)
        receipts = service.get_container_client(RECEIPTS_CONTAINER)
        async for blob in container.list_blobs():
            key = (blob.name, blob.etag.strip('"'))
            if key in self._done or key in self._running:
                continue
            receipt = receipts.get_blob_client(self._receipt(*key))
            if await receipt.exists():
                self._done.add(key)
                continue
            task = asyncio.create_task(self._deliver(receipts, *key))
            self._running[key] = task

    def _receipt(self, name: str, etag: str) -> str:
        function = f"Host.Functions.{self.host.blob_function}"
        return f"blobreceipts/{self.host_id}/{function}/{etag}/{self.host.blob_container}/{name}"

    async def _deliver(self, receipts: ContainerClient, name: str, etag: str) -> None:
        async with self._slots:
            started = time.perf_counter()
            try:
                reply = await self.host.blob_event(self.host.blob_container, name)
            except Exception as exc:  # the host itself failed: try again on a later scan
                logger.warning("delivering %s failed in the host: %s", name, exc)
                self._running.pop((name, etag), None)
                return
            where = f"{self.host.blob_container}/{name}"
            tries = f" after {reply.attempts} tries" if reply.attempts > 1 else ""
            outcome, why = reply.outcome if reply.outcome[0] else (reply.status, "")
            console.invocation(
                reply.function or "-", outcome, started, where + tries + (f" ({why})" if why else "")
            )
            for error in reply.errors[-1:] if reply.status != "succeeded" else []:
                console.say(f"         last error: {error}")
            if reply.status in ("succeeded", "poisoned", "gone"):
                await receipts.get_blob_client(self._receipt(name, etag)).upload_blob(b"", overwrite=True)
            self._done.add((name, etag))
            self._running.pop((name, etag), None)
