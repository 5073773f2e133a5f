"""A stand-in Speech endpoint that answers every transcription with one fixed body, in its own
process: `python -m bench.canned_speech BODY_FILE` prints `endpoint: http://127.0.0.1:PORT`.

Only for measuring what the app does with a long result (bench_loop_stall): the Speech emulator
transcribes the audio it is sent, and an hour of audio would cost the bench an hour of decoding.
A request without an `audio` part (the deep health check, the warm-up's start-up check) gets the
service's 422, as the real endpoint answers it; keep-alive as the service does.
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REFUSED = b'{"code":"UnprocessableEntity","message":"no audio","innerError":{"code":"EmptyAudioFile"}}'


def serve(body: bytes) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            request = self._read_body()
            answer, status = (body, 200) if b'name="audio"' in request else (REFUSED, 422)
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def _read_body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                parts = []
                while size := int(self.rfile.readline().split(b";")[0], 16):
                    parts.append(self.rfile.read(size))
                    self.rfile.readline()
                self.rfile.readline()
                return b"".join(parts)
            return self.rfile.read(int(self.headers.get("Content-Length", "0")))

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"endpoint: http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve(Path(sys.argv[1]).read_bytes())
