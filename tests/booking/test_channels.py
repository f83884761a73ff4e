"""Channels in availability and booking: mobile service and pickup to a farther site, through
the API, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from pitstop.booking.models import DriverDay, ValetLeg, VanDay
from pitstop.booking.service import verify_capacity
from tests.booking.channel_world import add_far_site_with_driver, add_van, close_near_sites
from tests.booking.helpers import book, counts, options
from tests.conftest import token_for


def _ranked(found):  # type: ignore[no-untyped-def]
    effort = {"mobile": 0, "pickup": 1, "drive_in": 2}
    keys = [
        (datetime.fromisoformat(o["back_at"]), effort[o["channel"]], o["owner_travel_minutes"])
        for o in found
    ]
    return keys == sorted(keys)


def test_search_offers_mobile_for_eligible_jobs_ranked_by_back_time(client, world, database):  # type: ignore[no-untyped-def]
    add_van(database, world.sites["sh"])
    h = token_for(client, "alice")
    found = options(client, h, world.vehicles["alice"])
    assert {o["channel"] for o in found} == {"mobile", "drive_in"}
    assert _ranked(found)
    mobile = next(o for o in found if o["channel"] == "mobile")
    assert mobile["van_code"] == f"VAN-{world.sites['sh']}"
    assert mobile["owner_travel_minutes"] == 0
    assert datetime.fromisoformat(mobile["window_end"]) > datetime.fromisoformat(mobile["start"])
    assert mobile["transport_options"] == ["mobile"]
    drive = next(o for o in found if o["channel"] == "drive_in")
    assert datetime.fromisoformat(drive["back_at"]) > datetime.fromisoformat(drive["ready"])
    # Brakes are not mobile-eligible: no van offers them.
    assert all(
        o["channel"] == "drive_in"
        for o in options(client, h, world.vehicles["alice"], jobs=("brakes",))
    )


def test_book_mobile_puts_the_visit_on_the_van_day(client, world, database):  # type: ignore[no-untyped-def]
    add_van(database, world.sites["sh"])
    h = token_for(client, "alice")
    mobile = next(
        o
        for o in options(client, h, world.vehicles["alice"], channels=["mobile"])
        if o["channel"] == "mobile"
    )
    r = book(
        client,
        h,
        world.vehicles["alice"],
        mobile,
        channel="mobile",
        van_id=mobile["van_id"],
        address="Lane 5, Century Avenue",
    )
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["channel"] == "mobile" and got["transport"] == "mobile"
    assert got["van_code"] == mobile["van_code"] and got["address"] == "Lane 5, Century Avenue"
    assert got["window_end"] == mobile["window_end"]
    with database.unit_of_work(write=False) as s:
        (day,) = s.scalars(select(VanDay)).all()
        assert day.visits == 1
        assert verify_capacity(s) == []
    # Cancelling takes the visit off the van again.
    assert client.post(f"/api/v1/bookings/{got['id']}/cancel", headers=h).status_code == 200
    with database.unit_of_work(write=False) as s:
        assert s.scalars(select(VanDay)).one().visits == 0
        assert verify_capacity(s) == []


def test_a_full_van_is_never_overbooked(client, world, database):  # type: ignore[no-untyped-def]
    add_van(database, world.sites["sh"], capacity=1)
    ha, hb = token_for(client, "alice"), token_for(client, "bob")
    mobile = options(client, ha, world.vehicles["alice"], channels=["mobile"])[0]
    first = book(
        client, ha, world.vehicles["alice"], mobile, channel="mobile", van_id=mobile["van_id"]
    )
    assert first.status_code == 201, first.text
    again = book(
        client, hb, world.vehicles["bob"], mobile, channel="mobile", van_id=mobile["van_id"]
    )
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    # The van's day is full: Bob's options skip it.
    day = mobile["start"][:10]
    assert all(
        o["start"][:10] != day
        for o in options(client, hb, world.vehicles["bob"], channels=["mobile"])
    )


def test_mobile_request_for_a_job_that_is_not_eligible_is_refused(client, world, database):  # type: ignore[no-untyped-def]
    van = add_van(database, world.sites["sh"], skills=[])
    h = token_for(client, "alice")
    mobile = options(client, h, world.vehicles["alice"], channels=["mobile"])[0]
    before = counts(database)
    r = book(
        client, h, world.vehicles["alice"], mobile, jobs=("brakes",), channel="mobile", van_id=van
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "jobs"
    assert counts(database) == before


def test_coordinates_out_of_range_are_refused_with_the_field(client, world, database):  # type: ignore[no-untyped-def]
    van = add_van(database, world.sites["sh"])
    h = token_for(client, "alice")
    r = client.get(
        "/api/v1/availability",
        params={
            "vehicle_id": world.vehicles["alice"],
            "jobs": ["service"],
            "latitude": 91,
            "longitude": 10,
        },
        headers=h,
    )
    assert r.status_code == 422
    assert any(e["field"].endswith("latitude") for e in r.json()["errors"])
    mobile = options(client, h, world.vehicles["alice"], channels=["mobile"])[0]
    before = counts(database)
    r = book(
        client,
        h,
        world.vehicles["alice"],
        mobile,
        channel="mobile",
        van_id=van,
        latitude=31.2,
        longitude=181.0,
    )
    assert r.status_code == 422
    assert any(e["field"].endswith("longitude") for e in r.json()["errors"])
    # In range but beyond the van's reach (Wuhan): refused, by field.
    r = book(
        client,
        h,
        world.vehicles["alice"],
        mobile,
        channel="mobile",
        van_id=van,
        latitude=30.6,
        longitude=114.3,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "latitude"
    assert counts(database) == before


def test_pickup_takes_the_car_to_a_farther_site_with_earlier_capacity(client, world, database):  # type: ignore[no-untyped-def]
    far = add_far_site_with_driver(database)
    close_near_sites(database, [world.sites["sh"], world.sites["outlet"]], days=7)
    h = token_for(client, "alice")
    found = options(client, h, world.vehicles["alice"])
    assert _ranked(found)
    first = found[0]
    assert first["channel"] == "pickup" and first["site_id"] == far
    assert first["distance_km"] > 50
    assert first["owner_travel_minutes"] == 0
    assert datetime.fromisoformat(first["collect_at"]) < datetime.fromisoformat(first["start"])
    drive = next(o for o in found if o["channel"] == "drive_in")
    assert datetime.fromisoformat(drive["back_at"]) > datetime.fromisoformat(first["back_at"])
    r = book(
        client, h, world.vehicles["alice"], first, channel="pickup", transport="pickup_delivery"
    )
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["channel"] == "pickup" and got["transport"] == "pickup_delivery"
    with database.unit_of_work(write=False) as s:
        used = sorted(d.used for d in s.scalars(select(DriverDay)))
        assert used and all(u > 0 for u in used)  # the collection and the return
        assert verify_capacity(s) == []
    assert client.post(f"/api/v1/bookings/{got['id']}/cancel", headers=h).status_code == 200
    with database.unit_of_work(write=False) as s:
        assert all(d.used == 0 for d in s.scalars(select(DriverDay)))
        assert verify_capacity(s) == []


def test_a_busy_driver_is_never_overbooked(client, world, database):  # type: ignore[no-untyped-def]
    """One driver whose shift (08:00-16:00) holds one leg of about five hours a day: the first
    pickup's collection fills the evening before, so a second pickup for the same morning is
    refused although the site still has valet trips to sell."""
    add_far_site_with_driver(database, shift_end=time(16, 0))
    close_near_sites(database, [world.sites["sh"], world.sites["outlet"]], days=7)
    ha = token_for(client, "alice")
    pickup = options(client, ha, world.vehicles["alice"], channels=["pickup"])[0]
    assert datetime.fromisoformat(pickup["start"]).time() == time(9, 0)
    results = [
        book(client, token_for(client, n), world.vehicles[n], pickup, channel="pickup").status_code
        for n in ("alice", "bob")
    ]
    assert results == [201, 409]
    with database.unit_of_work(write=False) as s:
        assert verify_capacity(s) == []


def test_a_shift_too_short_for_the_leg_offers_no_pickup(client, world, database):  # type: ignore[no-untyped-def]
    """Minutes a day are not enough: a four-hour shift cannot hold a leg of almost five hours,
    on the day or the evening before. No pickup is offered there, and asking for one anyway
    is refused with nothing taken."""
    far = add_far_site_with_driver(database, shift_end=time(12, 0))
    close_near_sites(database, [world.sites["sh"], world.sites["outlet"]], days=7)
    h = token_for(client, "alice")
    assert [
        o for o in options(client, h, world.vehicles["alice"]) if o["channel"] == "pickup"
    ] == []
    drive = next(
        o for o in options(client, h, world.vehicles["alice"], radius_km=150) if o["site_id"] == far
    )
    before = counts(database)
    r = book(client, h, world.vehicles["alice"], drive, channel="pickup")
    assert r.status_code == 409, r.text
    assert counts(database) == before
    with database.unit_of_work(write=False) as s:
        assert all(d.used == 0 for d in s.scalars(select(DriverDay)))


def _leg_days(database, booking_id):  # type: ignore[no-untyped-def]
    with database.unit_of_work(write=False) as s:
        return {
            x.leg: s.get(DriverDay, x.driver_day_id).day
            for x in s.scalars(select(ValetLeg).where(ValetLeg.booking_id == booking_id))
        }


def _far_pickup(client, world, database, far):  # type: ignore[no-untyped-def]
    """Alice's pickup option at the far site, with the sites near her closed for a week."""
    close_near_sites(database, [world.sites["sh"], world.sites["outlet"]], days=7)
    h = token_for(client, "alice")
    pickup = next(
        o
        for o in options(client, h, world.vehicles["alice"], channels=["pickup"])
        if o["site_id"] == far
    )
    return h, pickup


