"""infra/ as a bank's security review reads it: every role and its scope, the network with
vnetEnabled on and off, caller authentication, erasure, retention and diagnostic settings."""

from __future__ import annotations

import re

import pytest

from devtools.dev.services import UPLOAD_CORS_HEADERS
from tests.deploy.app_settings import app_settings
from tests.deploy.bicep_tree import (
    INFRA,
    ROOT,
    Call,
    Conditional,
    Declaration,
    Expression,
    declarations,
    find,
)
from transcriber import config

# Microsoft's built-in role ids (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
BUILT_IN_ROLES = {
    "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "Storage Blob Delegator": "db58b8e5-c6ad-4a2a-8342-4190687cbf4a",
    "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
    "Storage Queue Data Reader": "19e7f393-937e-4f77-808e-94535e297925",
    "Storage Queue Data Message Processor": "8a0f0c08-91a1-4084-bc3d-661d67233fed",
    "Storage Queue Data Message Sender": "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a",
    "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
    "Storage Account Contributor": "17d1049b-9a84-46fb-8f53-869881c3d3ab",
    "Cognitive Services Speech User": "f2dc8367-1007-4938-bd23-fe263f013447",
    "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
}

AUDIO = "dataStorage::blobService::audio"
TRANSCRIPTS = "dataStorage::blobService::transcripts"
FAILURES = "dataStorage::blobService::failures"


def resources(path_name: str, prefix: str) -> dict[str, dict]:
    found = find(INFRA / path_name, "resource", prefix)
    return {d.name: body(d) for d in found}


def body(declaration: Declaration) -> dict:
    assert isinstance(declaration.body, dict), declaration.name
    return declaration.body


def one(path_name: str, prefix: str) -> dict:
    (found,) = resources(path_name, prefix).values()
    return found


def defaults(path_name: str = "main.bicep") -> dict[str, object]:
    return {d.name: d.body for d in declarations(INFRA / path_name) if d.kind == "parameter"}


def module(name: str) -> Declaration:
    return next(m for m in find(INFRA / "main.bicep", "module") if m.name == name)


def pick(value: object, flag: str, on: bool) -> object:
    """One branch of `flag ? a : b` (or the value itself when it is not conditional)."""
    if isinstance(value, Conditional):
        assert value.condition == flag, value
        return value.when_true if on else value.when_false
    return value


def condition(declaration: Declaration) -> str | None:
    """The `if (...)` of a declaration, without its parentheses."""
    text = declaration.condition
    return text[1:-1] if text and text.startswith("(") and text.endswith(")") else text


def grants(path_name: str = "app/rbac.bicep") -> dict[tuple[str, str, str], str | None]:
    """(principal, scope, role name) -> condition, for every role assignment in the file."""
    roles = {
        d.name: d.body
        for d in declarations(INFRA / path_name)
        if d.kind == "variable" and isinstance(d.body, str)
    }
    names = {role_id: name for name, role_id in BUILT_IN_ROLES.items()}
    result = {}
    for assignment in find(INFRA / path_name, "resource", "Microsoft.Authorization/roleAssignments@"):
        spec = body(assignment)
        role_id = roles[spec["properties"]["roleDefinitionId"].arguments[1].text]
        principal = spec["properties"]["principalId"].text
        result[(principal, spec["scope"].text, names[role_id])] = condition(assignment)
    return result


def test_role_variables_always_hold_microsofts_id_for_the_role_their_comment_names() -> None:
    for path_name in ("app/rbac.bicep", "app/eventgrid.bicep", "app/keyvault-access.bicep"):
        source = (INFRA / path_name).read_text(encoding="utf-8")
        for name, role_id, comment in re.findall(r"^var (\w+) = '([0-9a-f-]{36})' // ([^:]+):", source, re.M):
            assert BUILT_IN_ROLES[comment] == role_id, (path_name, name, comment)


