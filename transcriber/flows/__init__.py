"""The use cases: a blob to transcribe, a job, a batch step, an erasure, an upload, a status.

Each flow takes the process's `TranscriptionService` and domain values; none knows HTTP or queues.
"""
