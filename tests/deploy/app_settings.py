"""The app settings infra/ gives the Function App, as the app would see them in Azure.

Settings are read from the Bicep syntax tree (main.bicep's `appSettings` and function.bicep's
`hostSettings`); a computed value (an endpoint from another module, a parameter) is replaced
by a realistic stand-in, so tests can feed the result to the app's own settings parser.
"""

from __future__ import annotations

from tests.deploy.bicep_tree import INFRA, Call, Conditional, Expression, declarations

CLIENT_ID = "00000000-0000-0000-0000-0000000000c1"

# What each computed value becomes in Azure (deployment-time values stood in for).
STAND_INS = {
    "storage.outputs.blobEndpoint": "https://stexample.blob.core.windows.net/",
    "storage.outputs.queueEndpoint": "https://stexample.queue.core.windows.net/",
    "storage.outputs.tableEndpoint": "https://stexample.table.core.windows.net/",
    "storageBlobEndpoint": "https://sthostexample.blob.core.windows.net/",
    "storageQueueEndpoint": "https://sthostexample.queue.core.windows.net/",
    # Key Vault references: the app sees the secrets' values (48 bytes in hex, as main.bicep makes them)
    "keyVault.outputs.nameKeyReference": "3f1c2a9e00004000800000000000beef" * 3,
    "keyVault.outputs.callbackSecretReference": "9b7e1d2c00004000800000000000cafe" * 3,
    "speech.outputs.endpoint": "https://spch-example.cognitiveservices.azure.com",
    "applicationInsightsConnectionString": (
        "InstrumentationKey=00000000-0000-0000-0000-000000000000;"
        "IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/"
    ),
    "userAssignedClientId": CLIENT_ID,
    "userAssignedIdentityClientId": CLIENT_ID,
    "'Authorization=AAD;ClientId=${userAssignedIdentityClientId}'": f"Authorization=AAD;ClientId={CLIENT_ID}",
}


def variable(path_name: str, name: str) -> object:
    """The value of `var name` in infra/<path_name>."""
    for declaration in declarations(INFRA / path_name):
        if declaration.kind == "variable" and declaration.name == name:
            return declaration.body
    raise KeyError(f"{path_name} declares no var {name}")


def parameter_defaults(path_name: str) -> dict[str, object]:
    return {d.name: d.body for d in declarations(INFRA / path_name) if d.kind == "parameter"}


def resolve(
    value: object, *, user_assigned: bool, scope: str, flags: dict[str, bool] | None = None
) -> object:
    """Evaluate the small subset of Bicep the settings use: literals, union(), ?:, names.

    `flags` gives the boolean parameters a `?:` may test (vnetEnabled, authEnabled, ...).
    """
    conditions = {"useUserAssignedIdentity": user_assigned, "useUserAssigned": user_assigned, **(flags or {})}
    again = {"user_assigned": user_assigned, "flags": flags}
    if isinstance(value, dict):
        return {key: resolve(item, scope=scope, **again) for key, item in value.items()}
    if isinstance(value, Conditional):
        if value.condition not in conditions:
            raise ValueError(f"unexpected condition {value.condition!r} in {scope}")
        branch = value.when_true if conditions[value.condition] else value.when_false
        return resolve(branch, scope=scope, **again)
    if isinstance(value, Call) and value.function == "string" and len(value.arguments) == 1:
        return str(resolve(value.arguments[0], scope=scope, **again))
    if isinstance(value, Call) and value.function == "union":
        merged: dict[str, object] = {}
        for argument in value.arguments:
            resolved = resolve(argument, scope=scope, **again)
            if not isinstance(resolved, dict):
                raise TypeError(f"union() argument {argument!r} in {scope} is not an object")
            merged.update(resolved)
        return merged
    if isinstance(value, Expression):
        if value.text in STAND_INS:
            return STAND_INS[value.text]
        if value.text == "extraAppSettings":
            return {}
        defaults = parameter_defaults(scope)
        if value.text in defaults and defaults[value.text] is not None:
            return defaults[value.text]
        for path_name in ("main.bicep", "app/function.bicep"):
            for declaration in declarations(INFRA / path_name):
                if declaration.kind == "variable" and declaration.name == value.text:
                    return resolve(declaration.body, scope=path_name, **again)
        raise KeyError(f"no stand-in for {value.text!r} ({scope}): add one to STAND_INS")
    return value


DEFAULT_FLAGS = {
    "vnetEnabled": True,
    "authEnabled": False,
    "telemetryIncludeBlobNames": False,
    "completionQueueEnabled": False,
}


def app_settings(*, user_assigned: bool, **flags: bool) -> dict[str, str]:
    """Every app setting the deployed Function App gets, host's and app's.

    `flags` overrides main.bicep's boolean parameters (defaults: DEFAULT_FLAGS, main.bicep's own).
    """
    chosen = {**DEFAULT_FLAGS, **flags}
    chosen.setdefault("pageDirectUploads", not chosen["vnetEnabled"])  # main.bicep: !vnetEnabled
    host = resolve(
        variable("app/function.bicep", "hostSettings"),
        user_assigned=user_assigned,
        scope="app/function.bicep",
        flags=chosen,
    )
    app = resolve(
        variable("main.bicep", "appSettings"), user_assigned=user_assigned, scope="main.bicep", flags=chosen
    )
    assert isinstance(host, dict) and isinstance(app, dict)
    merged = {**host, **app}
    return {key: str(item) for key, item in merged.items()}
