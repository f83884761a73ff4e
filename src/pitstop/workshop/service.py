"""Work order use cases: check-in, the state machine, findings and photos, the estimate,
parts, recalls and loaners. Services never commit; callers own the transaction."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pitstop.booking import service as booking
from pitstop.booking import states as booking_states
from pitstop.config import Settings
from pitstop.errors import (
    ConflictError,
    FieldProblem,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from pitstop.fleet import service as fleet
from pitstop.identity import policy
from pitstop.identity.actor import SYSTEM, Actor
from pitstop.jobs import outbox
from pitstop.loaners import service as loaners
from pitstop.loaners.models import LoanerAssignment
from pitstop.loaners.schemas import AssignmentRead
from pitstop.network import service as network
from pitstop.network.models import Site
from pitstop.workshop import photos as photo_files
from pitstop.workshop import repository, rules, states
from pitstop.workshop.models import (
    EstimateLine,
    Finding,
    PartsLine,
    Photo,
    RecallCampaign,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderRecall,
)
from pitstop.workshop.schemas import (
    EstimateLineCreate,
    EstimateLineRead,
    EventRead,
    FindingCreate,
    FindingRead,
    PartsLineCreate,
    PartsLineRead,
    PhotoRead,
    RecallCreate,
    RecallLineRead,
    WorkOrderCreate,
    WorkOrderRead,
    WorkOrderState,
)

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
WALK_IN_HOURS = 2.0


# --- reading and scope -------------------------------------------------------------------------


def _site_of(session: Session, wo: WorkOrder) -> Site:
    return network.get_site(session, wo.site_id)


def _visible(
    session: Session, actor: Actor, work_order_id: int, *, lock: bool = False
) -> WorkOrder:
    """A work order the actor may see; anyone else's looks exactly like a missing one.

    With ``lock`` the row is locked until the transaction ends (PostgreSQL; SQLite writers
    are serial anyway), so two changes to one work order run one after the other and the
    second sees the first's state: two moves or two decisions cannot both pass their checks.
    """
    policy.require(actor, "work_order.read")
    wo = repository.work_order(session, work_order_id, lock=lock)
    if wo is None:
        raise NotFoundError("work order", work_order_id)
    site = _site_of(session, wo)
    if not policy.can_see_booking(
        actor, owner_id=wo.owner_id, site_id=site.id, province=site.province
    ):
        raise NotFoundError("work order", work_order_id)
    return wo


def _staff_change(session: Session, actor: Actor, work_order_id: int, action: str) -> WorkOrder:
    wo = _visible(session, actor, work_order_id, lock=True)
    policy.require(actor, action)
    return wo


def _open(wo: WorkOrder, field: str = "work_order_id") -> None:
    if wo.state in states.FINISHED:
        raise ConflictError(
            f"work order {wo.reference} is {wo.state}",
            problems=[FieldProblem(field, f"work order is {wo.state}")],
        )


def get(session: Session, *, actor: Actor, work_order_id: int) -> WorkOrder:
    return _visible(session, actor, work_order_id)


def booked_work_orders(session: Session, booking_ids: list[int]) -> set[int]:
    """Which of these bookings already have a work order."""
    return repository.booking_ids_with_work_orders(session, booking_ids)


def list_for(
    session: Session,
    *,
    actor: Actor,
    site_id: int | None = None,
    state: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[WorkOrder]:
    """The caller's own work orders (owner) or those at the sites in their scope (staff)."""
    policy.require(actor, "work_order.read")
    wanted = [state] if state else None
    if actor.is_owner:
        return repository.listed(
            session,
            site_ids=None,
            owner_id=actor.owner_id,
            states=wanted,
            limit=limit,
            offset=offset,
        )
    if site_id is not None:
        site = network.get_site(session, site_id, field="site_id")
        if not policy.covers_site(actor, site.id, site.province):
            raise PermissionDeniedError("that site is outside your scope")
        site_ids: list[int] | None = [site_id]
    elif actor.role.value == "admin":
        site_ids = None
    else:
        site_ids = [s.id for s in network.staff_sites(session, actor=actor)]
    return repository.listed(
        session, site_ids=site_ids, owner_id=None, states=wanted, limit=limit, offset=offset
    )


