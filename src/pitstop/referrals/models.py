"""Referral tables."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from pitstop.db.base import Base


class ReferralCode(Base):
    __tablename__ = "referral_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), unique=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime]


class TestDrive(Base):
    """A prospect's test drive, registered with a referral code or without one."""

    __tablename__ = "test_drives"
    __test__ = False  # not a pytest test class, despite the name

    id: Mapped[int] = mapped_column(primary_key=True)
    prospect_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(32), index=True)
    city: Mapped[str] = mapped_column(String(80))
    referrer_owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]


class SalesOrder(Base):
    """A car order (imported or entered by staff) carrying the referrer, if any."""

    __tablename__ = "sales_orders"
    __table_args__ = (Index("ix_sales_orders_ordered_city", "ordered_on", "city"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(String(32), unique=True)
    buyer_name: Mapped[str] = mapped_column(String(120))
    buyer_phone: Mapped[str] = mapped_column(String(32))
    buyer_owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"))
    city: Mapped[str] = mapped_column(String(80))
    ordered_on: Mapped[date] = mapped_column(Date)
    referrer_owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"), index=True)
    test_drive_id: Mapped[int | None] = mapped_column(ForeignKey("test_drives.id"))
    status: Mapped[str] = mapped_column(String(16))  # ordered | delivered | cancelled
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
