"""Telemetry that keeps what it would send: events, dependencies and metrics, in lists."""

from __future__ import annotations

from transcriber.telemetry import NullTelemetry
from transcriber.telemetry.correlation import Correlation
from transcriber.telemetry.dependency import DependencyRecord
from transcriber.telemetry.events import MetricPoint


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
