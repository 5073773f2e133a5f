"""host.json, infra's JSON files and azure.yaml: well-formed, and consistent with the Bicep."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.deploy.app_settings import app_settings
from tests.deploy.bicep_tree import INFRA, ROOT, declarations
from transcriber import config
from transcriber.flows.outcomes import HOLDER_SHARE

JSON_FILES = [ROOT / "host.json", INFRA / "main.parameters.json", INFRA / "abbreviations.json"]


def seconds(timespan: str) -> int:
    hours, minutes, secs = (int(part) for part in timespan.split(":"))
    return hours * 3600 + minutes * 60 + secs


@pytest.mark.parametrize("path", JSON_FILES, ids=lambda p: p.name)
def test_json_file_when_loaded_parses_to_an_object(path: Path) -> None:
    assert isinstance(json.loads(path.read_text(encoding="utf-8")), dict)


def test_host_json_always_uses_v2_schema_and_bundle_4(host_json: dict) -> None:
    assert host_json["version"] == "2.0"
    assert host_json["extensionBundle"] == {
        "id": "Microsoft.Azure.Functions.ExtensionBundle",
        "version": "[4.*, 5.0.0)",
    }


def test_host_json_function_timeout_outlasts_the_speech_call(host_json: dict) -> None:
    speech_timeout = config.Settings.from_environ(app_settings(user_assigned=False)).speech.timeout_seconds
    timeout = seconds(host_json["functionTimeout"])
    assert speech_timeout < timeout <= 60 * 60


def test_a_claims_holder_ends_its_speech_call_inside_the_claim_inside_the_function_timeout(
    host_json: dict,
) -> None:
    """No invocation outlives its claim (then a second worker could take a live version over),
    and none is killed while its claim still looks live (then its version waits a claim timeout)."""
    settings = config.Settings.from_environ(app_settings(user_assigned=False))
    holder_deadline = min(settings.speech.timeout_seconds, HOLDER_SHARE * settings.claim_timeout_seconds)
    assert holder_deadline < settings.claim_timeout_seconds <= seconds(host_json["functionTimeout"])


def test_host_json_polls_queues_often_enough_for_deferred_work(host_json: dict) -> None:
    """A deferred version's message turns visible at its time; an idle queue is polled at most
    maxPollingInterval later (default one minute): short, so a backlog drains at the quota's pace."""
    assert seconds(host_json["extensions"]["queues"]["maxPollingInterval"]) <= 5


def test_host_json_blob_settings_are_the_extension_5_keys(host_json: dict) -> None:
    blobs = host_json["extensions"]["blobs"]
    assert set(blobs) == {"maxDegreeOfParallelism", "poisonBlobThreshold"}
    assert all(isinstance(v, int) and v >= 1 for v in blobs.values())
    assert blobs["poisonBlobThreshold"] == 5


# The Functions host refuses larger HTTP bodies unless FUNCTIONS_REQUEST_BODY_SIZE_LIMIT is raised.
HOST_BODY_LIMIT_BYTES = 100 * 1000 * 1000


def test_host_json_caps_concurrent_http_requests_within_the_audio_memory_budget(host_json: dict) -> None:
    """Every HTTP body is charged to AUDIO_MEMORY_BYTES; this many of the largest the host lets in
    fit it, so blob downloads can always make progress (Microsoft's host.json reference for
    Functions 2.x+, extensions.http: unbounded on dedicated plans unless set)."""
    limit = host_json["extensions"]["http"]["maxConcurrentRequests"]
    budget = config.Settings.from_environ(app_settings(user_assigned=False)).audio_memory_bytes
    assert isinstance(limit, int) and limit >= 1
    assert limit * HOST_BODY_LIMIT_BYTES <= budget
    assert "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT" not in app_settings(user_assigned=False)


def test_host_json_has_no_retry_policy_the_blob_trigger_would_ignore(host_json: dict) -> None:
    """Runtime retry policies cover Timer, Event Hubs, Kafka and Cosmos DB triggers only; blob
    triggers retry through the extension (poisonBlobThreshold), so a `retry` here would mislead."""
    assert "retry" not in host_json


