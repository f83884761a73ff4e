"""Waitlist use cases: join, withdraw, accept or decline an offer; and the worker's two steps,
``match_freed`` (offer freed capacity, first come first served) and ``expire_offers``.

Fairness rests on three rules:

- entries are served strictly in the order they joined (their id), one matcher at a time
  (``repository.lock_matcher``), each getting the best option that matches it now;
- an offer *holds* its slot: it is a booking in state ``offered`` that took the capacity with
  the same guarded updates as any booking, so no slot is ever offered to two owners at once
  and nobody else can book it meanwhile;
- an offer closes exactly once (a guarded update from ``open``): accepted before it expires,
  or declined, or expired; the last two give the capacity back and put the entry back in the
  queue at its old place, and that entry is never offered the same slot again.

Services never commit: the request or the worker's job owns the transaction.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from pitstop.booking import service as booking
from pitstop.booking import states as booking_states
from pitstop.booking.schemas import BookingCreate, Channel, Option, Transport
from pitstop.config import Settings, get_settings
from pitstop.errors import (
    CapacityTakenError,
    ConflictError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
)
from pitstop.fleet import service as fleet
from pitstop.identity import policy
from pitstop.identity.actor import SYSTEM, Actor
from pitstop.jobs import outbox
from pitstop.network import service as network
from pitstop.waitlist import repository, states
from pitstop.waitlist.models import WaitlistEntry, WaitlistOffer
from pitstop.waitlist.schemas import EntryRead, OfferRead, WaitlistJoin

BRAND_TZ = ZoneInfo("Asia/Shanghai")
_TRANSPORT = {
    Channel.DRIVE_IN: Transport.DROP_OFF,
    Channel.PICKUP: Transport.PICKUP_DELIVERY,
    Channel.MOBILE: Transport.MOBILE,
}


def join(
    session: Session, *, actor: Actor, request: WaitlistJoin, now: datetime, settings: Settings
) -> WaitlistEntry:
    """Put a car on the waitlist. Raises InvalidInputError (date, jobs, channels, place),
    NotFoundError (vehicle) and ConflictError (the car is already waiting)."""
    policy.require(actor, "waitlist.join")
    vehicle = fleet.get_vehicle(session, actor=actor, vehicle_id=request.vehicle_id)
    jobs = booking.jobs(session, request.jobs)
    today = now.astimezone(BRAND_TZ).date()
    if request.before < today:
        raise InvalidInputError("before", "is in the past")
    if request.before > today + timedelta(days=settings.booking_horizon_days):
        raise InvalidInputError(
            "before", f"beyond the booking horizon of {settings.booking_horizon_days} days"
        )
    if request.channels == [Channel.MOBILE] and any(not j.mobile_eligible for j in jobs):
        raise InvalidInputError("channels", "these jobs cannot be done by mobile service")
    lat, lon = booking.origin_of(
        session,
        actor=actor,
        vehicle_id=vehicle.id,
        lat=request.latitude,
        lon=request.longitude,
    )
    if repository.active_for_vehicle(session, vehicle.id):
        raise ConflictError("this car is already on the waitlist")
    if repository.active_for_owner(session, vehicle.owner_id) >= (
        settings.waitlist_max_entries_per_owner
    ):
        raise ConflictError("too many waitlist entries at once")
    entry = WaitlistEntry(
        owner_id=vehicle.owner_id,
        vehicle_id=vehicle.id,
        jobs=list(request.jobs),
        before=request.before,
        radius_km=request.radius_km,
        latitude=lat,
        longitude=lon,
        channels=[c.value for c in request.channels],
        status=states.WAITING,
        created_at=now,
        updated_at=now,
    )
    session.add(entry)
    session.flush()
    repository.add_event(
        session,
        entry_id=entry.id,
        offer_id=None,
        frm=None,
        to=states.WAITING,
        actor_id=actor.user_id,
        at=now,
    )
    session.flush()
    return entry


def _own_entry(session: Session, actor: Actor, entry_id: int) -> WaitlistEntry:
    found = repository.entry(session, entry_id)
    if found is None or not policy.owns(actor, found.owner_id):
        # Someone else's entry looks exactly like a missing one.
        raise NotFoundError("waitlist entry", entry_id)
    return found


def _own_offer(session: Session, actor: Actor, offer_id: int) -> WaitlistOffer:
    found = repository.offer(session, offer_id)
    if found is None:
        raise NotFoundError("offer", offer_id)
    _own_entry(session, actor, found.entry_id)
    return found


def get_entry(session: Session, *, actor: Actor, entry_id: int) -> WaitlistEntry:
    policy.require(actor, "waitlist.read")
    return _own_entry(session, actor, entry_id)


def list_for(
    session: Session, *, actor: Actor, limit: int = 50, offset: int = 0
) -> list[WaitlistEntry]:
    """The owner's own entries; every entry for an admin."""
    policy.require(actor, "waitlist.read")
    owner = None if not actor.is_owner else actor.owner_id
    return repository.of_owner(session, owner, limit=limit, offset=offset)


