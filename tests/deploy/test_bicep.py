"""infra/*.bicep: it parses, and the properties that keep the deployment keyless are in place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.deploy.bicep_tree import (
    INFRA,
    ROOT,
    Call,
    Conditional,
    Declaration,
    Expression,
    bicep_files,
    declarations,
    find,
    parse,
    syntax_errors,
)

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def only(path_name: str, kind: str, target_prefix: str) -> Declaration:
    found = find(INFRA / path_name, kind, target_prefix)
    assert len(found) == 1, f"{path_name}: expected one {kind} {target_prefix}, found {len(found)}"
    return found[0]


def body(declaration: Declaration) -> dict:
    assert isinstance(declaration.body, dict), f"{declaration.name} has no literal body"
    return declaration.body


def main_defaults() -> dict[str, object]:
    return {d.name: d.body for d in declarations(INFRA / "main.bicep") if d.kind == "parameter"}


@pytest.mark.parametrize("path", bicep_files(), ids=lambda p: p.relative_to(INFRA).as_posix())
def test_bicep_file_when_parsed_has_no_syntax_errors(path: Path) -> None:
    assert syntax_errors(parse(path)) == []


# Microsoft.Insights/diagnosticSettings has no stable version newer than 2016-09-01, which lacks
# categoryGroup; Microsoft's Bicep reference and Azure Verified Modules use this one.
PREVIEW_ONLY = {"Microsoft.Insights/diagnosticSettings@2021-05-01-preview"}


def test_bicep_resources_always_name_a_stable_api_version() -> None:
    for path in bicep_files():
        for resource in find(path, "resource"):
            if resource.target in PREVIEW_ONLY:
                continue
            assert re.fullmatch(r"[\w.]+(/\w+)+@\d{4}-\d{2}-\d{2}", resource.target), (
                path.name,
                resource.target,
            )


def test_storage_account_by_default_accepts_only_entra_id_over_tls12() -> None:
    properties = body(only("app/storage.bicep", "resource", "Microsoft.Storage/storageAccounts@"))[
        "properties"
    ]
    assert properties["allowSharedKeyAccess"] is False
    assert properties["allowBlobPublicAccess"] is False
    assert properties["minimumTlsVersion"] == "TLS1_2"
    assert properties["supportsHttpsTrafficOnly"] is True


def test_storage_containers_by_default_include_audio_in_and_transcripts() -> None:
    containers = find(
        INFRA / "app/storage.bicep", "resource", "Microsoft.Storage/storageAccounts/blobServices/containers@"
    )
    assert len(containers) == 1
    assert body(containers[0])["properties"]["publicAccess"] == "None"
    loop = parse(INFRA / "app/storage.bicep").root_node.text.decode()
    assert "for containerName in containerNames:" in loop
    data = next(m for m in find(INFRA / "main.bicep", "module") if m.name == "storage")
    assert body(data)["params"]["containerNames"] == [
        Expression("audioContainerName"),
        Expression("transcriptsContainerName"),
        Expression("failuresContainerName"),
    ]
    defaults = main_defaults()
    containers = ("audioContainerName", "transcriptsContainerName", "failuresContainerName")
    assert tuple(defaults[name] for name in containers) == (
        "audio-in",
        "transcripts",
        "transcription-failures",
    )


def test_speech_account_by_default_has_custom_subdomain_and_no_keys() -> None:
    speech = body(only("app/speech.bicep", "resource", "Microsoft.CognitiveServices/accounts@"))
    assert speech["kind"] == "SpeechServices"
    assert speech["properties"]["disableLocalAuth"] is True
    assert speech["properties"]["customSubDomainName"] == Expression("name")
    output = next(d for d in find(INFRA / "app/speech.bicep", "output") if d.name == "endpoint")
    assert output.body == Expression(
        "'https://${speech.properties.customSubDomainName}.cognitiveservices.azure.com'"
    )


def test_application_insights_by_default_refuses_local_auth() -> None:
    component = body(only("app/monitoring.bicep", "resource", "Microsoft.Insights/components@"))
    assert component["properties"]["DisableLocalAuth"] is True
    assert component["properties"]["WorkspaceResourceId"] == Expression("logAnalytics.id")


def test_function_app_on_flex_consumption_runs_python_from_an_identity_deployment() -> None:
    plan = body(only("app/function.bicep", "resource", "Microsoft.Web/serverfarms@"))
    assert plan["sku"] == {"name": "FC1", "tier": "FlexConsumption"}
    assert plan["properties"]["reserved"] is True
    site = body(only("app/function.bicep", "resource", "Microsoft.Web/sites@"))
    assert site["kind"] == "functionapp,linux"
    assert site["properties"]["httpsOnly"] is True
    config = site["properties"]["functionAppConfig"]
    assert config["runtime"] == {"name": "python", "version": Expression("pythonVersion")}
    assert main_defaults()["pythonVersion"] == "3.13"
    storage = config["deployment"]["storage"]
    assert storage["type"] == "blobContainer"
    assert storage["authentication"] == Expression("deploymentAuthentication")
    auth = next(
        d.body for d in declarations(INFRA / "app/function.bicep") if d.name == "deploymentAuthentication"
    )
    assert isinstance(auth, Conditional)
    assert auth.when_true["type"] == "UserAssignedIdentity"
    assert auth.when_false == {"type": "SystemAssignedIdentity"}
    assert set(config["scaleAndConcurrency"]) == {"instanceMemoryMB", "maximumInstanceCount"}


def test_function_app_always_has_system_identity_and_azd_service_tag() -> None:
    site = body(only("app/function.bicep", "resource", "Microsoft.Web/sites@"))
    identity_type = site["identity"]["type"]
    assert isinstance(identity_type, Conditional)
    assert {identity_type.when_true, identity_type.when_false} == {
        "SystemAssigned, UserAssigned",
        "SystemAssigned",
    }
    assert site["tags"] == Call(
        "union", [Expression("tags"), {"azd-service-name": Expression("serviceName")}]
    )
    functions = only("main.bicep", "module", "app/function.bicep")
    assert body(functions)["params"]["serviceName"] == "api"


def test_function_app_by_default_disables_publishing_passwords() -> None:
    policies = find(
        INFRA / "app/function.bicep", "resource", "Microsoft.Web/sites/basicPublishingCredentialsPolicies@"
    )
    assert sorted(body(p)["name"] for p in policies) == ["ftp", "scm"]
    assert all(body(p)["properties"] == {"allow": False} for p in policies)


def test_role_assignments_always_have_guid_names_and_commented_builtin_roles() -> None:
    for path in (
        INFRA / "app/rbac.bicep",
        INFRA / "app/eventgrid.bicep",
        INFRA / "app/keyvault-access.bicep",
    ):
        roles = {
            d.name: d.body for d in declarations(path) if d.kind == "variable" and isinstance(d.body, str)
        }
        source = path.read_text(encoding="utf-8")
        for name, role_id in roles.items():
            assert GUID.match(role_id), name
            assert re.search(rf"^var {name} = '{role_id}' // \S", source, re.MULTILINE), (
                f"{name} needs a comment"
            )
        for assignment in find(path, "resource", "Microsoft.Authorization/roleAssignments@"):
            spec = body(assignment)
            assert isinstance(spec["name"], Call) and spec["name"].function == "guid", assignment.name
            definition = spec["properties"]["roleDefinitionId"]
            assert definition.function == "subscriptionResourceId"
            assert definition.arguments[1].text in roles, assignment.name
            assert spec["properties"]["principalType"] in (
                "ServicePrincipal",
                Expression("deployerPrincipalType"),
            )


def test_event_grid_system_topic_always_watches_the_data_account() -> None:
    topic = body(only("app/eventgrid.bicep", "resource", "Microsoft.EventGrid/systemTopics@"))
    assert topic["properties"] == {
        "source": Expression("storage.id"),
        "topicType": "Microsoft.Storage.StorageAccounts",
    }
    assert topic["identity"] == {"type": "SystemAssigned"}
    module = body(only("main.bicep", "module", "app/eventgrid.bicep"))
    assert module["params"]["storageAccountName"] == Expression("storage.outputs.name")


def test_modules_when_called_pass_declared_params_and_every_required_one() -> None:
    for path in bicep_files():
        for module in find(path, "module"):
            target = (path.parent / module.target).resolve()
            params = {d.name: d.body for d in declarations(target) if d.kind == "parameter"}
            passed = set(body(module)["params"])
            assert passed <= set(params), f"{module.name}: unknown params {passed - set(params)}"
            required = {name for name, default in params.items() if default is None}
            assert required <= passed, f"{module.name}: missing params {required - passed}"


def test_module_outputs_when_referenced_are_declared() -> None:
    for path in bicep_files():
        modules = {m.name: (path.parent / m.target).resolve() for m in find(path, "module")}
        for symbol, output in re.findall(r"\b(\w+)\.outputs\.(\w+)", path.read_text(encoding="utf-8")):
            assert symbol in modules, f"{path.name}: {symbol} is not a module"
            declared = {d.name for d in declarations(modules[symbol]) if d.kind == "output"}
            assert output in declared, f"{path.name}: {symbol}.outputs.{output} is not declared"


def test_infra_files_never_contain_keys_or_connection_strings() -> None:
    forbidden = re.compile(
        r"AccountKey\s*=|SharedAccessSignature|DefaultEndpointsProtocol|InstrumentationKey\s*=|[?&]sig="
        r"|listKeys\(|AZURE_SPEECH_API_KEY|UseDevelopmentStorage",
        re.IGNORECASE,
    )
    paths = [*INFRA.rglob("*"), ROOT / "azure.yaml", ROOT / "host.json"]
    for path in paths:
        if path.is_file():
            match = forbidden.search(path.read_text(encoding="utf-8"))
            assert match is None, f"{path.relative_to(ROOT)}: {match.group(0) if match else ''}"