def test_app_identity_gets_each_role_on_the_smallest_scope() -> None:
    app = {
        (scope, role): condition
        for (who, scope, role), condition in grants().items()
        if who == "appPrincipalId"
    }
    assert app == {
        # host account: AzureWebJobsStorage with an Event Grid blob trigger (Functions identity-connection
        # docs): no table role (Durable Functions'), the management role only when asked for
        ("hostStorage", "Storage Blob Data Owner"): None,
        ("hostStorage", "Storage Queue Data Contributor"): None,
        ("hostStorage", "Storage Account Contributor"): "hostAccountContributor",
        # data account: write audio (uploads SAS, job audio), transcripts, one queue each, delegation keys
        (AUDIO, "Storage Blob Data Contributor"): None,
        (TRANSCRIPTS, "Storage Blob Data Contributor"): None,
        (FAILURES, "Storage Blob Data Contributor"): None,
        ("dataStorage", "Storage Blob Delegator"): None,
        ("dataStorage::queueService::blobPoison", "Storage Queue Data Contributor"): None,
        ("dataStorage::queueService::erasure", "Storage Queue Data Reader"): None,
        ("dataStorage::queueService::erasure", "Storage Queue Data Message Processor"): None,
        ("dataStorage::queueService::erasurePoison", "Storage Queue Data Contributor"): None,
        # jobs: the HTTP functions enqueue, the queue trigger reads and processes, the host poisons
        ("dataStorage::queueService::jobs", "Storage Queue Data Message Sender"): None,
        ("dataStorage::queueService::jobs", "Storage Queue Data Reader"): None,
        ("dataStorage::queueService::jobs", "Storage Queue Data Message Processor"): None,
        ("dataStorage::queueService::jobsPoison", "Storage Queue Data Contributor"): None,
        # the optional completion queue: send only, on that one queue
        (
            "dataStorage::queueService::completion",
            "Storage Queue Data Message Sender",
        ): "completionQueueEnabled",
        # the audio budget: rows of that one table, while the budget is on
        ("dataStorage::tableService::budget", "Storage Table Data Contributor"): "!empty(budgetTableName)",
        ("speech", "Cognitive Services Speech User"): None,
        ("applicationInsights", "Monitoring Metrics Publisher"): None,
    }


def test_app_identity_never_holds_a_data_role_on_the_whole_data_account() -> None:
    on_account = {
        role for (who, scope, role) in grants() if who == "appPrincipalId" and scope == "dataStorage"
    }
    assert on_account == {"Storage Blob Delegator"}  # no data access of its own


def test_rbac_nested_scopes_always_name_the_containers_and_queues_main_bicep_creates() -> None:
    text = (INFRA / "app/rbac.bicep").read_text(encoding="utf-8")
    for child, param in (
        ("audio", "audioContainerName"),
        ("transcripts", "transcriptsContainerName"),
        ("failures", "failuresContainerName"),
        ("blobPoison", "blobPoisonQueueName"),
        ("erasure", "erasureQueueName"),
        ("erasurePoison", "erasurePoisonQueueName"),
        ("jobs", "jobsQueueName"),
        ("jobsPoison", "jobsPoisonQueueName"),
        ("completion", "completionQueueName"),
    ):
        assert re.search(rf"resource {child} '\w+' existing = {{\n\s+name: {param}\n", text), child
    params = body(module("rbac"))["params"]
    assert params["audioContainerName"] == Expression("audioContainerName")
    assert params["erasureQueueName"] == Expression("erasureQueueName")
    assert params["jobsQueueName"] == Expression("jobsQueueName")
    assert params["jobsPoisonQueueName"] == Expression("jobsPoisonQueueName")
    assert params["completionQueueName"] == Expression("completionQueueName")
    assert params["completionQueueEnabled"] == Expression("completionQueueEnabled")
    assert queue_names(completion=False) == [
        Expression("blobPoisonQueueName"),
        Expression("erasureQueueName"),
        Expression("erasurePoisonQueueName"),
        Expression("jobsQueueName"),
        Expression("jobsPoisonQueueName"),
    ]
    assert queue_names(completion=True)[-1] == Expression("completionQueueName")
    main_vars = {d.name: d.body for d in declarations(INFRA / "main.bicep") if d.kind == "variable"}
    assert main_vars["blobPoisonQueueName"] == "webjobs-blobtrigger-poison"  # the blob extension's name
    assert main_vars["jobsQueueName"] == "transcription-jobs"  # config.py default
    # the queue extension's poison queue is <queue>-poison
    assert main_vars["jobsPoisonQueueName"] == Expression("'${jobsQueueName}-poison'")


