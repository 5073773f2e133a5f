"""Servers in this process, each on a daemon thread: started on an OS-assigned port that is
reported back, ready when `start()` returns, and stopped (thread joined, socket closed) by `stop()`."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from devtools.local_services.ports import port_of
from devtools.local_services.processes import ServiceError

if TYPE_CHECKING:
    import uvicorn

__all__ = ["ServerThread", "UvicornThread", "serving"]


class _Serving:
    """What both kinds share: the listening socket (its port reported back) and the thread."""

    def __init__(self, sock: socket.socket, name: str) -> None:
        self.socket = sock
        self.name = name
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return port_of(self.socket)

    def _run(self, target: Callable[..., object], **kwargs: object) -> None:
        self._thread = threading.Thread(target=target, kwargs=kwargs, name=self.name, daemon=True)
        self._thread.start()


class ServerThread(_Serving):
    """A `socketserver` server (`http.server`'s included), bound already (port 0: OS-assigned),
    serving from a daemon thread; it accepts connections as soon as it is bound."""

    def __init__(self, server: socketserver.TCPServer, *, name: str, poll_interval: float = 0.5) -> None:
        super().__init__(server.socket, name)
        self.server = server
        self.poll_interval = poll_interval

    def start(self) -> ServerThread:
        self._run(self.server.serve_forever, poll_interval=self.poll_interval)
        return self

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join()
            self._thread = None
        self.server.server_close()


class UvicornThread(_Serving):
    """A `uvicorn.Server` on a listening socket (see `ports.listening_socket`), from a daemon thread."""

    def __init__(self, server: uvicorn.Server, sock: socket.socket, *, name: str) -> None:
        super().__init__(sock, name)
        self.server = server

    def start(self, timeout: float = 15.0) -> UvicornThread:
        """Return once uvicorn serves; `ServiceError` (uvicorn logged why) if not within `timeout`."""
        self._run(self.server.run, sockets=[self.socket])
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServiceError(f"the {self.name} did not start within {timeout:g} s (see uvicorn's log)")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to exit, force it after `timeout`, close the socket; safe to call twice."""
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self.server.force_exit = True
                self._thread.join(5)
            self._thread = None
        self.socket.close()


@contextlib.contextmanager
def serving(server: socketserver.TCPServer, *, name: str) -> Iterator[int]:
    """`with serving(ThreadingHTTPServer(("127.0.0.1", 0), Handler), name=...) as port:`, stopped in `finally`."""
    thread = ServerThread(server, name=name).start()
    try:
        yield thread.port
    finally:
        thread.stop()