# --- history, expected-ready, notifications -------------------------------------------------


def _event(
    session: Session, wo: WorkOrder, to: str, *, actor: Actor, now: datetime, note: str = ""
) -> None:
    session.add(
        WorkOrderEvent(
            work_order_id=wo.id,
            from_state=wo.state,
            to_state=to,
            note=note[:200],
            actor_id=actor.user_id or None,
            at=now,
        )
    )


def _local_day(site: Site, at: datetime) -> date:
    return at.astimezone(ZoneInfo(site.timezone)).date()


def _refresh_expected(session: Session, wo: WorkOrder) -> None:
    """Keep ``expected_ready_at`` current from approvals and parts still on order."""
    if wo.state in (states.READY, *states.FINISHED):
        return
    lines = repository.lines(session, [wo.id])[wo.id]
    parts = repository.parts(session, [wo.id])[wo.id]
    waiting = [p for p in parts if p.availability == "ordered" and p.received_at is None]
    waiting_lines = {p.estimate_line_id for p in waiting if p.estimate_line_id is not None}
    approved = [x for x in lines if x.approved and x.decided_at is not None]
    wo.expected_ready_at = rules.expected_ready(
        promised=wo.promised_ready_at,
        approved_work=[(x.decided_at, x.labour_minutes) for x in approved if x.decided_at],
        parts_etas=[p.eta for p in waiting if p.eta is not None],
        labour_after_parts_minutes=sum(x.labour_minutes for x in approved if x.id in waiting_lines),
    )


def _payload_base(session: Session, wo: WorkOrder) -> dict[str, int | str]:
    site = _site_of(session, wo)
    plate = fleet.plates(session, {wo.vehicle_id}).get(wo.vehicle_id, "")
    return {
        "owner_id": wo.owner_id,
        "work_order_id": wo.id,
        "reference": wo.reference,
        "site_name_zh": site.name_zh,
        "site_name_en": site.name_en,
        "site_timezone": site.timezone,
        "plate": plate,
        "expected_ready_at": wo.expected_ready_at.isoformat(),
    }


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _maybe_loaner(
    session: Session, wo: WorkOrder, *, actor: Actor, now: datetime, settings: Settings, asked: bool
) -> LoanerAssignment | None:
    """Lend a car when the owner booked one or the job outgrows the threshold; never fail
    the change that triggered it (no car free is a note on the work order, not an error)."""
    long_job = rules.needs_loaner(
        checked_in_at=wo.checked_in_at,
        expected_ready_at=wo.expected_ready_at,
        threshold_hours=settings.loaner_threshold_hours,
    )
    if not (asked or long_job) or loaners.active_for(session, wo.id) is not None:
        return None
    site = _site_of(session, wo)
    try:
        with session.begin_nested():
            made = loaners.assign(
                session,
                actor=actor,
                site_id=wo.site_id,
                owner_id=wo.owner_id,
                work_order_id=wo.id,
                booking_id=wo.booking_id,
                first_day=_local_day(site, now),
                last_day=max(_local_day(site, now), _local_day(site, wo.expected_ready_at)),
                reason="requested" if asked else "long_job",
                now=now,
                guarded=not settings.unsafe_disable_loaner_guard,
            )
    except ConflictError as exc:
        _event(session, wo, wo.state, actor=actor, now=now, note=f"no loaner: {exc.detail}")
        return None
    _event(session, wo, wo.state, actor=actor, now=now, note=f"loaner {made.loaner_id} lent")
    return made


# --- check-in ------------------------------------------------------------------------------