def queue_names(*, completion: bool) -> list[object]:
    """The data account's queues main.bicep creates, with completionQueueEnabled on or off."""
    names = body(module("storage"))["params"]["queueNames"]
    assert isinstance(names, Call) and names.function == "concat"
    return [name for part in names.arguments for name in pick(part, "completionQueueEnabled", completion)]


def test_completion_queue_is_off_by_default_and_when_on_is_created_set_and_send_only() -> None:
    assert defaults()["completionQueueEnabled"] is False
    assert defaults("app/rbac.bicep")["completionQueueEnabled"] is False
    main_vars = {d.name: d.body for d in declarations(INFRA / "main.bicep") if d.kind == "variable"}
    name = main_vars["completionQueueName"]
    assert Expression("completionQueueName") not in queue_names(completion=False)
    assert "COMPLETION_QUEUE" not in app_settings(user_assigned=False)
    on = app_settings(user_assigned=False, completionQueueEnabled=True)
    assert on["COMPLETION_QUEUE"] == name == "transcription-completions"
    assert config.Settings.from_environ(on).completion_queue == name  # the app accepts it
    completion = {
        role: cond for (who, scope, role), cond in grants().items() if scope.endswith("::completion")
    }
    assert completion == {"Storage Queue Data Message Sender": "completionQueueEnabled"}


def test_app_setting_names_the_jobs_queue_main_bicep_creates() -> None:
    settings = app_settings(user_assigned=False)
    assert settings["TRANSCRIPTION_JOBS_QUEUE"] == "transcription-jobs"


def test_deployer_data_access_is_opt_in_and_limited_to_the_two_containers() -> None:
    assert defaults()["deployerDataAccess"] is False
    assert defaults("app/rbac.bicep")["deployerDataAccess"] is False
    deployer = {(s, r): c for (who, s, r), c in grants().items() if who == "deployerPrincipalId"}
    assert deployer == {
        (AUDIO, "Storage Blob Data Contributor"): "grantDeployer",
        (TRANSCRIPTS, "Storage Blob Data Reader"): "grantDeployer",
        (FAILURES, "Storage Blob Data Reader"): "grantDeployer",
        ("speech", "Cognitive Services Speech User"): "grantDeployer",
    }
    rbac_vars = {d.name: d.body for d in declarations(INFRA / "app/rbac.bicep") if d.kind == "variable"}
    assert rbac_vars["grantDeployer"] == Expression("deployerDataAccess && !empty(deployerPrincipalId)")
    assert body(module("rbac"))["params"]["deployerDataAccess"] == Expression("deployerDataAccess")


def test_host_account_management_role_is_opt_in_and_no_host_table_role_or_endpoint_exists() -> None:
    assert defaults()["hostAccountContributor"] is False
    assert defaults("app/rbac.bicep")["hostAccountContributor"] is False
    assert body(module("rbac"))["params"]["hostAccountContributor"] == Expression("hostAccountContributor")
    on_host = {role for (_, scope, role) in grants() if scope == "hostStorage"}
    assert "Storage Table Data Contributor" not in on_host
    for user_assigned in (False, True):
        settings = app_settings(user_assigned=user_assigned)
        assert not [name for name in settings if name.startswith("AzureWebJobsStorage__table")]


def test_host_state_and_package_live_in_an_account_apart_from_the_data() -> None:
    data, host = body(module("storage"))["params"], body(module("hostStorage"))["params"]
    assert data["name"] != host["name"]
    assert host["containerNames"] == [Expression("deploymentContainerName")]
    function = body(module("functionApp"))["params"]
    for endpoint in ("storageBlobEndpoint", "storageQueueEndpoint"):
        assert function[endpoint].text.startswith("hostStorage.outputs."), endpoint
    settings = app_settings(user_assigned=False)
    assert settings["AzureWebJobsStorage__blobServiceUri"].startswith("https://sthost")
    assert settings["AudioStorage__blobServiceUri"].startswith("https://stexample.")


