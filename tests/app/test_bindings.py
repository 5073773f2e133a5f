"""What Microsoft's runtime reports when it indexes function_app, against what the app declares."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from devtools.functions_host import FunctionsHost
from tests.fixtures.functions import APP_FUNCTIONS
from transcriber.entry.http.routes import API_ROUTES

ROOT = Path(__file__).resolve().parents[2]


def _declared_bindings() -> dict[str, list[dict]]:
    """What function_app declares, read by azure-functions alone in a fresh process (an app
    object can be indexed once, and the runtime has indexed this process's)."""
    script = (
        "import json, os, function_app\n"
        "print(json.dumps({f.get_function_name(): [json.loads(b) for b in f.get_raw_bindings()]\n"
        "                  for f in function_app.app.get_functions()}))\n"
    )
    env = {"PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.splitlines()[-1])


def test_bindings_runtime_metadata_matches_what_the_app_declares(functions_host: FunctionsHost) -> None:
    declared = _declared_bindings()
    assert set(functions_host.functions) == set(declared) == APP_FUNCTIONS
    for name, bindings in declared.items():
        runtime = functions_host.bindings(name)
        # The runtime adds one thing: the deferred-binding flag on the SDK-typed parameter.
        assert [{k: v for k, v in b.items() if k != "properties"} for b in runtime] == bindings, name
        flagged = [b["name"] for b in runtime if b.get("properties") == {"SupportsDeferredBinding": True}]
        assert flagged == (["blob"] if name == "transcribe_blob" else []), name
        metadata = functions_host.functions[name].metadata
        assert (metadata.language, metadata.script_file, metadata.entry_point) == (
            "python",
            "function_app.py",
            name,
        )
        assert metadata.properties["worker_indexed"] == "True"
        assert {binding["name"] for binding in bindings} == set(metadata.bindings)


def test_bindings_blob_trigger_is_sdk_type_with_deferred_binding(functions_host: FunctionsHost) -> None:
    (binding,) = functions_host.bindings("transcribe_blob")
    assert binding == {
        "direction": "IN",
        "type": "blobTrigger",
        "name": "blob",
        "path": "audio-in/{name}",
        "connection": "AudioStorage",
        "source": "EventGrid",
        "properties": {"SupportsDeferredBinding": True},
    }


def test_bindings_http_transcribe_post_with_function_key(functions_host: FunctionsHost) -> None:
    trigger, output = functions_host.bindings("transcribe")
    assert trigger == {
        "direction": "IN",
        "type": "httpTrigger",
        "name": "req",
        "methods": ["POST"],
        "authLevel": "FUNCTION",
        "route": "api/transcribe",
    }
    assert output == {"direction": "OUT", "type": "http", "name": "$return"}


def test_bindings_health_is_anonymous_get(functions_host: FunctionsHost) -> None:
    trigger, _ = functions_host.bindings("health")
    assert (trigger["route"], trigger["methods"], trigger["authLevel"]) == (
        "api/health",
        ["GET"],
        "ANONYMOUS",
    )


def test_bindings_deep_health_needs_a_function_key(functions_host: FunctionsHost) -> None:
    trigger, _ = functions_host.bindings("health_deep")
    assert (trigger["route"], trigger["methods"], trigger["authLevel"]) == (
        "api/health/deep",
        ["GET"],
        "FUNCTION",
    )


def test_bindings_api_routes_table_is_every_routes_methods_and_the_rest_falls_to_api_unrouted(
    functions_host: FunctionsHost,
) -> None:
    declared: dict[str, set[str]] = {}
    for name in functions_host.functions:
        for binding in functions_host.bindings(name):
            if binding["type"] == "httpTrigger" and name not in ("page", "api_unrouted"):
                declared.setdefault(binding["route"], set()).update(binding["methods"])
    assert {route: set(methods) for route, methods in API_ROUTES.items()} == declared
    trigger, _ = functions_host.bindings("api_unrouted")
    assert (trigger["route"], trigger["authLevel"]) == ("api/{*path}", "ANONYMOUS")
    every = {method for methods in declared.values() for method in methods}
    assert every < set(trigger["methods"])  # any method any route lacks reaches it


def test_import_with_invalid_trigger_source_logs_the_setting_without_traceback() -> None:
    script = "import function_app; print(len(function_app.app.get_functions()))"
    env = {
        **os.environ,
        "AZURE_SPEECH_ENDPOINT": "https://contoso.cognitiveservices.azure.com",
        "AudioStorage": "UseDevelopmentStorage=true",
        "BLOB_TRIGGER_SOURCE": "Polling",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=ROOT)
    # every function, the jobs functions and erase_transcripts included
    assert done.returncode == 0 and done.stdout.strip() == str(len(APP_FUNCTIONS))
    assert "Traceback" not in done.stderr and "BLOB_TRIGGER_SOURCE" in done.stderr


def test_bindings_source_and_container_come_from_settings_at_import() -> None:
    env = {
        "BLOB_TRIGGER_SOURCE": "LogsAndContainerScan",
        "AUDIO_CONTAINER": "recordings",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-m", "devtools.functions_host", str(ROOT)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    (binding,) = json.loads(out.stdout)["transcribe_blob"]
    assert binding["source"] == "LogsAndContainerScan"
    assert binding["path"] == "recordings/{name}"


def test_import_function_app_loads_none_of_the_cores_sdks() -> None:
    # The SDK-type binding's annotation must exist at indexing, so the extension (with
    # azure-storage-blob and azure-identity) is imported; the core's SDKs wait for first use.
    script = (
        "import sys, function_app\n"
        "heavy = ('azure.ai.transcription', 'opencensus', 'opentelemetry', 'multipart', 'transcriber.services')\n"
        "print([m for m in sys.modules if m.startswith(heavy)])\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
