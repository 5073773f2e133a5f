"""infra/ keeps the app's two keys in a Key Vault: made once with at least 32 random bytes, kept
across deployments, read by the app alone (a role per secret) through Key Vault references,
privately with vnetEnabled."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.deploy.bicep_tree import INFRA, Conditional, Expression, declarations, find
from tests.deploy.test_security_infra import body, condition, defaults, grants, module, one
from transcriber.config.values import random_key

SECRETS = {"callbackSecret": "callback-signing-secret", "nameKeySecret": "telemetry-name-key"}


def vault() -> dict:
    return one("app/keyvault.bicep", "Microsoft.KeyVault/vaults@")


def outputs(path_name: str) -> dict[str, object]:
    return {d.name: d.body for d in declarations(INFRA / path_name) if d.kind == "output"}


def test_vault_authorizes_by_rbac_only_and_keeps_deleted_secrets() -> None:
    properties = vault()["properties"]
    assert properties["enableRbacAuthorization"] is True and "accessPolicies" not in properties
    assert properties["enableSoftDelete"] is True and properties["softDeleteRetentionInDays"] >= 7
    assert properties["sku"] == {"family": "A", "name": "standard"}


@pytest.mark.parametrize("vnet", [True, False])
def test_vault_firewall_with_vnet_denies_all_but_its_private_endpoint_and_trusted_services(
    vnet: bool,
) -> None:
    acls = vault()["properties"]["networkAcls"]
    default = acls["defaultAction"]
    assert isinstance(default, Conditional) and default.condition == "vnetEnabled"
    assert (default.when_true if vnet else default.when_false) == ("Deny" if vnet else "Allow")
    assert acls["bypass"] == "AzureServices"
    main_vars = {d.name: d.body for d in declarations(INFRA / "main.bicep") if d.kind == "variable"}
    endpoint = next(e for e in main_vars["privateEndpoints"] if e["key"] == "vault")
    assert (endpoint["target"], endpoint["groupId"]) == (Expression("keyVault.outputs.id"), "vault")
    params = body(module("keyVault"))["params"]
    assert params["vnetEnabled"] == Expression("vnetEnabled")


def test_each_secret_is_written_only_when_the_vault_has_none_of_its_name() -> None:
    secrets = {
        d.name: d
        for d in find(INFRA / "app/keyvault.bicep", "resource", "Microsoft.KeyVault/vaults/secrets@")
    }
    assert set(secrets) == set(SECRETS)
    values = {"callbackSecret": "callbackSigningSecret", "nameKeySecret": "telemetryNameKey"}
    variables = {d.name: d.body for d in declarations(INFRA / "app/keyvault.bicep") if d.kind == "variable"}
    for symbol, secret in secrets.items():
        assert "@onlyIfNotExists()" in secret.decorators, symbol  # a redeploy keeps the key
        spec = body(secret)
        assert spec["parent"] == Expression("vault")
        assert variables[spec["name"].text] == SECRETS[symbol]
        assert spec["properties"]["value"] == Expression(values[symbol])
    keyvault_params = {d.name: d for d in declarations(INFRA / "app/keyvault.bicep") if d.kind == "parameter"}
    assert all("@secure()" in keyvault_params[name].decorators for name in values.values())


THREE_GUIDS = "'${replace(newGuid(), '-', '')}${replace(newGuid(), '-', '')}${replace(newGuid(), '-', '')}'"


@pytest.mark.parametrize("name", ["callbackSigningSecret", "telemetryNameKey"])
def test_key_parameters_default_to_three_guids_in_hex_which_the_app_accepts(name: str) -> None:
    parameter = next(d for d in declarations(INFRA / "main.bicep") if d.name == name)
    assert "@secure()" in parameter.decorators and parameter.body == Expression(THREE_GUIDS)
    made = "".join(uuid.uuid4().hex for _ in range(3))  # what the default evaluates to
    setting = {"callbackSigningSecret": "CALLBACK_SIGNING_SECRET", "telemetryNameKey": "TELEMETRY_NAME_KEY"}[
        name
    ]
    assert random_key({setting: made}, setting) == made and len(bytes.fromhex(made)) == 48
    assert body(module("keyVault"))["params"][name] == Expression(name)


def test_app_settings_are_versionless_key_vault_references() -> None:
    found = outputs("app/keyvault.bicep")
    for output, symbol in (
        ("callbackSecretReference", "callbackSecret"),
        ("nameKeyReference", "nameKeySecret"),
    ):
        assert found[output] == Expression(
            f"'@Microsoft.KeyVault(SecretUri=${{vault.properties.vaultUri}}secrets/${{{symbol}.name}})'"
        )
    source = (INFRA / "main.bicep").read_text(encoding="utf-8")
    assert re.search(r"^\s+TELEMETRY_NAME_KEY: keyVault\.outputs\.nameKeyReference$", source, re.M)
    assert re.search(
        r"^\s+CALLBACK_SIGNING_SECRET: keyVault\.outputs\.callbackSecretReference$", source, re.M
    )
    assert "newGuid" not in re.sub(r"^(param |\s*//).*$", "", source, flags=re.M)  # only in the two defaults
    assert outputs("main.bicep")["AZURE_KEY_VAULT_NAME"] == Expression("keyVault.outputs.name")


def test_key_vault_references_resolve_with_the_identity_the_app_runs_as() -> None:
    site = one("app/function.bicep", "Microsoft.Web/sites@")["properties"]
    assert site["keyVaultReferenceIdentity"] == Conditional(
        "useUserAssigned", Expression("userAssignedIdentityId"), "SystemAssigned"
    )


def test_app_identity_alone_reads_each_secret_with_a_role_on_that_secret() -> None:
    assert grants("app/keyvault-access.bicep") == {
        ("appPrincipalId", "callbackSecret", "Key Vault Secrets User"): None,
        ("appPrincipalId", "nameKeySecret", "Key Vault Secrets User"): None,
    }
    existing = {
        d.name: body(d) for d in find(INFRA / "app/keyvault-access.bicep", "resource", "Microsoft.KeyVault/")
    }
    assert existing["callbackSecret"]["name"] == Expression("callbackSecretName")
    assert existing["nameKeySecret"]["name"] == Expression("nameKeySecretName")
    params = body(module("keyVaultAccess"))["params"]
    assert params["appPrincipalId"] == Expression(
        "useUserAssignedIdentity ? userIdentity.outputs.principalId : functionApp.outputs.systemAssignedPrincipalId"
    )
    assert params["callbackSecretName"] == Expression("keyVault.outputs.callbackSecretName")
    assert condition(module("keyVaultAccess")) is None
    assert "keyVaultVaults" in (INFRA / "abbreviations.json").read_text(encoding="utf-8")
    assert defaults("app/keyvault-access.bicep")["appPrincipalId"] is None  # required
