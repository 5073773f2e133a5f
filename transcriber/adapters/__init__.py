"""The outside world: Blob Storage, queues, identity, Speech fast and batch, callbacks, telemetry.

Each adapter wraps one SDK or protocol and translates its errors into `transcriber.domain.errors`.
"""
