"""A plan's itineraries as CSV (one row per stop) and as iCalendar (RFC 5545, one event per
stop), written here rather than through a library: the format is small and fully specified.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pitstop.dispatch.schemas import PlanRead, RouteRead

CSV_COLUMNS = (
    "crew",
    "code",
    "seq",
    "kind",
    "reference",
    "arrives",
    "starts",
    "ends",
    "window_from",
    "window_to",
    "travel_minutes",
    "distance_km",
    "idle_minutes",
    "locked",
    "latitude",
    "longitude",
    "to_latitude",
    "to_longitude",
)


def routes_of(plan: PlanRead, code: str | None) -> list[RouteRead]:
    """The plan's routes, or only the named van's or driver's."""
    return [r for r in plan.routes if code is None or r.code == code]


def to_csv(plan: PlanRead, code: str | None = None) -> str:
    """Local times (the region's zone) as ``HH:MM``; one row per stop in route order."""
    tz = ZoneInfo(plan.timezone)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)

    def hm(at: datetime) -> str:
        return at.astimezone(tz).strftime("%H:%M")

    for route in routes_of(plan, code):
        for s in route.stops:
            writer.writerow(
                (
                    route.crew,
                    route.code,
                    s.seq + 1,
                    s.kind,
                    s.reference,
                    hm(s.arrives_at),
                    hm(s.starts_at),
                    hm(s.ends_at),
                    hm(s.window_from),
                    hm(s.window_to),
                    s.travel_minutes,
                    s.distance_km,
                    s.idle_minutes,
                    "yes" if s.locked else "no",
                    s.latitude,
                    s.longitude,
                    s.to_latitude,
                    s.to_longitude,
                )
            )
    return buf.getvalue()


def _text(value: str) -> str:
    """RFC 5545 3.3.11 TEXT: escape backslash, semicolon, comma and newlines."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 3.1: lines longer than 75 octets continue on the next line after CRLF+space,
    never splitting a UTF-8 character."""
    out: list[str] = []
    current, size = "", 0
    limit = 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += n
    out.append(current)
    return "\r\n".join(out)


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def to_ics(plan: PlanRead, code: str | None = None) -> str:
    """A VCALENDAR with one VEVENT per stop, times in UTC, ``UID`` stable per plan and job."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Pitstop//Dispatch//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text(f'Dispatch {plan.region} {plan.day.isoformat()}')}",
    ]
    for route in routes_of(plan, code):
        for s in route.stops:
            what = {"mobile": "Mobile service", "collect": "Valet collection"}.get(
                s.kind, "Valet return"
            )
            lines += [
                "BEGIN:VEVENT",
                f"UID:plan{plan.id}-{s.job_key}@pitstop",
                f"DTSTAMP:{_utc(plan.created_at)}",
                f"DTSTART:{_utc(s.starts_at)}",
                f"DTEND:{_utc(s.ends_at)}",
                f"SUMMARY:{_text(f'{route.code}: {what} {s.reference}')}",
                f"GEO:{s.latitude:.6f};{s.longitude:.6f}",
                f"LOCATION:{_text(f'{s.latitude:.5f}, {s.longitude:.5f}')}",
                "DESCRIPTION:"
                + _text(
                    f"Stop {s.seq + 1} of {route.code}. Owner told "
                    f"{_hm(s.window_from, plan.timezone)}-{_hm(s.window_to, plan.timezone)}. "
                    f"Travel {s.travel_minutes} min, {s.distance_km} km."
                ),
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _hm(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%H:%M")