def test_host_json_logging_never_samples_away_requests_events_or_exceptions(host_json: dict) -> None:
    logging = host_json["logging"]
    assert {"default", "Host.Results", "Function", "Host.Aggregator"} <= set(logging["logLevel"])
    sampling = logging["applicationInsights"]["samplingSettings"]
    assert {"Request", "Event", "Exception"} <= set(sampling["excludedTypes"].split(";"))


LEVELS = ["Trace", "Debug", "Information", "Warning", "Error", "Critical", "None"]


def blob_triggered_functions() -> list[str]:
    """The functions function_app.py declares with a blob trigger (the host names the blob in their
    trigger reason), read from the source so no app object is indexed twice."""
    source = (ROOT / "function_app.py").read_text(encoding="utf-8")
    blocks = re.split(r'^@app\.function_name\("', source, flags=re.M)[1:]
    return [block.split('"', 1)[0] for block in blocks if "@app.blob_trigger(" in block.split("\ndef ", 1)[0]]


def test_host_json_sends_no_host_request_row_or_host_dependency(host_json: dict) -> None:
    """Host.Results writes the requests table, each row with the trigger reason (a blob's name) and
    an HTTP call's URL (a job's id): none leaves the app. The app's own events, metrics and
    dependencies (its own exporter) and Host.Aggregator's counts stay."""
    logging = host_json["logging"]
    assert logging["logLevel"]["Host.Results"] == "None"
    assert LEVELS.index(logging["logLevel"]["Host.Aggregator"]) <= LEVELS.index("Information")
    assert logging["applicationInsights"]["enableDependencyTracking"] is False


def test_host_json_keeps_the_hosts_lines_about_blob_triggered_functions_to_warnings(host_json: dict) -> None:
    levels = host_json["logging"]["logLevel"]
    functions = blob_triggered_functions()
    assert functions == ["transcribe_blob"]
    for name in functions:
        assert LEVELS.index(levels[f"Function.{name}"]) >= LEVELS.index("Warning"), name
        assert levels[f"Function.{name}.User"] == "Information", name  # the app's own lines (keyed ids)
    assert LEVELS.index(levels["Host.Triggers.Blob"]) >= LEVELS.index("Warning")


def test_main_parameters_when_read_by_azd_set_only_declared_params() -> None:
    params = {d.name: d.body for d in declarations(INFRA / "main.bicep") if d.kind == "parameter"}
    given = json.loads((INFRA / "main.parameters.json").read_text(encoding="utf-8"))["parameters"]
    assert set(given) <= set(params)
    assert {name for name, default in params.items() if default is None} <= set(given)
    assert given["environmentName"]["value"] == "${AZURE_ENV_NAME}"
    assert given["location"]["value"] == "${AZURE_LOCATION}"


def test_abbreviations_always_cover_every_prefix_main_bicep_uses() -> None:
    abbreviations = json.loads((INFRA / "abbreviations.json").read_text(encoding="utf-8"))
    used = set(re.findall(r"\babbrs\.(\w+)", (INFRA / "main.bicep").read_text(encoding="utf-8")))
    assert used and used <= set(abbreviations)


def test_azure_yaml_deploys_the_root_as_the_api_function_service() -> None:
    text = (ROOT / "azure.yaml").read_text(encoding="utf-8")
    assert re.search(
        r"^services:\n  api:\n    project: \.\n    language: python\n    host: function$", text, re.M
    )
    assert re.search(r"^infra:\n  provider: bicep\n  path: infra\n  module: main$", text, re.M)


def test_azure_yaml_hooks_run_scripts_that_exist() -> None:
    text = (ROOT / "azure.yaml").read_text(encoding="utf-8")
    scripts = re.findall(r"run: \./(\S+)", text)
    assert sorted(scripts) == ["infra/hooks/postdeploy.ps1", "infra/hooks/postdeploy.sh"]
    assert all((ROOT / s).is_file() for s in scripts)
    assert os.access(ROOT / "infra/hooks/postdeploy.sh", os.X_OK), "azd runs the POSIX hook directly"