def test_event_grid_role_lets_the_topic_only_add_messages_to_the_erasure_queue() -> None:
    assert grants("app/eventgrid.bicep") == {
        (
            "systemTopic.identity.principalId",
            "storage::queueService::erasure",
            "Storage Queue Data Message Sender",
        ): None
    }


def test_blob_deleted_subscription_queues_audio_deletions_with_the_topic_identity() -> None:
    subscription = one("app/eventgrid.bicep", "Microsoft.EventGrid/systemTopics/eventSubscriptions@")
    properties = subscription["properties"]
    assert properties["filter"] == {
        "includedEventTypes": ["Microsoft.Storage.BlobDeleted"],
        "subjectBeginsWith": Expression("'/blobServices/default/containers/${audioContainerName}/blobs/'"),
    }
    delivery = properties["deliveryWithResourceIdentity"]
    assert delivery["identity"] == {"type": "SystemAssigned"}
    assert delivery["destination"]["endpointType"] == "StorageQueue"
    assert delivery["destination"]["properties"]["resourceId"] == Expression("storage.id")
    assert delivery["destination"]["properties"]["queueName"] == Expression("erasureQueueName")
    assert properties["eventDeliverySchema"] == "EventGridSchema"
    assert subscription["dependsOn"] == [Expression("topicQueueSender")]
    assert app_settings(user_assigned=False)[config.ERASURE_QUEUE] == "blob-deleted"


@pytest.mark.parametrize("vnet", [True, False], ids=["vnet", "public"])
def test_storage_firewall_with_vnet_denies_all_but_private_endpoints_and_trusted_services(vnet: bool) -> None:
    storage = one("app/storage.bicep", "Microsoft.Storage/storageAccounts@")["properties"]
    acls = storage["networkAcls"]
    assert pick(acls["defaultAction"], "vnetEnabled", vnet) == ("Deny" if vnet else "Allow")
    assert acls["bypass"] == "AzureServices"
    access = storage["publicNetworkAccess"]
    assert isinstance(access, Conditional) and access.condition == "vnetEnabled && disablePublicNetworkAccess"
    assert body(module("hostStorage"))["params"]["disablePublicNetworkAccess"] is True
    assert body(module("storage"))["params"]["vnetEnabled"] == Expression("vnetEnabled")
    assert body(module("hostStorage"))["params"]["vnetEnabled"] == Expression("vnetEnabled")


@pytest.mark.parametrize("vnet", [True, False], ids=["vnet", "public"])
def test_speech_with_vnet_is_reachable_only_privately(vnet: bool) -> None:
    speech = one("app/speech.bicep", "Microsoft.CognitiveServices/accounts@")["properties"]
    assert pick(speech["publicNetworkAccess"], "vnetEnabled", vnet) == ("Disabled" if vnet else "Enabled")
    assert pick(speech["networkAcls"]["defaultAction"], "vnetEnabled", vnet) == ("Deny" if vnet else "Allow")
    assert body(module("speech"))["params"]["vnetEnabled"] == Expression("vnetEnabled")


@pytest.mark.parametrize("vnet", [True, False], ids=["vnet", "public"])
def test_speech_with_vnet_gets_audio_bytes_never_a_sas_url(vnet: bool) -> None:
    settings = app_settings(user_assigned=False, vnetEnabled=vnet)
    parsed = config.Settings.from_environ(settings)
    assert parsed.url_enabled is (not vnet)


def test_vnet_is_on_by_default_as_in_microsofts_quickstart() -> None:
    assert defaults()["vnetEnabled"] is True
    given = (INFRA / "main.parameters.json").read_text(encoding="utf-8")
    assert '"${VNET_ENABLED=true}"' in given
    assert condition(module("network")) == "vnetEnabled"


