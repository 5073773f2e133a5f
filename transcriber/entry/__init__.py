"""Entry points: the only layer that knows HTTP requests, queue messages and argv."""
