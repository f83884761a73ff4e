"""The whole life of a job through the API: booked with a loaner, checked in, diagnosed with
a photo, estimate decided line by line, parts awaited, ready, handed over, loaner back."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from pitstop.booking import service as booking_service
from pitstop.booking.models import Booking
from pitstop.jobs.models import OutboxJob
from pitstop.loaners import service as loaners
from pitstop.network.models import CapacityBucket
from tests.conftest import TEST_NOW, token_for
from tests.workshop.helpers import add_loaner, booked, check_in, move, png


def test_booked_job_with_loaner_from_check_in_to_hand_over(client, world, database, settings):  # type: ignore[no-untyped-def]
    alice, advisor, tech = (token_for(client, u) for u in ("alice", "advisor_sh", "tech_sh"))
    car = add_loaner(client, advisor, world.sites["sh"], "沪L00001")
    b = booked(client, alice, world.vehicles["alice"], "SH-C1", transport="loaner")

    wo = check_in(client, advisor, b["id"])
    assert wo["state"] == "checked_in" and wo["booking_id"] == b["id"]
    assert [a["loaner_id"] for a in wo["loaners"]] == [car["id"]]
    assert wo["loaners"][0]["reason"] == "requested" and wo["loaners"][0]["state"] == "out"
    assert client.get(f"/api/v1/bookings/{b['id']}", headers=alice).json()["status"] == "checked_in"
    wid = wo["id"]

    assert move(client, tech, wid, "diagnosing").status_code == 200
    r = client.post(
        f"/api/v1/work-orders/{wid}/findings",
        json={"title": "Front pads worn", "detail": "2 mm left", "severity": "urgent"},
        headers=tech,
    )
    assert r.status_code == 201, r.text
    finding = r.json()["findings"][0]
    image = png()
    r = client.post(
        f"/api/v1/work-orders/{wid}/findings/{finding['id']}/photos",
        files={"file": ("pads.bin", image, "application/octet-stream")},
        headers=tech,
    )
    assert r.status_code == 201, r.text
    photo = r.json()["findings"][0]["photos"][0]
    assert photo["content_type"] == "image/png" and photo["size_bytes"] == len(image)
    got = client.get(f"/api/v1/work-orders/{wid}/photos/{photo['id']}", headers=alice)
    assert got.status_code == 200 and got.content == image
    assert got.headers["content-type"] == "image/png"

    for desc, amount, minutes in (("Brake pads", 880.5, 90), ("Wiper blades", 120, 0)):
        r = client.post(
            f"/api/v1/work-orders/{wid}/estimate-lines",
            json={
                "description": desc,
                "amount": amount,
                "labour_minutes": minutes,
                "finding_id": finding["id"],
            },
            headers=advisor,
        )
        assert r.status_code == 201, r.text
    lines = r.json()["estimate"]
    assert [x["amount_cents"] for x in lines] == [88050, 12000]
    r = move(client, advisor, wid, "awaiting_approval")
    assert r.status_code == 200, r.text

    with database.unit_of_work(write=False) as s:
        job = s.scalar(select(OutboxJob).where(OutboxJob.name == "notify.estimate_ready"))
        assert job is not None
        assert job.payload["owner_id"] == world.owners["alice"]
        assert job.payload["amount_cents"] == 100050 and job.payload["site_name_zh"]

    pads, wipers = lines
    r = client.post(
        f"/api/v1/work-orders/{wid}/estimate-lines/{pads['id']}/decision",
        json={"approved": True},
        headers=alice,
    )
    assert r.status_code == 200 and r.json()["state"] == "awaiting_approval"
    assert r.json()["approved_at"] is not None
    r = client.post(
        f"/api/v1/work-orders/{wid}/estimate-lines/{wipers['id']}/decision",
        json={"approved": False},
        headers=alice,
    )
    assert r.status_code == 200
    decided = r.json()
    assert decided["state"] == "in_progress"
    assert decided["approved_total_cents"] == 88050

    eta = TEST_NOW + timedelta(days=3)
    r = client.post(
        f"/api/v1/work-orders/{wid}/parts",
        json={
            "part_number": "BP-1",
            "description": "Pads",
            "availability": "ordered",
            "eta": eta.isoformat(),
            "estimate_line_id": pads["id"],
        },
        headers=advisor,
    )
    assert r.status_code == 201, r.text
    waiting = r.json()
    # Waiting for the pads moves the expected-ready time to their arrival plus the fitting.
    assert datetime.fromisoformat(waiting["expected_ready_at"]) == eta + timedelta(minutes=90)
    assert datetime.fromisoformat(waiting["promised_ready_at"]) < eta
    assert move(client, advisor, wid, "awaiting_parts").status_code == 200
    part = waiting["parts"][0]
    r = client.post(f"/api/v1/work-orders/{wid}/parts/{part['id']}/received", headers=advisor)
    assert r.status_code == 200 and r.json()["parts"][0]["availability"] == "received"
    for to in ("in_progress", "quality_check", "ready"):
        r = move(client, tech, wid, to)
        assert r.status_code == 200, r.text
    assert r.json()["ready_at"] is not None
    with database.unit_of_work(write=False) as s:
        ready = s.scalar(select(OutboxJob).where(OutboxJob.name == "notify.car_ready"))
        assert ready is not None and ready.payload["owner_id"] == world.owners["alice"]
        assert ready.payload["plate"] and ready.payload["amount"] == "880.50"

    r = move(client, advisor, wid, "handed_over")
    assert r.status_code == 200
    done = r.json()
    assert done["handed_over_at"] is not None
    assert [e["to_state"] for e in done["history"] if e["from_state"] != e["to_state"]] == [
        "checked_in",
        "diagnosing",
        "awaiting_approval",
        "in_progress",
        "awaiting_parts",
        "in_progress",
        "quality_check",
        "ready",
        "handed_over",
    ]
    assert all(e["actor_id"] for e in done["history"])
    with database.unit_of_work(write=False) as s:
        assert s.get(Booking, b["id"]).status == "completed"  # type: ignore[union-attr]
        assert booking_service.verify_capacity(s) == []

    lent = done["loaners"][0]
    r = client.post(
        f"/api/v1/loaners/assignments/{lent['id']}/return",
        json={"odometer_km": 1290, "charge_pct": 64, "damage_note": ""},
        headers=advisor,
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "returned" and r.json()["return_odometer_km"] == 1290
    pool = client.get("/api/v1/loaners", headers=advisor).json()
    assert pool[0]["state"] == "available" and pool[0]["odometer_km"] == 1290


def test_owner_reads_own_job_timeline_only(client, world):  # type: ignore[no-untyped-def]
    alice, bob, advisor = (token_for(client, u) for u in ("alice", "bob", "advisor_sh"))
    b = booked(client, alice, world.vehicles["alice"], "SH-C1")
    wid = check_in(client, advisor, b["id"])["id"]
    assert [w["id"] for w in client.get("/api/v1/work-orders", headers=alice).json()] == [wid]
    assert client.get("/api/v1/work-orders", headers=bob).json() == []
    assert client.get(f"/api/v1/work-orders/{wid}", headers=bob).status_code == 404


def test_long_walk_in_gets_a_loaner_automatically(client, world):  # type: ignore[no-untyped-def]
    advisor = token_for(client, "advisor_sh")
    car = add_loaner(client, advisor, world.sites["sh"], "沪L00002")
    r = client.post(
        "/api/v1/work-orders",
        json={
            "site_id": world.sites["sh"],
            "vehicle_id": world.vehicles["bob"],
            "expected_hours": 30,
        },
        headers=advisor,
    )
    assert r.status_code == 201, r.text
    lent = r.json()["loaners"]
    assert [(a["loaner_id"], a["reason"]) for a in lent] == [(car["id"], "long_job")]
    short = client.post(
        "/api/v1/work-orders",
        json={
            "site_id": world.sites["sh"],
            "vehicle_id": world.vehicles["alice"],
            "expected_hours": 3,
        },
        headers=advisor,
    )
    assert short.status_code == 201 and short.json()["loaners"] == []


def test_recall_campaign_is_added_at_check_in(client, world):  # type: ignore[no-untyped-def]
    admin, alice, advisor = (token_for(client, u) for u in ("admin", "alice", "advisor_sh"))
    vin = client.get(f"/api/v1/vehicles/{world.vehicles['alice']}", headers=alice).json()["vin"]
    r = client.post(
        "/api/v1/recalls",
        json={
            "code": "R-2026-01",
            "title_zh": "安全带检查",
            "title_en": "Seat belt check",
            "vins": [vin],
            "labour_minutes": 30,
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    client.post(
        "/api/v1/recalls",
        json={
            "code": "R-OTHER",
            "title_zh": "其他",
            "title_en": "Other",
            "vin_from": "LPS1A2B3099999990",
            "vin_to": "LPS1A2B3099999999",
        },
        headers=admin,
    )
    b = booked(client, alice, world.vehicles["alice"], "SH-C1")
    wo = check_in(client, advisor, b["id"])
    assert [x["code"] for x in wo["recalls"]] == ["R-2026-01"]
    promised = datetime.fromisoformat(wo["promised_ready_at"])
    assert promised == datetime.fromisoformat(b["ready"]) + timedelta(minutes=30)


def test_parts_delay_past_the_threshold_lends_a_loaner(client, world):  # type: ignore[no-untyped-def]
    alice, advisor = token_for(client, "alice"), token_for(client, "advisor_sh")
    car = add_loaner(client, advisor, world.sites["sh"], "沪L00003")
    wid = check_in(client, advisor, booked(client, alice, world.vehicles["alice"], "SH-C1")["id"])[
        "id"
    ]
    move(client, advisor, wid, "diagnosing")
    soon = client.post(
        f"/api/v1/work-orders/{wid}/parts",
        json={
            "part_number": "F1",
            "description": "Fuse",
            "availability": "ordered",
            "eta": (TEST_NOW + timedelta(hours=5)).isoformat(),
        },
        headers=advisor,
    )
    assert soon.status_code == 201 and soon.json()["loaners"] == []
    late = client.post(
        f"/api/v1/work-orders/{wid}/parts",
        json={
            "part_number": "M1",
            "description": "Motor",
            "availability": "ordered",
            "eta": (TEST_NOW + timedelta(days=4)).isoformat(),
        },
        headers=advisor,
    )
    lent = late.json()["loaners"]
    assert [(a["loaner_id"], a["reason"]) for a in lent] == [(car["id"], "long_job")]
    assert lent[0]["last_day"] == (TEST_NOW + timedelta(days=4)).date().isoformat()


def test_cancelled_job_frees_its_loaner_and_completes_the_booking(client, world, database):  # type: ignore[no-untyped-def]
    alice, advisor = token_for(client, "alice"), token_for(client, "advisor_sh")
    car = add_loaner(client, advisor, world.sites["sh"], "沪L00004")
    b = booked(client, alice, world.vehicles["alice"], "SH-C1", transport="loaner")
    wo = check_in(client, advisor, b["id"])
    assert wo["loaners"][0]["loaner_id"] == car["id"]
    r = move(client, advisor, wo["id"], "cancelled")
    assert r.status_code == 200 and r.json()["loaners"][0]["state"] == "cancelled"
    with database.unit_of_work(write=False) as s:
        assert s.get(Booking, b["id"]).status == "completed"  # type: ignore[union-attr]
        assert booking_service.verify_capacity(s) == []
    # The car is free again for the next job the same day.
    other = client.post(
        "/api/v1/work-orders",
        json={"site_id": world.sites["sh"], "vehicle_id": world.vehicles["bob"]},
        headers=advisor,
    ).json()["id"]
    r = client.post(
        f"/api/v1/work-orders/{other}/loaner", json={"loaner_id": car["id"]}, headers=advisor
    )
    assert r.status_code == 201, r.text


def test_early_return_gives_unused_loaner_days_back(client, world, database):  # type: ignore[no-untyped-def]
    advisor = token_for(client, "advisor_sh")
    add_loaner(client, advisor, world.sites["sh"], "沪L00005")
    wo = client.post(
        "/api/v1/work-orders",
        json={
            "site_id": world.sites["sh"],
            "vehicle_id": world.vehicles["bob"],
            "expected_hours": 50,
        },
        headers=advisor,
    ).json()
    lent = wo["loaners"][0]

    def used() -> dict[str, int]:
        with database.unit_of_work(write=False) as s:
            rows = s.scalars(select(CapacityBucket).where(CapacityBucket.kind == "loaner"))
            return {b.day.isoformat(): b.used for b in rows if b.used}

    monday = TEST_NOW.date()
    days = [(monday + timedelta(days=i)).isoformat() for i in range(3)]
    assert (lent["first_day"], lent["last_day"]) == (days[0], days[2])
    assert used() == dict.fromkeys(days, 1)
    r = client.post(
        f"/api/v1/loaners/assignments/{lent['id']}/return",
        json={"odometer_km": 1250, "charge_pct": 90},
        headers=advisor,
    )
    assert r.status_code == 200 and r.json()["last_day"] == days[0]
    assert used() == {days[0]: 1}
    with database.unit_of_work(write=False) as s:
        walk_ins = loaners.unbooked_loaner_days(s)
    assert {d.isoformat(): n for (_site, d), n in walk_ins.items()} == used()


def test_capacity_check_counts_walk_in_loans(client, world, database):  # type: ignore[no-untyped-def]
    """A walk-in's loaner takes the site's per-day loaner bucket without a booking: the
    capacity check must count it (as `pitstop verify` does), and see a loan gone missing."""
    import json
    import os
    import subprocess
    import sys

    advisor = token_for(client, "advisor_sh")
    add_loaner(client, advisor, world.sites["sh"], "沪L00003")
    r = client.post(
        "/api/v1/work-orders",
        json={
            "site_id": world.sites["sh"],
            "vehicle_id": world.vehicles["bob"],
            "expected_hours": 30,
        },
        headers=advisor,
    )
    assert r.status_code == 201 and r.json()["loaners"], r.text
    with database.unit_of_work(write=False) as s:
        outside = loaners.unbooked_loaner_days(s)
        assert outside and booking_service.verify_capacity(s) != []  # bookings alone: off
        assert booking_service.verify_capacity(s, outside) == []
        doubled = {k: 2 * n for k, n in outside.items()}
        assert booking_service.verify_capacity(s, doubled) != []
    done = subprocess.run(
        [sys.executable, "-m", "pitstop", "verify", "--json"],
        env=os.environ
        | {"PITSTOP_DATABASE_URL": database.engine.url.render_as_string(hide_password=False)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == {"differences": []}


def test_a_late_loaner_is_not_lent_again_and_its_late_days_count(client, world, database, clock):  # type: ignore[no-untyped-def]
    advisor = token_for(client, "advisor_sh")
    car = add_loaner(client, advisor, world.sites["sh"], "沪L00006")
    lent = client.post(
        "/api/v1/work-orders",
        json={
            "site_id": world.sites["sh"],
            "vehicle_id": world.vehicles["bob"],
            "expected_hours": 30,
        },
        headers=advisor,
    ).json()["loaners"][0]
    monday = TEST_NOW.date()
    assert lent["last_day"] == (monday + timedelta(days=1)).isoformat()

    clock.advance(timedelta(days=3))  # Thursday: the car was due back on Tuesday
    advisor = token_for(client, "advisor_sh")  # a fresh token: the first one has expired
    other = client.post(
        "/api/v1/work-orders",
        json={
            "site_id": world.sites["sh"],
            "vehicle_id": world.vehicles["alice"],
            "expected_hours": 30,
        },
        headers=advisor,
    ).json()
    assert other.get("loaners") == [], (
        other
    )  # the only car is still out: nothing to lend automatically
    r = client.post(
        f"/api/v1/work-orders/{other['id']}/loaner", json={"loaner_id": car["id"]}, headers=advisor
    )
    assert r.status_code == 409 and "due back" in r.json()["detail"]

    r = client.post(
        f"/api/v1/loaners/assignments/{lent['id']}/return",
        json={"odometer_km": 1400, "charge_pct": 60},
        headers=advisor,
    )
    assert r.status_code == 200 and r.json()["last_day"] == (monday + timedelta(days=3)).isoformat()
    with database.unit_of_work(write=False) as s:
        used = {
            b.day: b.used
            for b in s.scalars(select(CapacityBucket).where(CapacityBucket.kind == "loaner"))
            if b.used
        }
        assert used == {monday + timedelta(days=i): 1 for i in range(4)}  # Wed and Thu too
        assert booking_service.verify_capacity(s, loaners.unbooked_loaner_days(s)) == []
    pool = client.get("/api/v1/loaners", headers=advisor).json()
    assert [(c["id"], c["state"]) for c in pool] == [(car["id"], "available")]  # back in the pool