def withdraw(session: Session, *, actor: Actor, entry_id: int, now: datetime) -> WaitlistEntry:
    """Leave the waitlist; an open offer is cancelled and its slot given back."""
    policy.require(actor, "waitlist.respond")
    entry = _own_entry(session, actor, entry_id)
    states.check_entry(entry.status, states.WITHDRAWN)
    for o in repository.offers_of(session, [entry.id])[entry.id]:
        if o.status == states.OPEN and repository.move_offer(session, o.id, states.CANCELLED, now):
            _give_back(session, o, now, note="waitlist entry withdrawn")
    if not repository.move_entry(session, entry.id, entry.status, states.WITHDRAWN, now):
        raise InvalidTransitionError("the waitlist entry changed meanwhile")
    repository.add_event(
        session,
        entry_id=entry.id,
        offer_id=None,
        frm=entry.status,
        to=states.WITHDRAWN,
        actor_id=actor.user_id,
        at=now,
    )
    session.flush()
    session.refresh(entry)
    return entry


def accept(session: Session, *, actor: Actor, offer_id: int, now: datetime) -> WaitlistOffer:
    """Book the held slot. Raises ConflictError when the offer has expired (even if the worker
    has not marked it yet) and InvalidTransitionError when it was already closed; either way
    nothing changes."""
    policy.require(actor, "waitlist.respond")
    found = _own_offer(session, actor, offer_id)
    states.check_offer(found.status, states.ACCEPTED)
    if found.expires_at <= now or not repository.move_offer(
        session, found.id, states.ACCEPTED, now, unexpired_at=now
    ):
        raise ConflictError(
            f"the offer expired at {found.expires_at.isoformat()} and its slot has moved on"
        )
    booking.confirm_held(session, actor=SYSTEM, booking_id=found.booking_id, now=now)
    if not repository.move_entry(session, found.entry_id, states.OFFERED, states.BOOKED, now):
        raise InvalidTransitionError("the waitlist entry changed meanwhile")
    entry = repository.entry(session, found.entry_id)
    assert entry is not None
    entry.booking_id = found.booking_id
    repository.add_event(
        session,
        entry_id=found.entry_id,
        offer_id=found.id,
        frm=states.OFFERED,
        to=states.BOOKED,
        actor_id=actor.user_id,
        at=now,
        booking_id=found.booking_id,
    )
    session.flush()
    session.refresh(found)
    return found


def decline(
    session: Session, *, actor: Actor, offer_id: int, now: datetime, settings: Settings
) -> WaitlistOffer:
    """Decline the offer: its slot goes to the next entry at once; this entry keeps its place
    for other slots."""
    policy.require(actor, "waitlist.respond")
    found = _own_offer(session, actor, offer_id)
    states.check_offer(found.status, states.DECLINED)
    if not repository.move_offer(session, found.id, states.DECLINED, now):
        raise InvalidTransitionError("the offer was closed meanwhile")
    _give_back(session, found, now, note="offer declined", requeue=True, actor=actor)
    match_freed(session, now, settings=settings)
    session.refresh(found)
    return found