def test_an_early_drop_off_is_collected_the_evening_before(client, world, database):  # type: ignore[no-untyped-def]
    """A 09:00 drop-off five hours' drive from an 08:00 driver: the car is collected the
    evening before (by the end of the shift) and waits at the site; it goes home the day it
    is ready, within the shift."""
    far = add_far_site_with_driver(database)
    h, pickup = _far_pickup(client, world, database, far)
    start, ready = datetime.fromisoformat(pickup["start"]), datetime.fromisoformat(pickup["ready"])
    collect = datetime.fromisoformat(pickup["collect_at"])
    assert start.time() == time(9, 0)
    assert collect.date() == start.date() - timedelta(days=1)
    assert time(16, 0) < collect.time() < time(20, 0)  # 20:00 less the drive and handover
    r = book(client, h, world.vehicles["alice"], pickup, channel="pickup")
    assert r.status_code == 201, r.text
    assert _leg_days(database, r.json()["id"]) == {
        "collect": start.date() - timedelta(days=1),
        "deliver": ready.date(),
    }
    with database.unit_of_work(write=False) as s:
        assert verify_capacity(s) == []


def test_a_car_ready_too_late_for_the_shift_goes_home_the_next_morning(client, world, database):  # type: ignore[no-untyped-def]
    """The driver works 06:00-13:00: a car ready at 10:30 with a five-hour leg home cannot
    make it that day, so the return leg, its valet trip and the promised back time move to
    the next morning (06:00 + the drive + the handover), and the driver's day holds it."""
    far = add_far_site_with_driver(database, shift_start=time(6, 0), shift_end=time(13, 0))
    h, pickup = _far_pickup(client, world, database, far)
    start, ready = datetime.fromisoformat(pickup["start"]), datetime.fromisoformat(pickup["ready"])
    back = datetime.fromisoformat(pickup["back_at"])
    assert back.date() == ready.date() + timedelta(days=1)
    assert time(8, 0) <= back.time() <= time(9, 0)  # 06:00 + about 2 h 20 min + handover
    r = book(client, h, world.vehicles["alice"], pickup, channel="pickup")
    assert r.status_code == 201, r.text
    assert datetime.fromisoformat(r.json()["back_at"]) == back
    assert _leg_days(database, r.json()["id"]) == {
        "collect": start.date() - timedelta(days=1),
        "deliver": ready.date() + timedelta(days=1),
    }
    with database.unit_of_work(write=False) as s:
        assert verify_capacity(s) == []


