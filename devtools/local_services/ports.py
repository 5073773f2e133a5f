"""Loopback ports the OS assigns: a listening socket whose port is known at once, or bare numbers."""

from __future__ import annotations

import socket

__all__ = ["LOOPBACK", "free_port", "free_ports", "listening_socket", "port_of"]

LOOPBACK = "127.0.0.1"


def listening_socket(host: str = LOOPBACK, port: int = 0, backlog: int = 128) -> socket.socket:
    """Bound and listening (port 0: OS-assigned), so the port is reserved before a server runs on it;
    clients that connect early wait in the backlog. Raises `OSError` when the port is taken."""
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only when the
    # listening socket says so, and without it keep-alive replies wait 40 ms (Nagle + delayed ACK).
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock


def port_of(sock: socket.socket) -> int:
    """The port a bound socket got."""
    return int(sock.getsockname()[1])


def free_ports(count: int, host: str = LOOPBACK) -> list[int]:
    """`count` distinct ports the OS assigned a moment ago, for a child process that must be told
    its ports (another process may take one first: prefer `listening_socket` in-process)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((host, 0))
        return [port_of(sock) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def free_port(host: str = LOOPBACK) -> int:
    """One port as `free_ports` gives them (nothing listens there: connecting is refused)."""
    return free_ports(1, host)[0]