def _give_back(
    session: Session,
    o: WaitlistOffer,
    now: datetime,
    *,
    note: str,
    requeue: bool = False,
    actor: Actor = SYSTEM,
) -> None:
    booking.lapse_held(session, actor=SYSTEM, booking_id=o.booking_id, now=now, note=note)
    if requeue and repository.move_entry(session, o.entry_id, states.OFFERED, states.WAITING, now):
        repository.add_event(
            session,
            entry_id=o.entry_id,
            offer_id=o.id,
            frm=states.OFFERED,
            to=states.WAITING,
            actor_id=actor.user_id,
            at=now,
            reason=note,
        )


def expire_offers(session: Session, now: datetime) -> int:
    """Close every open offer past its time and give its slot back (idempotent: an offer
    closes once). Returns how many expired. ``match_freed`` then passes the slots on."""
    count = 0
    for o in repository.open_expired(session, now):
        if repository.move_offer(session, o.id, states.EXPIRED, now):
            _give_back(session, o, now, note="offer expired", requeue=True)
            count += 1
    session.flush()
    return count


def match_freed(session: Session, now: datetime, *, settings: Settings | None = None) -> int:
    """Offer free capacity to waiting entries in first-come order; returns offers made.

    Safe to run in several workers at once (one matcher at a time) and again at any moment.
    Each entry gets the best-ranked option that matches it now (on or before its date, within
    its radius or by its other channels) that it was not offered before; the option is held
    for ``waitlist_offer_minutes``.
    """
    settings = settings or get_settings()
    repository.lock_matcher(session)
    today = now.astimezone(BRAND_TZ).date()
    for old in repository.past_entries(session, today):
        if repository.move_entry(session, old.id, states.WAITING, states.ENDED, now):
            repository.add_event(
                session,
                entry_id=old.id,
                offer_id=None,
                frm=states.WAITING,
                to=states.ENDED,
                actor_id=None,
                at=now,
            )
    made = 0
    for entry in repository.waiting(session, settings.waitlist_match_batch):
        made += _serve(session, entry.id, today, now, settings)
    session.flush()
    return made


def _serve(
    session: Session,
    entry_id: int,
    today: date,
    now: datetime,
    settings: Settings,
    options: list[Option] | None = None,
) -> int:
    """Offer the entry its best open option, after every entry ahead of it that matches too.

    Capacity can free while a pass runs (an owner cancels, another worker's offer lapses) after
    the entries ahead have already found nothing; the freed slot must still reach the earliest
    entry it matches, so before an entry takes anything, the entries still waiting ahead of it
    search again. Costs nothing when nothing is free; when something is, a few more searches.
    ``options``: the entry's open options when the caller has just searched them.
    """
    entry = repository.entry(session, entry_id)
    if entry is None or entry.status != states.WAITING:
        return 0  # served ahead of its turn by a later entry's check, or withdrawn
    if options is None:
        options = _open_options(session, entry, today, now, settings)
    if not options:
        return 0
    made = 0
    for earlier in repository.waiting_ahead(session, entry.id, settings.waitlist_match_batch):
        found = _open_options(session, earlier, today, now, settings)
        if found:
            made += _serve(session, earlier.id, today, now, settings, found)
    if made:
        options = _open_options(session, entry, today, now, settings)
    for option in options:
        if _offer(session, entry, option, now, settings):
            return made + 1
    return made


def _open_options(
    session: Session, entry: WaitlistEntry, today: date, now: datetime, settings: Settings
) -> list[Option]:
    """What the entry could be offered now: matching options it was not offered before."""
    seen = repository.offered_slots(session, entry.id)
    options = booking.search_channels(
        session,
        jobs=booking.jobs(session, entry.jobs),
        latitude=entry.latitude,
        longitude=entry.longitude,
        radius_km=entry.radius_km,
        first_day=today,
        horizon_last=min(entry.before, today + timedelta(days=settings.booking_horizon_days)),
        channels={Channel(c) for c in entry.channels},
        now=now,
        settings=settings,
    )
    return [
        o
        for o in options
        if o.start.date() <= entry.before
        and (o.site_id, o.start.astimezone(ZoneInfo("UTC"))) not in seen
    ]


