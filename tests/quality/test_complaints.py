"""Complaints: filed by owners with a deadline per category, answered and closed by the
staff of the site (outlet staff only their own), escalated once when the deadline passes."""

from __future__ import annotations

from datetime import datetime, timedelta

from pitstop.jobs.models import OutboxJob
from pitstop.notifications.models import InboxMessage
from pitstop.quality import service
from pitstop.quality.models import Complaint
from tests.conftest import token_for
from tests.notifications.helpers import count, inbox_of, jobs, worker
from tests.quality.helpers import completed_visit, file


def test_deadline_comes_from_the_category(client, world, database, clock):  # type: ignore[no-untyped-def]
    b = completed_visit(client, database, world)
    damage = file(client, "alice", booking_id=b["id"], category="damage").json()
    billing = file(client, "alice", site_id=world.sites["outlet"], category="billing").json()
    assert damage["site_id"] == world.sites["sh"] and damage["status"] == "open"
    assert datetime.fromisoformat(damage["deadline_at"]) == clock.now() + timedelta(hours=24)
    assert datetime.fromisoformat(billing["deadline_at"]) == clock.now() + timedelta(hours=72)
    assert [h["to_status"] for h in damage["history"]] == ["open"]


def test_complaint_needs_a_visit_or_a_site_and_another_owners_visit_is_unknown(
    client, world, database
):  # type: ignore[no-untyped-def]
    b = completed_visit(client, database, world)
    r = file(client, "alice")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "booking_id"
    r = file(client, "bob", booking_id=b["id"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "booking_id"
    r = file(client, "alice", booking_id=b["id"], site_id=world.sites["wh"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "site_id"
    assert count(database, Complaint) == 0


def test_outlet_staff_see_and_answer_only_their_outlets_complaints(client, world, database):  # type: ignore[no-untyped-def]
    at_outlet = file(client, "bob", site_id=world.sites["outlet"]).json()
    at_centre = file(client, "alice", site_id=world.sites["sh"]).json()
    partner = token_for(client, "partner")

    listed = client.get("/api/v1/complaints", headers=partner).json()
    assert [c["id"] for c in listed] == [at_outlet["id"]]
    assert client.get(f"/api/v1/complaints/{at_centre['id']}", headers=partner).status_code == 404
    r = client.post(
        f"/api/v1/complaints/{at_centre['id']}/respond", json={"response": "x"}, headers=partner
    )
    assert r.status_code == 404

    r = client.post(
        f"/api/v1/complaints/{at_outlet['id']}/respond",
        json={"response": "Sorry: we waited for a part."},
        headers=partner,
    )
    assert r.status_code == 200 and r.json()["status"] == "responded"
    quality = client.get("/api/v1/complaints", headers=token_for(client, "quality")).json()
    assert {c["id"] for c in quality} == {at_outlet["id"], at_centre["id"]}


def test_owner_is_told_of_the_response_and_can_close(client, world, database, clock):  # type: ignore[no-untyped-def]
    c = file(client, "bob", site_id=world.sites["outlet"]).json()
    client.post(
        f"/api/v1/complaints/{c['id']}/respond",
        json={"response": "Sorry: we waited for a part."},
        headers=token_for(client, "partner"),
    )
    worker(database, clock).drain(tick=False)
    (message,) = inbox_of(database, world.owners["bob"])
    assert message.kind == "complaint_responded" and "we waited for a part" in message.body

    bob = token_for(client, "bob")
    r = client.post(f"/api/v1/complaints/{c['id']}/close", json={"note": "ok"}, headers=bob)
    assert r.status_code == 200 and r.json()["status"] == "closed"
    again = client.post(f"/api/v1/complaints/{c['id']}/close", headers=bob)
    assert again.status_code == 409
    assert [h["to_status"] for h in again_history(client, c["id"], bob)] == [
        "open",
        "responded",
        "closed",
    ]


def again_history(client, complaint_id, headers):  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/complaints/{complaint_id}", headers=headers).json()["history"]


def test_overdue_complaint_is_escalated_once_and_staff_are_told(client, world, database, clock):  # type: ignore[no-untyped-def]
    c = file(client, "bob", site_id=world.sites["outlet"], category="delay").json()
    w = worker(database, clock)
    w.tick()
    assert count(database, OutboxJob, OutboxJob.name == "notify.complaint_escalated") == 0

    clock.advance(timedelta(hours=24))
    with database.unit_of_work() as s:
        assert service.escalate_overdue(s, now=clock.now()) == 1
    with database.unit_of_work() as s:
        assert service.escalate_overdue(s, now=clock.now()) == 0
    w.tick()
    w.drain(tick=False)

    assert count(database, OutboxJob, OutboxJob.name == "notify.complaint_escalated") == 1
    with database.unit_of_work(write=False) as s:
        told = {
            m.user_id
            for m in s.query(InboxMessage).filter(InboxMessage.kind == "complaint_escalated")
        }
    me = {
        name: client.get("/api/v1/me", headers=token_for(client, name)).json()["user_id"]
        for name in ("quality", "partner", "regional", "advisor_sh")
    }
    # Quality managers and the outlet's staff (the partner, the Shanghai regional advisor).
    assert told == {me["quality"], me["partner"], me["regional"]}
    got = client.get(f"/api/v1/complaints/{c['id']}", headers=token_for(client, "bob")).json()
    assert got["escalated_at"] is not None and got["overdue"] and got["status"] == "open"
    assert all(j.status == "done" for j in jobs(database))


def test_answered_complaint_is_not_escalated(client, world, database, clock):  # type: ignore[no-untyped-def]
    c = file(client, "bob", site_id=world.sites["outlet"], category="delay").json()
    client.post(
        f"/api/v1/complaints/{c['id']}/respond",
        json={"response": "On it"},
        headers=token_for(client, "partner"),
    )
    clock.advance(timedelta(days=5))
    with database.unit_of_work() as s:
        assert service.escalate_overdue(s, now=clock.now()) == 0
