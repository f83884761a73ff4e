"""Sending deliveries on outside channels: claim one, send it outside any transaction, record.

Each delivery is claimed alone (its lease must outlast one send: keep
``worker_lease_seconds`` above the SMTP timeout), so no other worker can take it while it is
being sent. A delivery recorded ``done`` is never sent again; the one window left is a crash
after the channel accepted the message and before ``done`` was committed, and the message
carries its delivery key (the e-mail's Message-ID) so the receiving side can tell.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from pitstop.clock import Clock
from pitstop.db.uow import Database
from pitstop.jobs import claims
from pitstop.jobs.claims import LostClaimError, Retry
from pitstop.notifications.channels import Channel, ChannelError, Outgoing
from pitstop.notifications.models import Delivery

logger = logging.getLogger("pitstop.worker")


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.retried + self.failed


def _fail(
    db: Database,
    delivery_id: int,
    *,
    worker: str,
    clock: Clock,
    error: str,
    retry: Retry,
    final: bool,
) -> str:
    with db.unit_of_work() as s:
        return claims.fail(
            s,
            Delivery,
            delivery_id,
            worker=worker,
            now=clock.now(),
            error=error,
            retry=retry,
            final=final,
        )


def send_next(
    db: Database,
    *,
    channels: dict[str, Channel],
    worker: str,
    clock: Clock,
    lease: timedelta,
    retry: Retry,
    report: SendReport,
) -> bool:
    """Claim and send one due delivery; False when none was due."""
    with db.unit_of_work() as s:
        ids = claims.claim(s, Delivery, worker=worker, now=clock.now(), lease=lease, limit=1)
        if not ids:
            return False
        row = s.get(Delivery, ids[0])
        assert row is not None
        delivery_id, channel_name = row.id, row.channel
        message = Outgoing(key=row.key, address=row.address, subject=row.subject, body=row.body)
    channel = channels.get(channel_name)
    error: str | None = None
    final = False
    if channel is None:
        error, final = f"no channel {channel_name!r} is configured", True
    else:
        try:
            channel.send(message)
        except ChannelError as exc:
            error, final = str(exc), exc.final
        except Exception as exc:  # an adapter's own failure: retried like any other
            error = f"{type(exc).__name__}: {exc}"
    if error is not None:
        status = _fail(
            db, delivery_id, worker=worker, clock=clock, error=error, retry=retry, final=final
        )
        if status == claims.FAILED:
            report.failed += 1
        else:
            report.retried += 1
        return True
    try:
        with db.unit_of_work() as s:
            claims.finish(s, Delivery, delivery_id, worker=worker, now=clock.now())
    except LostClaimError:
        # The lease ran out mid-send and another worker took the row, so it may go out twice:
        # keep worker_lease_seconds above the channel's timeout and this cannot happen.
        logger.warning("delivery %s was sent after its lease ran out", delivery_id)
    report.sent += 1
    return True
