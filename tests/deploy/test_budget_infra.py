"""infra/ for issue #24's cost guard: the audio budget's table, setting and role, and the Function
App's access restrictions (Event Grid's service tag plus caller ranges)."""

from __future__ import annotations

from tests.deploy.app_settings import app_settings
from tests.deploy.bicep_tree import INFRA, Call, Conditional, Expression
from tests.deploy.test_security_infra import body, defaults, module, one
from transcriber.config import Settings
from transcriber.domain.setting_names import AUDIO_BUDGET, AUDIO_BUDGET_TABLE

ACCESS_RESTRICTIONS_DOC = "https://learn.microsoft.com/azure/app-service/overview-access-restrictions"


def test_budget_is_on_by_default_with_a_table_the_app_settings_name() -> None:
    assert defaults()["audioBudgetMinutesPerDay"] == 1440
    settings = app_settings(user_assigned=False)
    assert settings[AUDIO_BUDGET] == "1440" and settings[AUDIO_BUDGET_TABLE] == "audiobudget"
    assert settings["AudioStorage__tableServiceUri"] == "https://stexample.table.core.windows.net/"
    parsed = Settings.from_environ(settings)
    assert parsed.budget.seconds_per_day == 1440 * 60
    assert parsed.storage.table_url == "https://stexample.table.core.windows.net"


def test_budget_table_is_created_on_the_data_account_only_while_the_budget_is_on() -> None:
    params = body(module("storage"))["params"]
    assert params["tableNames"] == Conditional(
        "audioBudgetMinutesPerDay > 0", [Expression("budgetTableName")], []
    )
    assert body(module("rbac"))["params"]["budgetTableName"] == Conditional(
        "audioBudgetMinutesPerDay > 0", Expression("budgetTableName"), ""
    )
    assert "tableNames" not in body(module("hostStorage"))["params"]


def test_function_app_access_restrictions_allow_event_grid_and_the_caller_ranges_only() -> None:
    config = one("app/function.bicep", "Microsoft.Web/sites@")["properties"]["siteConfig"]
    assert config["ipSecurityRestrictionsDefaultAction"] == Conditional(
        "empty(allowedCallerIpRanges)", "Allow", "Deny"
    )
    rules = config["ipSecurityRestrictions"]
    assert isinstance(rules, Conditional) and rules.when_true == []
    assert isinstance(rules.when_false, Call) and rules.when_false.function == "concat"
    [event_grid], callers = rules.when_false.arguments
    assert event_grid["tag"] == "ServiceTag" and event_grid["ipAddress"] == "AzureEventGrid"
    assert event_grid["action"] == "Allow"
    assert isinstance(callers, Call) and callers.function == "map"
    assert "allowedCallerIpRanges[i]" in str(callers.arguments)
    assert body(module("functionApp"))["params"]["allowedCallerIpRanges"] == Expression(
        "allowedCallerIpRanges"
    )
    assert defaults()["allowedCallerIpRanges"] == []  # open unless ranges are given
    assert ACCESS_RESTRICTIONS_DOC in (INFRA / "app/function.bicep").read_text(encoding="utf-8")