def open_work_order(
    session: Session, *, actor: Actor, data: WorkOrderCreate, now: datetime, settings: Settings
) -> WorkOrder:
    """Check a car in: from its booking (the booking becomes checked in) or as a walk-in.

    Recall campaigns matching the VIN are added, and a loaner is lent if the booking asked
    for one or the job is expected to take longer than ``loaner_threshold_hours``. Raises
    NotFoundError (booking, site or car out of reach), ConflictError (already checked in).
    """
    policy.require(actor, "work_order.create")
    asked = False
    if data.booking_id is not None:
        b = booking.get(session, actor=actor, booking_id=data.booking_id)
        if repository.by_booking(session, b.id) is not None:
            raise ConflictError(
                f"booking {b.reference} already has a work order",
                problems=[FieldProblem("booking_id", "already checked in")],
            )
        if b.status == booking_states.CONFIRMED:
            booking.check_in(session, actor=actor, booking_id=b.id, now=now)
        elif b.status != booking_states.CHECKED_IN:
            raise ConflictError(
                f"a {b.status} booking cannot be checked in",
                problems=[FieldProblem("booking_id", f"booking is {b.status}")],
            )
        site_id, vehicle_id, owner_id = b.site_id, b.vehicle_id, b.owner_id
        promised = max(b.ready_at, now)
        asked = b.transport == "loaner"
    else:
        assert data.site_id is not None and data.vehicle_id is not None
        site = network.get_site(session, data.site_id, field="site_id")
        if not policy.covers_site(actor, site.id, site.province):
            raise PermissionDeniedError("that site is outside your scope")
        # The car is at the counter: staff may open a job for any car of the brand.
        car = fleet.get_vehicle(session, actor=SYSTEM, vehicle_id=data.vehicle_id)
        site_id, vehicle_id, owner_id = site.id, car.id, car.owner_id
        promised = now + timedelta(hours=data.expected_hours or WALK_IN_HOURS)
    vin = fleet.vins(session, {vehicle_id})[vehicle_id]
    matched = [
        c
        for c in repository.active_campaigns(session)
        if rules.vin_matches(vin, vin_from=c.vin_from, vin_to=c.vin_to, vins=c.vins)
    ]
    promised += timedelta(minutes=sum(c.labour_minutes for c in matched))
    wo = WorkOrder(
        reference="W" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(7)),
        booking_id=data.booking_id,
        site_id=site_id,
        vehicle_id=vehicle_id,
        owner_id=owner_id,
        state=states.CHECKED_IN,
        complaint=data.complaint,
        odometer_km=data.odometer_km,
        checked_in_at=now,
        promised_ready_at=promised,
        expected_ready_at=promised,
        created_by=actor.user_id or None,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(wo)
            session.flush()
    except IntegrityError:
        # Another check-in of the same booking committed first.
        raise ConflictError(
            "this booking already has a work order",
            problems=[FieldProblem("booking_id", "already checked in")],
        ) from None
    session.add(
        WorkOrderEvent(
            work_order_id=wo.id,
            from_state=None,
            to_state=states.CHECKED_IN,
            note="walk-in" if data.booking_id is None else "",
            actor_id=actor.user_id or None,
            at=now,
        )
    )
    for c in matched:
        session.add(WorkOrderRecall(work_order_id=wo.id, campaign_id=c.id, added_at=now))
        _event(session, wo, wo.state, actor=actor, now=now, note=f"recall {c.code} added")
    session.flush()
    _maybe_loaner(session, wo, actor=actor, now=now, settings=settings, asked=asked)
    session.flush()
    return wo


# --- the state machine ---------------------------------------------------------------------


