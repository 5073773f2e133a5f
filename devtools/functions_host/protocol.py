"""The protocol's message classes, compiled from functions_rpc.proto on first use.

The runtime builds every reply from the module it is handed as `properties["protos"]`, as the
host's proxy worker hands it the classes generated from the public protocol. Ours come from our
own .proto, compiled with grpcio-tools into a git-ignored cache keyed by the file's hash, so a
fresh clone needs no generated code checked in. The Makefile's set-up calls `load_protos()` once
to compile ahead of time.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import sys
import tempfile
from importlib import resources
from pathlib import Path
from types import ModuleType

PROTO = Path(__file__).with_name("functions_rpc.proto")
CACHE = Path(
    os.environ.get("FUNCTIONS_HOST_CACHE", Path(__file__).resolve().parents[2] / ".cache" / "functions_host")
)
MODULE = "functions_rpc_pb2"


class ProtocolError(RuntimeError):
    """The .proto could not be compiled."""


def _compile(target: Path) -> None:
    from grpc_tools import protoc

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent.parent) as out:
        includes = str(resources.files("grpc_tools") / "_proto")
        args = ["protoc", f"-I{PROTO.parent}", f"-I{includes}", f"--python_out={out}", str(PROTO)]
        if protoc.main(args) != 0:
            raise ProtocolError(f"grpc_tools.protoc could not compile {PROTO}")
        os.replace(Path(out) / f"{MODULE}.py", target)  # atomic: parallel first uses are safe


@functools.cache
def load_protos() -> ModuleType:
    """The compiled message classes (StreamingMessage, TypedData, RpcHttp, ...)."""
    digest = hashlib.sha256(PROTO.read_bytes()).hexdigest()[:16]
    target = CACHE / digest / f"{MODULE}.py"
    if not target.exists():
        _compile(target)
    spec = importlib.util.spec_from_file_location(MODULE, target)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE] = module
    spec.loader.exec_module(module)
    return module
