"""Telemetry that keeps what it would send: events, dependencies and metrics, in lists."""

from __future__ import annotations

from transcriber.adapters.telemetry import NullTelemetry
from transcriber.adapters.telemetry.correlation import Correlation
from transcriber.adapters.telemetry.dependency import DependencyRecord
from transcriber.adapters.telemetry.events import MetricPoint


class RecordingTelemetry(NullTelemetry):
    enabled = True

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, dict[str, str]]] = []
        self.dependencies: list[DependencyRecord] = []
        self.metrics: list[MetricPoint] = []

    def _send_event(
        self, name: str, correlation: Correlation, dimensions: dict[str, str], measurements: dict[str, float]
    ) -> None:
        self.events.append((name, dimensions))

    def _send_dependency(self, record: DependencyRecord) -> None:
        self.dependencies.append(record)

    def _send_metric(self, point: MetricPoint) -> None:
        self.metrics.append(point)

    def event_names(self) -> list[str]:
        return [name for name, _ in self.events]