def move(
    session: Session,
    *,
    actor: Actor,
    work_order_id: int,
    to: str,
    note: str = "",
    now: datetime,
    settings: Settings,
) -> WorkOrder:
    """Move a work order along an allowed transition, with its side effects.

    Asking for approval needs undecided estimate lines (the owner is told); starting work
    needs every line decided; waiting for parts needs a part on order; ready tells the owner;
    hand-over completes the booking. Raises InvalidTransitionError or ConflictError, and then
    nothing has changed.
    """
    wo = _staff_change(session, actor, work_order_id, "work_order.move")
    states.check(wo.state, to)
    lines = repository.lines(session, [wo.id])[wo.id]
    undecided = [x for x in lines if x.approved is None]
    if to == states.AWAITING_APPROVAL and not undecided:
        raise ConflictError(
            "there is no estimate line for the owner to decide",
            problems=[FieldProblem("to", "add estimate lines first")],
        )
    if to == states.IN_PROGRESS and wo.state == states.AWAITING_APPROVAL and undecided:
        raise ConflictError(
            "the owner has not decided every estimate line",
            problems=[FieldProblem("to", f"{len(undecided)} line(s) undecided")],
        )
    if to == states.AWAITING_PARTS:
        parts = repository.parts(session, [wo.id])[wo.id]
        if not any(p.availability == "ordered" and p.received_at is None for p in parts):
            raise ConflictError(
                "no part is on order",
                problems=[FieldProblem("to", "add an ordered parts line first")],
            )
    _event(session, wo, to, actor=actor, now=now, note=note)
    _enter(session, wo, to, actor=actor, now=now, lines=lines)
    _refresh_expected(session, wo)
    session.flush()
    return wo


def _enter(
    session: Session,
    wo: WorkOrder,
    to: str,
    *,
    actor: Actor,
    now: datetime,
    lines: list[EstimateLine],
) -> None:
    wo.state = to
    wo.updated_at = now
    if to == states.AWAITING_APPROVAL:
        pending = [x for x in lines if x.approved is None]
        total = sum(x.amount_cents for x in pending)
        outbox.enqueue(
            session,
            "notify.estimate_ready",
            now=now,
            **_payload_base(session, wo),
            lines=len(pending),
            amount_cents=total,
            amount=_money(total),
            currency="CNY",
        )
    elif to == states.READY:
        wo.ready_at = now
        wo.expected_ready_at = now
        approved = sum(x.amount_cents for x in lines if x.approved)
        outbox.enqueue(
            session,
            "notify.car_ready",
            now=now,
            **_payload_base(session, wo),
            ready_at=now.isoformat(),
            amount_cents=approved,
            amount=_money(approved),
            currency="CNY",
        )
    elif to == states.HANDED_OVER:
        wo.handed_over_at = now
        if wo.booking_id is not None:
            booking.complete(session, actor=actor, booking_id=wo.booking_id, now=now)
    elif to == states.CANCELLED:
        loaners.cancel_for_work_order(session, work_order_id=wo.id, now=now)
        if wo.booking_id is not None:
            booking.complete(session, actor=actor, booking_id=wo.booking_id, now=now)


# --- findings and photos -------------------------------------------------------------------


def add_finding(
    session: Session, *, actor: Actor, work_order_id: int, data: FindingCreate, now: datetime
) -> Finding:
    wo = _staff_change(session, actor, work_order_id, "work_order.finding")
    _open(wo)
    found = Finding(
        work_order_id=wo.id,
        title=data.title,
        detail=data.detail,
        severity=data.severity.value,
        created_by=actor.user_id or None,
        created_at=now,
    )
    session.add(found)
    session.flush()
    return found


def check_photo(data: bytes, *, max_bytes: int) -> str:
    """The photo's content type, judged by its bytes. Raises InvalidInputError otherwise."""
    if not data:
        raise InvalidInputError("file", "is empty")
    if len(data) > max_bytes:
        raise InvalidInputError("file", f"is larger than {max_bytes} bytes")
    kind = rules.image_type(data[:16])
    if kind is None:
        raise InvalidInputError("file", "is not a JPEG, PNG or WebP image")
    return kind


