"""Local services for tests, tools and benchmarks: ports the OS assigns, child processes that answer
before they are used (their output in the failure), in-process servers; all stopped in `finally`."""

from devtools.local_services.in_process import ServerThread, UvicornThread, serving
from devtools.local_services.ports import LOOPBACK, free_port, free_ports, listening_socket, port_of
from devtools.local_services.processes import ChildService, ServiceError, answers_http, answers_tcp

__all__ = [
    "LOOPBACK",
    "ChildService",
    "ServerThread",
    "ServiceError",
    "UvicornThread",
    "answers_http",
    "answers_tcp",
    "free_port",
    "free_ports",
    "listening_socket",
    "port_of",
    "serving",
]