def test_private_endpoints_cover_storage_speech_and_key_vault_and_no_host_table() -> None:
    main_vars = {d.name: d.body for d in declarations(INFRA / "main.bicep") if d.kind == "variable"}
    endpoints = {(e["target"].text, e["groupId"], e["zone"]) for e in main_vars["privateEndpoints"]}
    assert endpoints == {
        ("storage.outputs.id", "blob", "blob"),
        ("storage.outputs.id", "queue", "queue"),
        ("storage.outputs.id", "table", "table"),
        ("hostStorage.outputs.id", "blob", "blob"),
        ("hostStorage.outputs.id", "queue", "queue"),
        ("speech.outputs.id", "account", "speech"),
        ("keyVault.outputs.id", "vault", "keyVault"),
    }
    source = (INFRA / "main.bicep").read_text(encoding="utf-8")
    assert "for endpoint in (vnetEnabled ? privateEndpoints : []):" in source
    zones = {d.name: d.body for d in declarations(INFRA / "app/network.bicep") if d.kind == "variable"}[
        "dnsZones"
    ]
    assert [z["key"] for z in zones] == ["blob", "queue", "table", "speech", "keyVault"]
    assert zones[3]["name"] == "privatelink.cognitiveservices.azure.com"
    assert zones[4]["name"] == "privatelink.vaultcore.azure.net"
    outputs = [d.name for d in declarations(INFRA / "app/network.bicep") if d.kind == "output"]
    assert {f"{z['key']}DnsZoneId" for z in zones} <= set(outputs)


def test_function_app_with_vnet_routes_outbound_through_the_delegated_subnet() -> None:
    site = one("app/function.bicep", "Microsoft.Web/sites@")["properties"]
    assert site["virtualNetworkSubnetId"] == Conditional(
        "!empty(virtualNetworkSubnetId)", Expression("virtualNetworkSubnetId"), None
    )
    assert body(module("functionApp"))["params"]["virtualNetworkSubnetId"] == Conditional(
        "vnetEnabled", Expression("network.outputs.appSubnetId"), ""
    )
    vnet = one("app/network.bicep", "Microsoft.Network/virtualNetworks@")["properties"]
    app_subnet = next(s for s in vnet["subnets"] if s["name"] == Expression("appSubnetName"))
    assert (
        app_subnet["properties"]["delegations"][0]["properties"]["serviceName"]
        == "Microsoft.App/environments"
    )


def test_auth_settings_require_entra_id_and_spare_only_health_the_blob_webhook_and_the_page() -> None:
    (auth,) = [
        d
        for d in find(INFRA / "app/function.bicep", "resource", "Microsoft.Web/sites/config@")
        if body(d)["name"] == "authsettingsV2"
    ]
    assert condition(auth) == "authEnabled"
    properties = body(auth)["properties"]
    assert properties["platform"] == {"enabled": True}
    assert properties["globalValidation"] == {
        "requireAuthentication": True,
        "unauthenticatedClientAction": "Return401",
        "excludedPaths": Call(
            "concat", [["/api/health", "/runtime/webhooks/blobs"], Expression("pagePaths")]
        ),
    }
    # the page's files exactly (they hold no data; the API calls it makes need the session)
    (page_paths,) = [d for d in declarations(INFRA / "app/function.bicep") if d.name == "pagePaths"]
    web = ROOT / "transcriber" / "web"
    assert page_paths.body == [
        "/",
        "/config.json",
        *sorted(f"/{f.name}" for f in web.iterdir() if f.is_file()),
    ]
    aad = properties["identityProviders"]["azureActiveDirectory"]
    assert aad["enabled"] is True
    assert aad["registration"]["clientId"] == Expression("authClientId")
    assert aad["registration"]["openIdIssuer"] == Expression(
        "'${environment().authentication.loginEndpoint}${authTenantId}/v2.0'"
    )
    assert aad["validation"]["allowedAudiences"] == Expression("audiences")
    assert properties["httpSettings"] == {"requireHttps": True}
    assert defaults()["authEnabled"] is False


@pytest.mark.parametrize("auth", [True, False], ids=["entra", "key"])
def test_auth_setting_matches_the_platform_authentication(auth: bool) -> None:
    settings = config.Settings.from_environ(app_settings(user_assigned=False, authEnabled=auth))
    assert settings.caller_auth.mode == ("entra" if auth else "function")
    assert settings.caller_auth.app_role == ("Transcribe.Invoke" if auth else None)
    assert settings.caller_auth.admin_role == ("Transcribe.Admin" if auth else None)