def add_photo(
    session: Session,
    *,
    actor: Actor,
    work_order_id: int,
    finding_id: int,
    data: bytes,
    now: datetime,
    settings: Settings,
) -> Photo:
    """Store a photo of a finding. Raises InvalidInputError for an oversized or non-image
    file (nothing is stored); the caller removes the file if its transaction fails."""
    wo = _staff_change(session, actor, work_order_id, "work_order.finding")
    found = repository.finding(session, finding_id)
    if found is None or found.work_order_id != wo.id:
        raise NotFoundError("finding", finding_id)
    kind = check_photo(data, max_bytes=settings.photo_max_bytes)
    key = photo_files.new_key(kind)
    row = Photo(
        finding_id=found.id,
        work_order_id=wo.id,
        content_type=kind,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        uploaded_by=actor.user_id or None,
        uploaded_at=now,
    )
    session.add(row)
    session.flush()
    photo_files.save(settings.photo_dir, key, data)
    return row


def photo_bytes(
    session: Session, *, actor: Actor, work_order_id: int, photo_id: int, settings: Settings
) -> tuple[str, bytes]:
    wo = _visible(session, actor, work_order_id)
    row = repository.photo(session, photo_id)
    if row is None or row.work_order_id != wo.id:
        raise NotFoundError("photo", photo_id)
    try:
        return row.content_type, photo_files.load(settings.photo_dir, row.storage_key)
    except FileNotFoundError:
        raise NotFoundError("photo", photo_id) from None


# --- estimate ------------------------------------------------------------------------------


def add_estimate_line(
    session: Session, *, actor: Actor, work_order_id: int, data: EstimateLineCreate, now: datetime
) -> EstimateLine:
    wo = _staff_change(session, actor, work_order_id, "work_order.estimate")
    _open(wo)
    if data.finding_id is not None:
        found = repository.finding(session, data.finding_id)
        if found is None or found.work_order_id != wo.id:
            raise NotFoundError("finding", data.finding_id, field="finding_id")
    line = EstimateLine(
        work_order_id=wo.id,
        finding_id=data.finding_id,
        description=data.description,
        labour_minutes=data.labour_minutes,
        amount_cents=round(data.amount * 100),
        created_at=now,
    )
    session.add(line)
    session.flush()
    return line


def decide(
    session: Session,
    *,
    actor: Actor,
    work_order_id: int,
    line_id: int,
    approved: bool,
    now: datetime,
    settings: Settings,
) -> WorkOrder:
    """The owner approves or declines one estimate line.

    Once every line is decided the job goes on (in progress). Raises ConflictError for a
    line already decided or a work order not waiting for approval; nothing changes then.
    """
    wo = _visible(session, actor, work_order_id, lock=True)
    policy.require(actor, "estimate.decide")
    if not policy.owns(actor, wo.owner_id):
        raise PermissionDeniedError("only the owner decides the estimate")
    line = repository.line(session, line_id)
    if line is None or line.work_order_id != wo.id:
        raise NotFoundError("estimate line", line_id)
    if line.approved is not None:
        verb = "approved" if line.approved else "declined"
        raise ConflictError(
            f"estimate line {line_id} was already {verb}",
            problems=[FieldProblem("approved", f"already {verb}")],
        )
    if wo.state != states.AWAITING_APPROVAL:
        raise ConflictError(
            f"work order {wo.reference} is not waiting for approval",
            problems=[FieldProblem("approved", f"work order is {wo.state}")],
        )
    line.approved = approved
    line.decided_at = now
    line.decided_by = actor.user_id or None
    if wo.approved_at is None:
        wo.approved_at = now
    wo.updated_at = now
    verb = "approved" if approved else "declined"
    _event(session, wo, wo.state, actor=actor, now=now, note=f"line {line.id} {verb}")
    session.flush()
    lines = repository.lines(session, [wo.id])[wo.id]
    if all(x.approved is not None for x in lines):
        _event(session, wo, states.IN_PROGRESS, actor=actor, now=now, note="estimate decided")
        _enter(session, wo, states.IN_PROGRESS, actor=actor, now=now, lines=lines)
    _refresh_expected(session, wo)
    session.flush()
    return wo


