"""The audio budget's settings: minutes of audio per caller per day, and the table that counts them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from transcriber.config.storage_connection import StorageConnection
from transcriber.config.values import get, integer
from transcriber.domain.errors import SettingError
from transcriber.domain.setting_names import AUDIO_BUDGET, AUDIO_BUDGET_TABLE

# At most 100 hours a day per caller: beyond that the setting is a typo or "no limit" (0).
MAX_MINUTES_PER_DAY = 100 * 24 * 60
DEFAULT_TABLE = "audiobudget"


@dataclass(frozen=True)
class BudgetSettings:
    """`minutes_per_day` 0: no budget, and no table is read or written."""

    minutes_per_day: int = 0
    table: str = DEFAULT_TABLE

    @property
    def enabled(self) -> bool:
        return self.minutes_per_day > 0

    @property
    def seconds_per_day(self) -> int:
        return self.minutes_per_day * 60


def read_budget(env: Mapping[str, str], storage: StorageConnection | None) -> BudgetSettings:
    """The budget; when on, the storage connection must name a table endpoint (`storage` None: the
    connection's own setting is already reported)."""
    minutes = integer(env, AUDIO_BUDGET, 0, minimum=0, maximum=MAX_MINUTES_PER_DAY)
    table = get(env, AUDIO_BUDGET_TABLE) or DEFAULT_TABLE
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]{2,62}", table):
        raise SettingError(
            AUDIO_BUDGET_TABLE, "is not a valid table name (3-63 letters and digits, a letter first)"
        )
    if minutes and storage is not None and storage.table_url is None:
        if storage.connection_string is not None:
            raise SettingError(
                storage.setting,
                f"names no TableEndpoint, which the audio budget needs ({AUDIO_BUDGET} is on)",
            )
        raise SettingError(
            f"{storage.setting}__tableServiceUri",
            f"is needed for the audio budget ({AUDIO_BUDGET} is on): the account's table endpoint",
        )
    return BudgetSettings(minutes, table)
