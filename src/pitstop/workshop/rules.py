"""Pure workshop calculations: expected-ready time, recall matching, image types."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

# Content sniffing: the first bytes decide the type, never the file name or the browser.
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"


def image_type(head: bytes) -> str | None:
    """``image/jpeg``, ``image/png`` or ``image/webp`` from the leading bytes, else None."""
    if head.startswith(_JPEG):
        return "image/jpeg"
    if head.startswith(_PNG):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def vin_matches(vin: str, *, vin_from: str | None, vin_to: str | None, vins: Sequence[str]) -> bool:
    """A VIN is in a campaign if listed, or inside the inclusive range ``vin_from..vin_to``.

    VINs of one plant and model year share their first 11 characters and count up in the
    last six, so plain string order is the serial order the campaigns are written in.
    """
    vin = vin.upper()
    if vin in {v.upper() for v in vins}:
        return True
    if vin_from and vin_to:
        lo, hi = vin_from.upper(), vin_to.upper()
        return len(vin) == len(lo) == len(hi) and lo <= vin <= hi
    return False


def expected_ready(
    *,
    promised: datetime,
    approved_work: Iterable[tuple[datetime, int]],
    parts_etas: Iterable[datetime],
    labour_after_parts_minutes: int,
) -> datetime:
    """When the car should be ready: the promise, pushed back by late work and late parts.

    ``approved_work`` holds (decided at, labour minutes) of each approved estimate line: work
    approved late cannot finish before it is done. Parts still on order push the time to the
    latest arrival plus the labour that waits on them.
    """
    latest = promised
    for decided_at, minutes in approved_work:
        latest = max(latest, decided_at + timedelta(minutes=minutes))
    etas = list(parts_etas)
    if etas:
        latest = max(latest, max(etas) + timedelta(minutes=labour_after_parts_minutes))
    return latest


def needs_loaner(
    *, checked_in_at: datetime, expected_ready_at: datetime, threshold_hours: float
) -> bool:
    """A job keeping the car longer than the threshold earns the owner a loaner."""
    return expected_ready_at - checked_in_at > timedelta(hours=threshold_hours)
