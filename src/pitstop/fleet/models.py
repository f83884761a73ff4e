"""Fleet tables."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from pitstop.db.base import Base


class Owner(Base):
    __tablename__ = "owners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(32))
    home_latitude: Mapped[float]
    home_longitude: Mapped[float]
    city: Mapped[str] = mapped_column(String(80), index=True)
    province: Mapped[str] = mapped_column(String(80), default="")


class Vehicle(Base):
    __tablename__ = "vehicles"

    id: Mapped[int] = mapped_column(primary_key=True)
    vin: Mapped[str] = mapped_column(String(17), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    model: Mapped[str] = mapped_column(String(64))
    delivery_date: Mapped[date] = mapped_column(Date)
    odometer_km: Mapped[int]
    odometer_date: Mapped[date] = mapped_column(Date)
    plate: Mapped[str] = mapped_column(String(16), default="")
    last_service_date: Mapped[date | None] = mapped_column(Date)
    last_service_km: Mapped[int | None]


class MaintenanceRule(Base):
    """Service is due every ``every_months`` or every ``every_km``, whichever comes first."""

    __tablename__ = "maintenance_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str | None] = mapped_column(String(64), unique=True)  # None: the brand default
    every_months: Mapped[int]
    every_km: Mapped[int]
    job_code: Mapped[str] = mapped_column(String(32))
