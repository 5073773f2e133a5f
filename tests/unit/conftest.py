"""The unit tier: no sockets. Any connect or bind fails the test that tried it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.unit.builders import World, build


class SocketUsedError(AssertionError):
    """A unit test reached for the network."""


def _refuse(self: socket.socket, *args: Any) -> None:
    raise SocketUsedError(f"unit tests open no sockets: {self.family.name} to {args}")


@pytest.fixture(autouse=True)
def _no_sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for method in ("connect", "connect_ex", "bind"):
        monkeypatch.setattr(socket.socket, method, _refuse)
    yield


@pytest.fixture
def world() -> World:
    return build()
