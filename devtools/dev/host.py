"""The seam between `make dev` and the Functions host: the only module that knows which host runs.

It drives `devtools.functions_host.FunctionsHost`, Microsoft's runtime (azure-functions-runtime)
in this process, which brings the host's own behaviour: routes under host.json's prefix, the
front end's limits, the blob trigger's tries up to `poisonBlobThreshold`, then a message on
the `webjobs-blobtrigger-poison` queue, and the queue triggers' listeners (dequeue counts,
`maxDequeueCount`, `<queue>-poison`). Two things are dev's own, as under `func start`: no
function keys are asked for (the host's key is added to every request), and the routes are
listed for the start-up banner.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devtools.dev import console
from devtools.functions_host import FunctionsHost, QueueDelivery, routing

logger = logging.getLogger(__name__)
# The app's line for each blob or jobs-queue delivery (transcriber.entry.triggers.log_outcome).
OUTCOME_LOGGER = "transcriber.entry.triggers"
_OUTCOME = re.compile(r" outcome: (\w+)(?: \((.*)\))?$")


@dataclass(frozen=True)
class HttpReply:
    status: int
    headers: dict[str, str]
    body: bytes
    function: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class BlobReply:
    """`succeeded`, `poisoned` (every try failed), `gone`, `superseded` or `unmatched`; `outcome`:
    what the app says came of it (`describe`)."""

    status: str
    attempts: int
    errors: list[str] = field(default_factory=list)
    function: str | None = None
    outcome: tuple[str, str] = ("", "")


def describe(status: str, invocations: Sequence[Any]) -> tuple[str, str]:
    """What a delivery came to and why, in the app's words when its last try logged them: the host
    calls every invocation that returned Succeeded, a failure recorded for good or a deferral
    too. (`succeeded`, ""), (`failed`, "InvalidAudioFormat"), (`deferred`, "until ..."), ..."""
    if status == "succeeded" and invocations:
        for log in reversed(invocations[-1].logs):
            found = _OUTCOME.search(log.message) if log.category == OUTCOME_LOGGER else None
            if found:
                word = "succeeded" if found.group(1) == "transcribed" else found.group(1)
                return word, found.group(2) or ""
    return status, ""


@dataclass(frozen=True)
class RouteInfo:
    function: str
    methods: frozenset[str]
    template: str


class DevHost:
    """function_app in the runtime, behind the host's routes and blob trigger."""

    def __init__(self, app_dir: Path, host: FunctionsHost) -> None:
        self.app_dir = app_dir
        self._host = host
        prefix = routing.route_prefix(app_dir)
        self._routes: list[routing.HttpRoute] = []
        self.routes: list[RouteInfo] = []
        self.blob_function: str | None = None
        self.blob_path = ""
        self.queues: dict[str, str] = {}  # queue-triggered function -> its queue
        for info in host.functions.values():
            trigger = info.trigger
            if trigger["type"] == "httpTrigger":
                route = routing.HttpRoute.from_raw(prefix, info.name, info.function_id, trigger)
                template = "/" + "/".join(
                    p for p in (prefix.strip("/"), trigger.get("route") or info.name) if p
                )
                self._routes.append(route)
                self.routes.append(RouteInfo(info.name, route.methods, template))
            elif trigger["type"] == "blobTrigger":
                self.blob_function, self.blob_path = info.name, trigger["path"]
            elif trigger["type"] == "queueTrigger":
                self.queues[info.name] = trigger["queueName"]

    @classmethod
    def start(cls, app_dir: Path) -> DevHost:
        """Start the runtime on the app (settings must already be in os.environ)."""
        return cls(app_dir, FunctionsHost.start(app_dir))

    @property
    def blob_container(self) -> str:
        return self.blob_path.split("/", 1)[0]

    @property
    def blob_parallelism(self) -> int:
        """host.json's blobs.maxDegreeOfParallelism: blob invocations the host runs at once."""
        return self._host.blobs.max_degree_of_parallelism

    async def http(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> HttpReply:
        """Through the host's front end; the function key is added, as `func start` needs none."""
        found = routing.match(self._routes, method, url)
        lowered = {k.lower(): v for k, v in headers.items()}
        lowered.setdefault("x-functions-key", self._host.keys.function_key)
        response = await self._host.http(method, url, body, lowered)
        return HttpReply(
            response.status_code,
            dict(response.headers),
            response.get_body(),
            found[0].function if found else None,
            response.error,
        )

    async def blob_event(self, container: str, name: str) -> BlobReply:
        """One blob version, with the host's tries and poison queue."""
        delivery = await self._host.blob_event(container, name, function=self.blob_function)
        errors = [error for error in delivery.errors if error]
        outcome = describe(delivery.status, delivery.invocations)
        return BlobReply(delivery.status, delivery.attempts, errors, self.blob_function, outcome)

    async def listen(self, function: str, *, max_interval: float) -> None:
        """The host's listener on `function`'s queue, until cancelled; one console line per message.

        The host backs off to host.json's maxPollingInterval (a minute by default) while a queue
        is empty; here at most `max_interval`, so a job starts about as soon as it is queued.
        """
        queue = self.queues[function]

        def report(delivery: QueueDelivery) -> None:
            tries = len(delivery.invocations)
            detail = f"queue {queue}" + (f" after {tries} tries" if tries > 1 else "")
            outcome, why = describe(delivery.status, delivery.invocations)
            console.invocation(function, outcome, delivery.started, detail + (f" ({why})" if why else ""))
            for error in delivery.errors[-1:] if delivery.status != "succeeded" else []:
                console.say(f"         last error: {error}")

        def failed(error: Exception) -> None:
            logger.warning("queue %s: %s", queue, error)

        listener = self._host.queue_listener(function)
        await listener.listen(report, max_interval=max_interval, on_error=failed)