def _offer(
    session: Session, entry: WaitlistEntry, option: Option, now: datetime, settings: Settings
) -> bool:
    """Hold ``option`` for ``entry`` (in a savepoint: a slot taken meanwhile changes nothing)."""
    request = BookingCreate(
        vehicle_id=entry.vehicle_id,
        site_id=option.site_id,
        jobs=entry.jobs,
        start=option.start,
        transport=_TRANSPORT[option.channel],
        channel=option.channel,
        van_id=option.van_id,
        latitude=entry.latitude,
        longitude=entry.longitude,
    )
    try:
        with session.begin_nested():
            if not repository.move_entry(session, entry.id, states.WAITING, states.OFFERED, now):
                return False
            plan = booking.plan_request(
                session, actor=SYSTEM, request=request, now=now, settings=settings
            )
            booking.prepare(session, plan)
            held = booking.book(
                session,
                actor=SYSTEM,
                request=request,
                now=now,
                settings=settings,
                status=booking_states.HELD,
            )
            expires = now + timedelta(minutes=settings.waitlist_offer_minutes)
            offer = WaitlistOffer(
                entry_id=entry.id,
                booking_id=held.id,
                site_id=option.site_id,
                start_at=option.start,
                channel=option.channel.value,
                status=states.OPEN,
                offered_at=now,
                expires_at=expires,
            )
            session.add(offer)
            session.flush()
    except (CapacityTakenError, InvalidInputError):
        return False
    repository.add_event(
        session,
        entry_id=entry.id,
        offer_id=offer.id,
        frm=states.WAITING,
        to=states.OFFERED,
        actor_id=None,
        at=now,
        booking_id=held.id,
    )
    tz = option.start.tzinfo or BRAND_TZ
    outbox.enqueue(
        session,
        "notify.waitlist_offer",
        now=now,
        owner_id=entry.owner_id,
        offer_id=offer.id,
        site=option.site_name_en,
        site_zh=option.site_name_zh,
        start=option.start.strftime("%Y-%m-%d %H:%M"),
        expires=expires.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        link="/my/waitlist",
    )
    return True


def read_models(session: Session, entries: list[WaitlistEntry]) -> list[EntryRead]:
    offers = repository.offers_of(session, [e.id for e in entries])
    site_ids = {o.site_id for os in offers.values() for o in os}
    sites = network.sites_by_id(session, site_ids)
    backs = booking.back_times(session, [o.booking_id for os in offers.values() for o in os])
    out = []
    for e in entries:
        shown = []
        for o in offers[e.id]:
            site = sites[o.site_id]
            tz = ZoneInfo(site.timezone)
            back = backs.get(o.booking_id)
            shown.append(
                OfferRead(
                    id=o.id,
                    entry_id=o.entry_id,
                    booking_id=o.booking_id,
                    status=o.status,
                    channel=Channel(o.channel),
                    site_id=site.id,
                    site_code=site.code,
                    site_name_zh=site.name_zh,
                    site_name_en=site.name_en,
                    start=o.start_at.astimezone(tz),
                    back_at=back.astimezone(tz) if back else None,
                    expires_at=o.expires_at.astimezone(tz),
                    decided_at=o.decided_at.astimezone(tz) if o.decided_at else None,
                )
            )
        out.append(
            EntryRead(
                id=e.id,
                owner_id=e.owner_id,
                vehicle_id=e.vehicle_id,
                jobs=list(e.jobs),
                before=e.before,
                radius_km=e.radius_km,
                channels=[Channel(c) for c in e.channels],
                status=e.status,
                position=(
                    repository.position(session, e.id) if e.status == states.WAITING else None
                ),
                booking_id=e.booking_id,
                created_at=e.created_at,
                offers=shown,
            )
        )
    return out
