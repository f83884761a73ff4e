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
    # Channels (issue 3): how far a van travels to an owner, how far a valet takes a car to a
    # site with earlier capacity, arrival windows promised for a van, valet handover time.
    mobile_radius_km: float = 60.0
    pickup_radius_km: float = 150.0
    mobile_window_minutes: int = 120
    valet_handover_minutes: int = 15
    # Dispatch (issue 5): a valet driver's speed between tasks (e-bike, metro), the default search
    # time of a day plan, the arrival window owners are told, and how far a valet collection
    # may come before (a return after) the times the pickup booking quoted.
    dispatch_driver_speed_kmh: float = Field(default=20.0, gt=0)
    dispatch_seconds: float = Field(default=10.0, gt=0)
    # An urgent insert must come back within 2 s (issue 5); started stops are locked, so a short
    # search suffices (bench/dispatch_day.py measures it).
    dispatch_urgent_seconds: float = Field(default=0.5, gt=0)
    dispatch_iterations: int = Field(default=5000, ge=1)  # the board's re-plan: first of the two
    dispatch_window_minutes: int = Field(default=30, ge=1)
    dispatch_valet_window_minutes: int = Field(default=60, ge=0)
    # Waitlist (issue 3): how long an offer holds its slot for one owner.
    waitlist_offer_minutes: int = 15
    waitlist_max_entries_per_owner: int = 5
    waitlist_match_batch: int = 200
    # Workshop (issue 3): a job expected to keep the car longer than this gets a loaner.
    loaner_threshold_hours: float = Field(default=24.0, ge=0)
    photo_dir: Path = Path("var/photos")
    photo_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1)
    # Negative control for the loaner race test only: skips the one-row-per-car-per-day guard.
    unsafe_disable_loaner_guard: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    # Notifications and the worker (issue 3): e-mail over SMTP (no host: e-mail deliveries
    # fail with a clear error), SMS through an adapter ("logging" writes to the log only).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = "pitstop@localhost"
    smtp_timeout_seconds: float = 30.0
    sms_adapter: str = "logging"
    worker_lease_seconds: float = 60.0
    worker_max_attempts: int = 5
    worker_backoff_seconds: float = 30.0
    worker_backoff_max_seconds: float = 3600.0
    worker_poll_seconds: float = 2.0
    worker_tick_seconds: float = 300.0
    # Quality (issue 3): hours staff have to answer a complaint, by category, and the
    # scorecard thresholds below which a site is flagged (and ranked lower in search).
    complaint_deadline_hours: dict[str, int] = Field(
        default_factory=lambda: {
            "damage": 24,
            "delay": 24,
            "service_quality": 48,
            "staff": 48,
            "billing": 72,
            "other": 72,
        }
    )
    scorecard_days: int = 90
    scorecard_min_visits: int = 5
    scorecard_min_rating: float = 4.0
    scorecard_max_comeback_rate: float = 0.05
    scorecard_min_on_time_rate: float = 0.8
    scorecard_max_complaint_rate: float = 0.05
    scorecard_max_approval_hours: float = 48.0
    scorecard_min_photo_share: float = 0.8
    # How much later a flagged site's option ranks, as if its car came back this much later.
    flagged_site_penalty_hours: float = Field(default=48.0, ge=0)


@lru_cache
def get_settings() -> Settings:
    return Settings()
