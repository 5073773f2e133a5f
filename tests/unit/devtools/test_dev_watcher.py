"""`make dev`'s blob watcher delivers as many versions at once as the host runs (host.json)."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from devtools.dev.host import BlobReply, DevHost
from devtools.dev.watcher import BlobWatcher


class SlowHost:
    """A host whose blob invocations run until released, counting how many run at once."""

    blob_container = "audio-in"
    blob_function = "transcribe_blob"

    def __init__(self, parallelism: int) -> None:
        self.blob_parallelism = parallelism
        self.running = 0
        self.peak = 0
        self.release = asyncio.Event()

    async def blob_event(self, container: str, name: str) -> BlobReply:
        self.running += 1
        self.peak = max(self.peak, self.running)
        await self.release.wait()
        self.running -= 1
        return BlobReply("succeeded", 1, [], self.blob_function)


class Receipts:
    def __init__(self) -> None:
        self.written: list[str] = []

    def get_blob_client(self, name: str) -> Any:
        receipts = self

        class Receipt:
            async def upload_blob(self, data: bytes, *, overwrite: bool) -> None:
                receipts.written.append(name)

        return Receipt()


async def test_dev_watcher_runs_as_many_blobs_at_once_as_host_json_allows() -> None:
    host = SlowHost(parallelism=6)
    watcher = BlobWatcher(cast(DevHost, host), "UseDevelopmentStorage=true")
    receipts = Receipts()
    deliveries = [
        asyncio.create_task(watcher._deliver(cast(Any, receipts), f"{i}.wav", f"etag{i}")) for i in range(8)
    ]
    for _ in range(50):
        await asyncio.sleep(0)
    assert host.peak == 6  # the long ones running do not hold back a seventh beyond host.json's limit
    host.release.set()
    await asyncio.gather(*deliveries)
    assert host.peak == 6 and len(receipts.written) == 8
