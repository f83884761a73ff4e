"""Settings, read from environment variables with the ``PITSTOP_`` prefix."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PITSTOP_", extra="ignore")

    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{Path.cwd() / 'pitstop.db'}",
        description="SQLAlchemy URL; an SQLite file in the working directory by default.",
    )
    # Browsers accept Secure cookies on http://localhost and 127.0.0.1, so the safe default
    # costs nothing locally; turn it off only behind a proxy that strips TLS on another host.
    cookie_secure: bool = True
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    session_hours: int = 12
    token_hours: int = 24
    booking_horizon_days: int = 60
    max_radius_km: float = 500.0
    default_radius_km: float = 50.0
    road_circuity: float = 1.3
    road_speed_kmh: float = 45.0
    options_per_site: int = 3
    max_options: int = 20
    # Negative control for the race tests only: replaces the guarded update with a
    # read-check-write so the tests can show that they catch an oversell. Never set in use.
    unsafe_disable_capacity_guard: bool = False
    host: str = "127.0.0.1"
    port: int = 8000


@lru_cache
def get_settings() -> Settings:
    return Settings()