# --- parts ---------------------------------------------------------------------------------


def add_part(
    session: Session,
    *,
    actor: Actor,
    work_order_id: int,
    data: PartsLineCreate,
    now: datetime,
    settings: Settings,
) -> PartsLine:
    """Add a parts line; one on order moves the expected-ready time to its arrival."""
    wo = _staff_change(session, actor, work_order_id, "work_order.parts")
    _open(wo)
    if data.estimate_line_id is not None:
        line = repository.line(session, data.estimate_line_id)
        if line is None or line.work_order_id != wo.id:
            raise NotFoundError("estimate line", data.estimate_line_id, field="estimate_line_id")
    if data.eta is not None and data.eta < now:
        raise InvalidInputError("eta", "is in the past")
    part = PartsLine(
        work_order_id=wo.id,
        estimate_line_id=data.estimate_line_id,
        part_number=data.part_number,
        description=data.description,
        quantity=data.quantity,
        availability=data.availability.value,
        eta=data.eta if data.availability.value == "ordered" else None,
        created_at=now,
    )
    session.add(part)
    session.flush()
    before = wo.expected_ready_at
    _refresh_expected(session, wo)
    if wo.expected_ready_at != before:
        wo.updated_at = now
        _event(
            session,
            wo,
            wo.state,
            actor=actor,
            now=now,
            note=f"expected ready moved to {wo.expected_ready_at.isoformat()} (parts)",
        )
        _maybe_loaner(session, wo, actor=actor, now=now, settings=settings, asked=False)
    session.flush()
    return part


def receive_part(
    session: Session, *, actor: Actor, work_order_id: int, part_id: int, now: datetime
) -> PartsLine:
    wo = _staff_change(session, actor, work_order_id, "work_order.parts")
    _open(wo)
    part = repository.part(session, part_id)
    if part is None or part.work_order_id != wo.id:
        raise NotFoundError("parts line", part_id)
    if part.received_at is not None or part.availability != "ordered":
        raise ConflictError(
            f"parts line {part_id} is not on order",
            problems=[FieldProblem("part_id", f"already {part.availability}")],
        )
    part.availability = "received"
    part.received_at = now
    session.flush()
    _refresh_expected(session, wo)
    session.flush()
    return part


# --- loaners -------------------------------------------------------------------------------


def assign_loaner(
    session: Session,
    *,
    actor: Actor,
    work_order_id: int,
    loaner_id: int | None,
    now: datetime,
    settings: Settings,
) -> LoanerAssignment:
    """Lend a loaner (a chosen one, or any free one) until the expected-ready day.

    Raises ConflictError if the job already has one or no car is free on every day.
    """
    wo = _staff_change(session, actor, work_order_id, "loaner.assign")
    _open(wo)
    site = _site_of(session, wo)
    first = _local_day(site, now)
    made = loaners.assign(
        session,
        actor=actor,
        site_id=wo.site_id,
        owner_id=wo.owner_id,
        work_order_id=wo.id,
        booking_id=wo.booking_id,
        first_day=first,
        last_day=max(first, _local_day(site, wo.expected_ready_at)),
        reason="requested",
        now=now,
        loaner_id=loaner_id,
        guarded=not settings.unsafe_disable_loaner_guard,
    )
    _event(session, wo, wo.state, actor=actor, now=now, note=f"loaner {made.loaner_id} lent")
    session.flush()
    return made


def loaner_days(
    session: Session, *, actor: Actor, work_order_id: int, now: datetime
) -> list[tuple[int, date]]:
    """The (site, day) pairs a loaner for this job would touch: prepared before assigning."""
    wo = _visible(session, actor, work_order_id)
    site = _site_of(session, wo)
    first = _local_day(site, now)
    last = max(first, _local_day(site, wo.expected_ready_at))
    return [(wo.site_id, first + timedelta(days=i)) for i in range((last - first).days + 1)]