def test_diagnostic_settings_send_every_resource_to_log_analytics() -> None:
    settings = resources("app/diagnostics.bicep", "Microsoft.Insights/diagnosticSettings@")
    scopes = {spec["scope"].text: spec["properties"] for spec in settings.values()}
    assert set(scopes) == {
        "dataStorage",
        "dataStorage::blobService",
        "dataStorage::queueService",
        "hostStorage::blobService",
        "speech",
        "site",
        "systemTopic",
        "vault",
    }
    assert all(p["workspaceId"] == Expression("workspaceId") for p in scopes.values())
    logged = {scope for scope, p in scopes.items() if p.get("logs") == Expression("allLogs")}
    assert logged == set(scopes) - {"dataStorage"}  # the account itself takes metrics only
    variables = {
        d.name: d.body for d in declarations(INFRA / "app/diagnostics.bicep") if d.kind == "variable"
    }
    assert variables["allLogs"] == [{"categoryGroup": "allLogs", "enabled": True}]
    params = body(module("diagnostics"))["params"]
    assert params["workspaceId"] == Expression("monitoring.outputs.logAnalyticsId")
    assert params["functionAppName"] == Expression("functionApp.outputs.name")
    assert params["systemTopicName"] == Expression("eventGrid.outputs.name")


def storage_variables() -> dict[str, object]:
    return {d.name: d.body for d in declarations(INFRA / "app/storage.bicep") if d.kind == "variable"}


def test_retention_is_optional_and_deletes_audio_and_transcripts_after_the_days_given() -> None:
    assert defaults()["retentionDays"] == 0
    (policy,) = find(
        INFRA / "app/storage.bicep", "resource", "Microsoft.Storage/storageAccounts/managementPolicies@"
    )
    assert condition(policy) == "!empty(concat(retentionRules, jobsRules, claimRules))"
    assert body(policy)["properties"]["policy"]["rules"] == Call(
        "concat", [Expression("retentionRules"), Expression("jobsRules"), Expression("claimRules")]
    )
    variables = storage_variables()
    assert variables["retentionRules"] == Conditional(
        "retentionDays > 0 && !empty(retentionContainerNames)", [Expression("retentionRule")], []
    )
    rule = variables["retentionRule"]
    assert rule["definition"]["filters"]["prefixMatch"] == Expression("retentionPrefixes")
    assert rule["definition"]["actions"]["baseBlob"] == {
        "delete": {"daysAfterModificationGreaterThan": Expression("retentionDays")}
    }
    assert body(module("storage"))["params"]["retentionContainerNames"] == [
        Expression("audioContainerName"),
        Expression("transcriptsContainerName"),
        Expression("failuresContainerName"),
    ]
    assert "retentionDays" not in body(module("hostStorage"))["params"]


def test_claims_go_after_days_and_never_sooner_than_the_app_trusts_a_new_claim() -> None:
    from transcriber.flows.claims import FRESH_VERSION_WINDOW

    variables = storage_variables()
    assert variables["claimRules"] == Conditional(
        "empty(claimsContainerName)", [], [Expression("claimsRule")]
    )
    rule = variables["claimsRule"]
    assert rule["definition"]["filters"]["prefixMatch"] == [Expression("'${claimsContainerName}/claims/'")]
    assert rule["definition"]["actions"] == {
        "baseBlob": {"delete": {"daysAfterModificationGreaterThan": Expression("claimRetentionDays")}}
    }
    claim_days = next(d for d in declarations(INFRA / "app/storage.bicep") if d.name == "claimRetentionDays")
    assert "@minValue(2)" in claim_days.decorators and claim_days.body == 7
    retention_days = next(d for d in declarations(INFRA / "main.bicep") if d.name == "retentionDays")
    assert "@minValue(0)" in retention_days.decorators  # 0 is never; otherwise at least 1 day
    assert FRESH_VERSION_WINDOW.total_seconds() <= 12 * 3600
    assert body(module("storage"))["params"]["claimsContainerName"] == Expression("failuresContainerName")
    assert "claimsContainerName" not in body(module("hostStorage"))["params"]


