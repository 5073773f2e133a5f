"""devtools.local_services: ports the OS assigns, child services that fail with their output, servers stopped."""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from devtools.local_services import (
    LOOPBACK,
    ChildService,
    ServiceError,
    answers_http,
    answers_tcp,
    free_port,
    free_ports,
    listening_socket,
    port_of,
    serving,
)

ROOT = Path(__file__).resolve().parents[2]


def python(code: str, name: str = "child") -> ChildService:
    return ChildService(name, [sys.executable, "-u", "-c", code], cwd=ROOT)


def test_free_ports_are_distinct_and_refuse_connections() -> None:
    ports = free_ports(5)
    assert len(set(ports)) == 5 and all(port > 0 for port in ports)
    assert not answers_tcp(LOOPBACK, free_port())


def test_listening_socket_reports_its_port_and_accepts_before_serving() -> None:
    with listening_socket() as sock:
        assert answers_tcp(LOOPBACK, port_of(sock))  # held in the backlog


def test_child_service_exiting_early_fails_with_its_output() -> None:
    with (
        python("print('no such config'); raise SystemExit(3)", "broken") as child,
        pytest.raises(ServiceError, match=r"broken exited with code 3:\nno such config"),
    ):
        child.wait_until(lambda: False, timeout=30)


def test_child_service_not_ready_in_time_fails_with_its_output() -> None:
    with (
        python("import time; print('starting', flush=True); time.sleep(60)", "slow") as child,
        pytest.raises(ServiceError, match=r"slow not ready after 0 s:\nstarting"),
    ):
        child.wait_for_output("starting", timeout=30)
        child.wait_until(lambda: False, timeout=0.2)
    assert child.pid is None  # stopped on leaving the block


def test_child_service_reports_what_it_printed_even_after_exiting() -> None:
    with python("print('endpoint: http://127.0.0.1:1234')") as child:
        found = child.wait_for_output(r"endpoint: (\S+)", timeout=30)
        assert found.group(1) == "http://127.0.0.1:1234"
        assert child.process.wait(10) == 0


class _Teapot(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(418)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def test_serving_answers_on_the_reported_port_and_releases_it() -> None:
    with serving(ThreadingHTTPServer((LOOPBACK, 0), _Teapot), name="teapot") as port:
        assert answers_http(f"http://{LOOPBACK}:{port}/")  # any status is an answer
    assert not answers_tcp(LOOPBACK, port)
