"""The unit tier's guard: a test that reaches for the network fails."""

from __future__ import annotations

import socket

import pytest

from tests.unit.conftest import SocketUsedError


def test_a_connection_fails_the_test() -> None:
    with socket.socket() as client, pytest.raises(SocketUsedError):
        client.connect(("127.0.0.1", 9))


def test_listening_fails_the_test() -> None:
    with socket.socket() as listener, pytest.raises(SocketUsedError):
        listener.bind(("127.0.0.1", 0))
