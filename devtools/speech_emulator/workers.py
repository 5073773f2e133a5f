"""Where pocketsphinx runs: worker processes (default) or one locked in-process decoder.

pocketsphinx holds the GIL for the whole of `process_raw`, so decoding in a thread would freeze
the server's event loop (and a test's client) for seconds; worker processes keep the server
responsive and use more than one core. Decoders take about 0.5 s to load, so each worker (or the
in-thread runner) makes one and keeps it. Runners are shared by every emulator in the process.

A request's audio goes to the decoders one chunk (`sphinx.speech_chunks`, at most 30 s) at a
time, never whole: the next chunk is handed over only once the last one is decoded, so requests
take turns chunk by chunk and a short one waits for one chunk of a long one, not for all of it.
The service transcribes requests concurrently; one decoder handing its time round comes closest.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from typing import Any, Protocol

import numpy as np
from starlette.concurrency import run_in_threadpool

from devtools.speech_emulator.audio import ENGINE_RATE
from devtools.speech_emulator.errors import ServiceError
from devtools.speech_emulator.recognition import RecognizedPhrase
from devtools.speech_emulator.sphinx import (
    HeardChunk,
    create_decoder,
    decode_chunk,
    phrases_of,
    speech_chunks,
)

logger = logging.getLogger(__name__)

__all__ = ["DecoderRunner", "decoder_runner", "shutdown_decoders"]

_worker_decoder: Any = None


def _init_worker(parent_pid: int) -> None:
    global _worker_decoder
    _worker_decoder = create_decoder()
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), name="orphan-watch", daemon=True).start()


def _exit_with_parent(parent_pid: int) -> None:
    """A worker whose parent died (killed, not shut down) must not linger: it never gets EOF."""
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(0)


def _decode_in_worker(chunk: np.ndarray, offset_ms: int) -> HeardChunk:
    return decode_chunk(_worker_decoder, chunk, offset_ms)


def _ready() -> bool:
    return _worker_decoder is not None


async def _by_chunks(
    samples: np.ndarray, decode: Callable[[np.ndarray, int], Awaitable[HeardChunk]]
) -> list[RecognizedPhrase]:
    """`sphinx.recognize`, one chunk handed to `decode` at a time (see the module's docstring)."""
    heard = []
    for start, end in speech_chunks(samples):
        heard.append(await decode(samples[start:end], start * 1000 // ENGINE_RATE))
    return phrases_of(heard)


class DecoderRunner(Protocol):
    """Runs `sphinx.recognize` somewhere off the event loop."""

    async def recognize(self, samples: np.ndarray) -> list[RecognizedPhrase]: ...

    def warm_up(self) -> None: ...

    def shutdown(self) -> None: ...


class ProcessDecoders:
    """A spawn-context process pool whose workers each load one decoder at start."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_init_worker,
                    initargs=(os.getpid(),),
                )
            return self._executor

    def warm_up(self) -> None:
        """Start the workers now, so the first request does not pay for loading the model."""
        self._pool().submit(_ready)

    async def recognize(self, samples: np.ndarray) -> list[RecognizedPhrase]:
        return await _by_chunks(samples, self._decode)

    async def _decode(self, chunk: np.ndarray, offset_ms: int) -> HeardChunk:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool(), _decode_in_worker, chunk, offset_ms)
        except BrokenExecutor as exc:
            logger.error("a decoder process died; starting new ones for the next request")
            self.shutdown()
            raise ServiceError(500, "InternalServerError", "The recognition engine failed.") from exc

    def shutdown(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


class ThreadDecoder:
    """One decoder used from Starlette's thread pool, one chunk at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._decoder: Any = None

    def _decode(self, chunk: np.ndarray, offset_ms: int) -> HeardChunk:
        with self._lock:
            if self._decoder is None:
                self._decoder = create_decoder()
            return decode_chunk(self._decoder, chunk, offset_ms)

    def warm_up(self) -> None:
        """Nothing to start: the decoder loads on first use."""

    async def recognize(self, samples: np.ndarray) -> list[RecognizedPhrase]:
        return await _by_chunks(
            samples, lambda chunk, offset_ms: run_in_threadpool(self._decode, chunk, offset_ms)
        )

    def shutdown(self) -> None:
        with self._lock:
            self._decoder = None


_runners: dict[int, DecoderRunner] = {}
_runners_lock = threading.Lock()


def decoder_runner(processes: int) -> DecoderRunner:
    """The process-wide runner for `processes` workers (0: in-thread), made on first use."""
    with _runners_lock:
        runner = _runners.get(processes)
        if runner is None:
            runner = ProcessDecoders(processes) if processes > 0 else ThreadDecoder()
            _runners[processes] = runner
        return runner


@atexit.register
def shutdown_decoders() -> None:
    """Stop every worker process and drop every decoder (also run at interpreter exit)."""
    with _runners_lock:
        runners = list(_runners.values())
        _runners.clear()
    for runner in runners:
        runner.shutdown()