# --- recalls -------------------------------------------------------------------------------


def add_recall(
    session: Session, *, actor: Actor, data: RecallCreate, now: datetime
) -> RecallCampaign:
    policy.require(actor, "recall.write")
    if repository.campaign_by_code(session, data.code) is not None:
        raise ConflictError(
            f"recall {data.code} exists", problems=[FieldProblem("code", "already exists")]
        )
    campaign = RecallCampaign(
        code=data.code,
        title_zh=data.title_zh,
        title_en=data.title_en,
        vin_from=data.vin_from.upper() if data.vin_from else None,
        vin_to=data.vin_to.upper() if data.vin_to else None,
        vins=[v.upper() for v in data.vins],
        labour_minutes=data.labour_minutes,
        created_at=now,
    )
    session.add(campaign)
    session.flush()
    return campaign


def list_recalls(session: Session, *, actor: Actor) -> list[RecallCampaign]:
    policy.require(actor, "recall.read")
    return repository.all_campaigns(session)


# --- read models ---------------------------------------------------------------------------


def read_models(session: Session, orders: list[WorkOrder]) -> list[WorkOrderRead]:
    ids = [w.id for w in orders]
    findings = repository.findings(session, ids)
    photos = repository.photos(session, ids)
    lines = repository.lines(session, ids)
    parts = repository.parts(session, ids)
    recalls = repository.recalls(session, ids)
    events = repository.events(session, ids)
    lent = loaners.assignments_for(session, ids)
    campaigns = repository.campaigns(
        session, {r.campaign_id for rs in recalls.values() for r in rs}
    )
    sites = network.sites_by_id(session, {w.site_id for w in orders})
    plates = fleet.plates(session, {w.vehicle_id for w in orders})
    out = []
    for w in orders:
        site = sites[w.site_id]
        by_finding: dict[int, list[PhotoRead]] = {}
        for p in photos[w.id]:
            by_finding.setdefault(p.finding_id, []).append(PhotoRead.model_validate(p))
        est = [EstimateLineRead.model_validate(x) for x in lines[w.id]]
        out.append(
            WorkOrderRead(
                id=w.id,
                reference=w.reference,
                booking_id=w.booking_id,
                site_id=site.id,
                site_code=site.code,
                site_name_zh=site.name_zh,
                site_name_en=site.name_en,
                vehicle_id=w.vehicle_id,
                plate=plates.get(w.vehicle_id, ""),
                owner_id=w.owner_id,
                state=WorkOrderState(w.state),
                next_states=states.next_states(w.state),
                complaint=w.complaint,
                odometer_km=w.odometer_km,
                checked_in_at=w.checked_in_at,
                promised_ready_at=w.promised_ready_at,
                expected_ready_at=w.expected_ready_at,
                approved_at=w.approved_at,
                ready_at=w.ready_at,
                handed_over_at=w.handed_over_at,
                findings=[
                    FindingRead(
                        id=f.id,
                        title=f.title,
                        detail=f.detail,
                        severity=f.severity,
                        created_at=f.created_at,
                        photos=by_finding.get(f.id, []),
                    )
                    for f in findings[w.id]
                ],
                estimate=est,
                estimate_total_cents=sum(x.amount_cents for x in est),
                approved_total_cents=sum(x.amount_cents for x in est if x.approved),
                parts=[PartsLineRead.model_validate(p) for p in parts[w.id]],
                recalls=[
                    RecallLineRead(
                        campaign_id=r.campaign_id,
                        code=campaigns[r.campaign_id].code,
                        title_zh=campaigns[r.campaign_id].title_zh,
                        title_en=campaigns[r.campaign_id].title_en,
                        done=r.done,
                    )
                    for r in recalls[w.id]
                ],
                loaners=[AssignmentRead.model_validate(a) for a in lent[w.id]],
                history=[EventRead.model_validate(e) for e in events[w.id]],
            )
        )
    return out
