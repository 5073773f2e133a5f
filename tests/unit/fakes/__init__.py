"""In-memory stand-ins for the service's clients, passed to TranscriptionService as they are."""

from tests.unit.fakes.blob_store import FakeBlobStore, StoredBlob
from tests.unit.fakes.budget_table import FakeBudgetTable
from tests.unit.fakes.faults import Fault, FaultPlan
from tests.unit.fakes.queues import FakeJobQueue
from tests.unit.fakes.speech import FakeSpeech, SpeechRequest, canned_result
from tests.unit.fakes.telemetry import RecordingTelemetry

__all__ = [
    "FakeBlobStore",
    "FakeBudgetTable",
    "FakeJobQueue",
    "FakeSpeech",
    "Fault",
    "FaultPlan",
    "RecordingTelemetry",
    "SpeechRequest",
    "StoredBlob",
    "canned_result",
]
