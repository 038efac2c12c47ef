"""All configuration, read from ENCOMMUN_* environment variables (or passed by tests)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ENCOMMUN_", frozen=True)

    store: Literal["sqlite", "postgres"] = "sqlite"
    sqlite_path: Path = Path("var/encommun.sqlite")
    postgres_host: str = "127.0.0.1"
    postgres_port: int = 5432
    postgres_dbname: str = "encommun"
    postgres_user: str = "encommun"
    postgres_password: str = ""
    # Aggregates kept in memory between commands; each is fast-forwarded from the store
    # before use, so several nodes writing to one PostgreSQL stay correct.
    aggregate_cache_size: int = Field(default=10_000, ge=0)
    # Read side: the DuckDB projection file, and the snapshot analysts query.
    projection_path: Path = Path("var/encommun.duckdb")
    snapshot_dir: Path = Path("var/snapshots")
    # Seconds between two refreshes of the analysts' snapshot (it is a full copy).
    snapshot_every_s: float = Field(default=30.0, ge=0)
    sql_row_limit: int = Field(default=10_000, ge=1)
    sql_timeout_s: float = Field(default=5.0, gt=0)
    sql_memory_limit: str = "512MB"
    # Analysts' queries running at once, each in a worker process of its own.
    sql_workers: int = Field(default=4, ge=1)
    # How long a read waits for the projections to reach a position a write returned.
    read_wait_s: float = Field(default=2.0, ge=0)
    # Working time across all members (domain/working_time.py, docs/working_time.md):
    # the Code du travail's defaults, articles cited beside each.
    max_day_hours: Decimal = Field(default=Decimal(10), gt=0, le=24)  # L3121-18
    max_week_hours: Decimal = Field(default=Decimal(48), gt=0, le=168)  # L3121-20
    max_average_week_hours: Decimal = Field(default=Decimal(44), gt=0, le=168)  # L3121-22
    average_weeks: int = Field(default=12, ge=1, le=52)  # L3121-22
    min_daily_rest_hours: Decimal = Field(default=Decimal(11), ge=0, le=24)  # L3131-1
    break_after_hours: Decimal = Field(default=Decimal(6), gt=0, le=24)  # L3121-16
    min_break_minutes: int = Field(default=20, ge=0, le=240)  # L3121-16
    # L3123-28 (a tenth); L3123-20 lets a collective agreement raise it to a third.
    part_time_extra_share: Decimal = Field(default=Decimal("0.1"), ge=0, le=1)
    # The share of an employee's year that local-authority members may use (C. trav.
    # L1253-20: three quarters since 2017, half before), and whether hours past it are refused
    # (or recorded and shown as an excess).
    local_authority_share: Decimal = Field(default=Decimal("0.75"), gt=0, le=1)
    local_authority_cap_refuses: bool = True
    # Access tokens are signed with a key kept out of the event store, so that a row written
    # into the store grants nothing: ENCOMMUN_TOKEN_KEY, else the key file (by default
    # token.key beside the SQLite store, created 0600 on first use). Keys moved to
    # ENCOMMUN_TOKEN_PREVIOUS_KEYS (a JSON list) still authenticate the tokens they signed.
    token_key: SecretStr | None = Field(default=None, min_length=32)
    token_previous_keys: tuple[SecretStr, ...] = ()
    token_key_file: Path | None = None

    def working_time_limits(self) -> dict[str, object]:
        """The working-time settings, by the names of domain.working_time.WorkingTimeLimits."""
        return {name: getattr(self, name) for name in (
            "max_day_hours", "max_week_hours", "max_average_week_hours", "average_weeks",
            "min_daily_rest_hours", "break_after_hours", "min_break_minutes", "part_time_extra_share")}

    @property
    def token_key_path(self) -> Path:
        return self.token_key_file or self.sqlite_path.parent / "token.key"

    def eventsourcing_env(self) -> dict[str, str]:
        """The environment the eventsourcing library reads its persistence from."""
        env = {
            "AGGREGATE_CACHE_MAXSIZE": str(self.aggregate_cache_size),
            # Aggregates are immutable, so a cached one needs no defensive copy.
            "DEEPCOPY_FROM_AGGREGATE_CACHE": "n",
        }
        if self.store == "sqlite":
            env |= {
                "PERSISTENCE_MODULE": "event_store.recorders:SQLiteFactory",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "10",
            }
        else:
            env |= {
                "PERSISTENCE_MODULE": "event_store.recorders:PostgresFactory",
                "POSTGRES_HOST": self.postgres_host,
                "POSTGRES_PORT": str(self.postgres_port),
                "POSTGRES_DBNAME": self.postgres_dbname,
                "POSTGRES_USER": self.postgres_user,
                "POSTGRES_PASSWORD": self.postgres_password,
            }
        return env