def test_pickup_keeps_its_meeting_point_and_stays_a_pickup_when_moved(client, world, database):  # type: ignore[no-untyped-def]
    """The owner asks to be collected at the office, not at home: the valet legs keep that
    point (dispatch reads it), and moving the booking keeps the pickup, from the same door."""
    add_far_site_with_driver(database)
    close_near_sites(database, [world.sites["sh"], world.sites["outlet"]], days=7)
    h = token_for(client, "alice")
    office = {"latitude": 31.2304, "longitude": 121.4737}  # People's Square, not alice's home
    found = [
        o
        for o in options(client, h, world.vehicles["alice"], channels=["pickup"], **office)
        if o["channel"] == "pickup"
    ]
    first, later = found[0], next(o for o in found if o["start"] != found[0]["start"])
    r = book(client, h, world.vehicles["alice"], first, channel="pickup", **office)
    assert r.status_code == 201, r.text
    booking_id = r.json()["id"]

    def legs() -> list[tuple[str, float | None, float | None]]:
        with database.unit_of_work(write=False) as s:
            return sorted(
                (x.leg, x.latitude, x.longitude)
                for x in s.scalars(select(ValetLeg).where(ValetLeg.booking_id == booking_id))
            )

    point = (office["latitude"], office["longitude"])
    assert legs() == [("collect", *point), ("deliver", *point)]
    r = client.post(
        f"/api/v1/bookings/{booking_id}/reschedule", json={"start": later["start"]}, headers=h
    )
    assert r.status_code == 200, r.text
    assert r.json()["channel"] == "pickup"
    assert legs() == [("collect", *point), ("deliver", *point)]
    with database.unit_of_work(write=False) as s:
        assert verify_capacity(s) == []
