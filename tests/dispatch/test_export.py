"""Itineraries out: CSV with one row per stop, iCalendar per RFC 5545 (CRLF, folded lines,
escaped text, one event per stop), filtered to one van or driver."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.conftest import token_for
from tests.dispatch.helpers import SPOTS, TOMORROW, book_pickup, book_visit, make_driver, make_van


def _planned(client: Any, world: Any, database: Any) -> tuple[dict[str, str], dict[str, Any]]:
    with database.unit_of_work() as s:
        van = make_van(s, world.sites["sh"], "VAN-1")
        for k, w in enumerate([(9, 11), (11, 13), (13, 15)]):
            book_visit(s, world, van, day=TOMORROW, window=w, spot=SPOTS[k])
        book_pickup(
            s, world, make_driver(s, world.sites["sh"], "DRV-1"), day=TOMORROW, slot=10, ready=15
        )
    headers = token_for(client, "dispatcher")
    body = {"day": TOMORROW.isoformat(), "region": "Shanghai", "iterations": 200}
    plan = client.post("/api/v1/dispatch/plans", json=body, headers=headers).json()
    return headers, plan


def test_csv_has_a_row_per_stop_in_route_order(client, world, database):  # type: ignore[no-untyped-def]
    headers, plan = _planned(client, world, database)
    r = client.get(f"/api/v1/dispatch/plans/{plan['id']}/itinerary.csv", headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 5
    van = [row for row in rows if row["code"] == "VAN-1"]
    assert [row["seq"] for row in van] == ["1", "2", "3"]
    assert [row["starts"] for row in van] == sorted(row["starts"] for row in van)
    only = client.get(
        f"/api/v1/dispatch/plans/{plan['id']}/itinerary.csv",
        params={"code": "DRV-1"},
        headers=headers,
    )
    assert {row["kind"] for row in csv.DictReader(io.StringIO(only.text))} == {
        "collect",
        "deliver",
    }


def test_ics_is_rfc5545_with_one_event_per_stop(client, world, database):  # type: ignore[no-untyped-def]
    headers, plan = _planned(client, world, database)
    r = client.get(f"/api/v1/dispatch/plans/{plan['id']}/itinerary.ics", headers=headers)
    assert r.headers["content-type"].startswith("text/calendar")
    body = r.content
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    lines = body.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert b"\n" not in body.replace(b"\r\n", b"")
    unfolded = body.decode().replace("\r\n ", "")
    events = unfolded.count("BEGIN:VEVENT")
    assert events == 5 == unfolded.count("END:VEVENT")
    uids = [ln for ln in unfolded.split("\r\n") if ln.startswith("UID:")]
    assert len(set(uids)) == 5
    assert "DTSTART:" in unfolded and unfolded.count("Z\r\n") >= 15  # UTC stamps
    summary = next(ln for ln in unfolded.split("\r\n") if ln.startswith("DESCRIPTION:"))
    assert "\\," in summary  # commas escaped as TEXT requires
