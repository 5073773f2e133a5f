"""Transcription jobs: asynchronous HTTP (`/api/transcriptions`), run from a Storage queue.

- `records`: the job record (`jobs/<id>.json` in the failures container, a prefix no blob name
  reaches) and its status: queued, running, succeeded, failed;
- `queue`: the jobs queue (Azure Storage queue, Azurite locally);
- `api`: POST /api/transcriptions (202 + Location) and GET /api/transcriptions/{id};
- `runner`: the queue-triggered run, through `transcriber.pipeline` (same claims and invariant).
"""