def test_blob_names_stay_out_of_telemetry_unless_a_parameter_allows_them() -> None:
    assert defaults()["telemetryIncludeBlobNames"] is False
    parsed = config.Settings.from_environ(app_settings(user_assigned=False))
    assert parsed.privacy.include_blob_names is False and parsed.privacy.name_key
    assert config.Settings.from_environ(app_settings(user_assigned=False)).sas_lifetime_minutes <= 60


def test_job_records_outputs_and_leftover_audio_expire_after_job_retention_days() -> None:
    """Jobs live 30 days by default (transcriber/flows/jobs/outcome.py removes job audio at once)."""
    assert defaults()["jobRetentionDays"] == 30
    assert defaults("app/storage.bicep")["jobRetentionDays"] == 0  # nothing unless main asks
    variables = storage_variables()
    assert variables["jobsRules"] == Conditional(
        "jobRetentionDays > 0 && !empty(jobRetentionPrefixes)", [Expression("jobsRule")], []
    )
    rule = variables["jobsRule"]
    assert rule["definition"]["filters"]["prefixMatch"] == Expression("jobRetentionPrefixes")
    assert rule["definition"]["actions"]["baseBlob"] == {
        "delete": {"daysAfterModificationGreaterThan": Expression("jobRetentionDays")}
    }
    params = body(module("storage"))["params"]
    assert params["jobRetentionDays"] == Expression("jobRetentionDays")
    # the app's own names: job audio, job outputs, job records, their failure records
    from transcriber.domain.names import failure_name, job_audio_name, job_record_name
    from transcriber.domain.owners import grant_name, owner_prefix

    audio = job_audio_name("0" * 32)
    names = {
        "audioContainerName": audio,
        "transcriptsContainerName": f"{audio}.json",
        "failuresContainerName": (
            job_record_name("0" * 32),
            failure_name(audio),
            owner_prefix("key"),
            owner_prefix(None),
            grant_name("uploads/a.wav"),
        ),
    }
    prefixes = [p.text.strip("'") for p in params["jobRetentionPrefixes"]]
    for container, found in names.items():
        for name in found if isinstance(found, tuple) else (found,):
            assert any(
                p.startswith(f"${{{container}}}/") and name.startswith(p.split("/", 1)[1]) for p in prefixes
            ), (container, name)
    assert "jobRetentionDays" not in body(module("hostStorage"))["params"]


@pytest.mark.parametrize("vnet", [True, False], ids=["vnet", "public"])
def test_page_uploads_straight_to_storage_only_from_the_apps_origin_and_only_without_a_closed_firewall(
    vnet: bool,
) -> None:
    """The data account's CORS rule lets the page's origin PUT with the upload's headers, the same
    rule make dev puts on Azurite; with vnetEnabled the page sends files through the app."""
    blob_service = one("app/storage.bicep", "Microsoft.Storage/storageAccounts/blobServices@")
    rules = blob_service["properties"]["cors"]["corsRules"]
    assert isinstance(rules, Conditional) and rules.condition == "empty(corsAllowedOrigins)"
    assert rules.when_true == []
    (rule,) = rules.when_false
    assert rule["allowedOrigins"] == Expression("corsAllowedOrigins")
    assert rule["allowedMethods"] == ["PUT"]
    assert rule["allowedHeaders"] == UPLOAD_CORS_HEADERS
    assert defaults("app/storage.bicep")["corsAllowedOrigins"] == []
    origins = body(module("storage"))["params"]["corsAllowedOrigins"]
    assert isinstance(origins, Conditional) and origins.condition == "pageDirectUploads"
    assert origins.when_true == Call(
        "concat",
        [[Expression("'https://${functionAppName}.${appServiceDomain}'")], Expression("pageOrigins")],
    )
    assert origins.when_false == []
    assert defaults()["pageDirectUploads"] == Expression("!vnetEnabled")
    settings = config.Settings.from_environ(app_settings(user_assigned=False, vnetEnabled=vnet))
    assert settings.page_direct_uploads is not vnet
