"""infra/hooks/postdeploy.*: the Event Grid subscription that feeds the blob trigger.

The POSIX hook runs here against a stand-in `az` that records its arguments (no Azure CLI can
be installed on these machines); the PowerShell twin, which needs pwsh, is checked as text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.bicep_tree import INFRA, Declaration, declarations

HOOK = INFRA / "hooks" / "postdeploy.sh"
PS_HOOK = INFRA / "hooks" / "postdeploy.ps1"
KEY = "blobs-extension-key-123"

FAKE_AZ = f"""#!/bin/sh
printf '%s\\n' "$@" >> "$AZ_LOG"
printf '%s\\n' '--end--' >> "$AZ_LOG"
case "$1 $2 $3" in
  "functionapp keys list") [ -n "${{FAKE_NO_KEY:-}}" ] || echo "{KEY}" ;;
  "functionapp show "*) echo "func-x.azurewebsites.net" ;;
esac
exit 0
"""

pytestmark = pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")


def run_hook(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], list[list[str]]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, script in (("az", FAKE_AZ), ("curl", "#!/bin/sh\nexit 0\n")):
        (bin_dir / name).write_text(script)
        (bin_dir / name).chmod(0o755)
    log = tmp_path / "az.log"
    log.touch()
    environment = {"PATH": f"{bin_dir}:/usr/bin:/bin", "AZ_LOG": str(log), **env}
    done = subprocess.run(["sh", str(HOOK)], env=environment, capture_output=True, text=True, timeout=60)
    calls = [call.strip("\n").split("\n") for call in log.read_text().split("--end--\n") if call.strip()]
    return done, calls


def outputs() -> dict[str, Declaration]:
    return {d.name: d for d in declarations(INFRA / "main.bicep") if d.kind == "output"}


DEPLOYED = {
    "AZURE_RESOURCE_GROUP": "rg-x",
    "AZURE_FUNCTION_APP_NAME": "func-x",
    "AZURE_EVENTGRID_SYSTEM_TOPIC_NAME": "egst-x",
}


def test_postdeploy_hook_with_deployed_app_subscribes_blob_created_in_audio_in(tmp_path: Path) -> None:
    done, calls = run_hook(tmp_path, **DEPLOYED)
    assert done.returncode == 0, done.stderr
    create = next(c for c in calls if c[:4] == ["eventgrid", "system-topic", "event-subscription", "create"])
    options = dict(zip(create[4::2], create[5::2], strict=False))
    assert options == {
        "--name": "evgs-transcribe-blob",
        "--resource-group": "rg-x",
        "--system-topic-name": "egst-x",
        "--endpoint-type": "webhook",
        "--endpoint": "https://func-x.azurewebsites.net/runtime/webhooks/blobs"
        f"?functionName=Host.Functions.transcribe_blob&code={KEY}",
        "--included-event-types": "Microsoft.Storage.BlobCreated",
        "--subject-begins-with": "/blobServices/default/containers/audio-in/blobs/",
        "--output": "none",
    }
    assert KEY not in done.stdout + done.stderr


def test_postdeploy_hook_with_custom_names_uses_them(tmp_path: Path) -> None:
    env = {
        **DEPLOYED,
        "AUDIO_CONTAINER": "calls",
        "AZURE_BLOB_TRIGGER_FUNCTION_NAME": "other_fn",
        "AZURE_FUNCTION_APP_HOSTNAME": "func-x-abc.westeurope-01.azurewebsites.net",
    }
    done, calls = run_hook(tmp_path, **env)
    assert done.returncode == 0, done.stderr
    assert not [c for c in calls if c[:2] == ["functionapp", "show"]]
    create = calls[-1]
    assert (
        "https://func-x-abc.westeurope-01.azurewebsites.net/runtime/webhooks/blobs"
        in create[create.index("--endpoint") + 1]
    )
    assert "functionName=Host.Functions.other_fn&" in create[create.index("--endpoint") + 1]
    assert (
        create[create.index("--subject-begins-with") + 1] == "/blobServices/default/containers/calls/blobs/"
    )


def test_postdeploy_hook_without_blobs_extension_key_fails_with_a_hint(tmp_path: Path) -> None:
    done, calls = run_hook(tmp_path, **DEPLOYED, FAKE_NO_KEY="1", KEY_WAIT_ATTEMPTS="1")
    assert done.returncode == 1
    assert "blobs_extension" in done.stderr
    assert not [c for c in calls if c[0] == "eventgrid"]


def test_postdeploy_hook_without_outputs_names_the_missing_setting(tmp_path: Path) -> None:
    done, calls = run_hook(tmp_path, AZURE_FUNCTION_APP_NAME="func-x")
    assert done.returncode != 0
    assert "AZURE_RESOURCE_GROUP" in done.stderr
    assert calls == []


@pytest.mark.parametrize("hook", [HOOK, PS_HOOK], ids=["sh", "ps1"])
def test_postdeploy_hooks_read_only_settings_main_bicep_outputs(hook: Path) -> None:
    text = hook.read_text(encoding="utf-8")
    read = set(re.findall(r"\$\{?(?:env:)?(AZURE_\w+|AUDIO_CONTAINER)", text)) - {
        "AZURE_FUNCTION_APP_HOSTNAME"
    }
    assert read and read <= set(outputs()) | {"AZURE_FUNCTION_APP_HOSTNAME"}
    assert "AZURE_FUNCTION_APP_HOSTNAME" in outputs()


def test_powershell_hook_always_makes_the_same_subscription() -> None:
    text = PS_HOOK.read_text(encoding="utf-8")
    assert "systemKeys.blobs_extension" in text
    assert "/runtime/webhooks/blobs?functionName=Host.Functions.$functionName&code=$key" in text
    assert re.search(r"--included-event-types Microsoft\.Storage\.BlobCreated", text)
    assert '$subject = "/blobServices/default/containers/$container/blobs/"' in text
    assert "--endpoint-type webhook" in text
    assert "'audio-in'" in text and "'transcribe_blob'" in text and "'evgs-transcribe-blob'" in text


def test_main_bicep_defaults_always_match_the_hooks() -> None:
    defaults = {d.name: d.body for d in declarations(INFRA / "main.bicep") if d.kind == "parameter"}
    assert defaults["blobTriggerFunctionName"] == "transcribe_blob"
    assert defaults["audioContainerName"] == "audio-in"
    assert (
        "replace(blobTriggerFunctionName, '_', '-')"
        in outputs()["AZURE_EVENTGRID_SUBSCRIPTION_NAME"].body.text
    )
