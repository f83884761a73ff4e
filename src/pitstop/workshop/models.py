"""Workshop tables: work orders, their history, findings, photos, estimates, parts, recalls."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pitstop.db.base import Base


class WorkOrder(Base):
    """One visit of a car to a site, from check-in to hand-over.

    ``approved_at`` is when the owner first decided an estimate line (scorecards measure
    approval-to-completion from it); ``expected_ready_at`` moves with parts and approvals,
    ``promised_ready_at`` is what the owner was told at check-in and never moves.
    """

    __tablename__ = "work_orders"
    __table_args__ = (Index("ix_work_orders_site_state", "site_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    state: Mapped[str] = mapped_column(String(24))
    complaint: Mapped[str] = mapped_column(String(500), default="")
    odometer_km: Mapped[int | None]
    checked_in_at: Mapped[datetime]
    promised_ready_at: Mapped[datetime]
    expected_ready_at: Mapped[datetime]
    approved_at: Mapped[datetime | None]
    ready_at: Mapped[datetime | None]
    handed_over_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]


class WorkOrderEvent(Base):
    """History: every state change (and notable edits), timestamped, with who did it."""

    __tablename__ = "work_order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(String(200), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]


class Finding(Base):
    """Something a technician found on the car, with photo evidence."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    detail: Mapped[str] = mapped_column(String(1000), default="")
    severity: Mapped[str] = mapped_column(String(16))  # info | advisory | urgent
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class Photo(Base):
    """A stored image of a finding; the bytes live under ``photo_dir`` as ``storage_key``."""

    __tablename__ = "finding_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("findings.id", ondelete="CASCADE"), index=True
    )
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(120), unique=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]


class EstimateLine(Base):
    """A priced line the owner approves or declines on its own (``approved`` None: undecided)."""

    __tablename__ = "estimate_lines"
    __table_args__ = (
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        CheckConstraint("(approved IS NULL) = (decided_at IS NULL)", name="decision_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"))
    description: Mapped[str] = mapped_column(String(200))
    labour_minutes: Mapped[int] = mapped_column(default=0)
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    approved: Mapped[bool | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class PartsLine(Base):
    """A part the job needs: in stock, or ordered with an expected arrival."""

    __tablename__ = "parts_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    estimate_line_id: Mapped[int | None] = mapped_column(ForeignKey("estimate_lines.id"))
    part_number: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int]
    availability: Mapped[str] = mapped_column(String(16))  # in_stock | ordered | received
    eta: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class RecallCampaign(Base):
    """A manufacturer recall: cars whose VIN falls in ``vin_from..vin_to`` or is listed."""

    __tablename__ = "recall_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    vin_from: Mapped[str | None] = mapped_column(String(17))
    vin_to: Mapped[str | None] = mapped_column(String(17))
    vins: Mapped[list[str]] = mapped_column(JSON, default=list)
    labour_minutes: Mapped[int] = mapped_column(default=60)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class WorkOrderRecall(Base):
    """A recall campaign carried out on a work order (added automatically at check-in)."""

    __tablename__ = "work_order_recalls"
    __table_args__ = (UniqueConstraint("work_order_id", "campaign_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(
        ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(ForeignKey("recall_campaigns.id"))
    done: Mapped[bool] = mapped_column(default=False)
    added_at: Mapped[datetime]
