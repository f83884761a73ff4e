"""The worker: runs outbox jobs, sends deliveries on outside channels, and ticks the periodic
steps. Any number of workers may run against one PostgreSQL database (claims skip each
other's rows); on SQLite run one.

Each job runs in one transaction with its handler's changes and its "done" mark, so its
database effects happen once; a failure rolls them back and the job is retried after an
exponential backoff, until ``max_attempts`` (then ``failed``, with ``last_error``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from pitstop.clock import Clock
from pitstop.config import Settings
from pitstop.db.uow import Database
from pitstop.jobs import claims
from pitstop.jobs.claims import LostClaimError, Retry
from pitstop.jobs.handlers import (
    HANDLERS,
    JOB_ID,
    LONG,
    PERIODIC,
    Handler,
    LongHandler,
    Periodic,
)
from pitstop.jobs.models import OutboxJob
from pitstop.notifications import delivery
from pitstop.notifications.channels import Channel

logger = logging.getLogger("pitstop.worker")


class UnknownJobError(Exception):
    """No handler is registered for the job's name: retrying cannot help."""


@dataclass(frozen=True)
class WorkerOptions:
    lease: timedelta = timedelta(seconds=60)
    retry: Retry = field(default_factory=Retry)
    batch: int = 20
    poll_seconds: float = 2.0
    tick_seconds: float = 300.0

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkerOptions:
        return cls(
            lease=timedelta(seconds=settings.worker_lease_seconds),
            retry=Retry(
                max_attempts=settings.worker_max_attempts,
                base=timedelta(seconds=settings.worker_backoff_seconds),
                cap=timedelta(seconds=settings.worker_backoff_max_seconds),
            ),
            poll_seconds=settings.worker_poll_seconds,
            tick_seconds=settings.worker_tick_seconds,
        )


@dataclass
class Report:
    """What one drain did."""

    scheduled: int = 0
    done: int = 0
    retried: int = 0
    failed: int = 0
    sent: delivery.SendReport = field(default_factory=delivery.SendReport)

    def as_dict(self) -> dict[str, int]:
        return {
            "scheduled": self.scheduled,
            "jobs_done": self.done,
            "jobs_retried": self.retried,
            "jobs_failed": self.failed,
            "sent": self.sent.sent,
            "send_retried": self.sent.retried,
            "send_failed": self.sent.failed,
        }


def default_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


class Worker:
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        channels: Mapping[str, Channel],
        options: WorkerOptions | None = None,
        handlers: Mapping[str, Handler] | None = None,
        periodic: Mapping[str, Periodic] | None = None,
        long: Mapping[str, tuple[LongHandler, timedelta]] | None = None,
        name: str | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.channels = dict(channels)
        self.options = options or WorkerOptions()
        self.handlers = HANDLERS if handlers is None else handlers
        self.periodic = PERIODIC if periodic is None else periodic
        self.long = LONG if long is None else long
        self.name = name or default_name()

    # --- periodic steps ------------------------------------------------------------------

    def tick(self, report: Report | None = None) -> int:
        """Run every periodic step, each in its own transaction; returns jobs they added."""
        added = 0
        for step_name, step in self.periodic.items():
            try:
                with self.db.unit_of_work() as s:
                    added += step(s, self.clock.now())
            except Exception:
                # One broken step must not stop deliveries; it is retried next tick.
                logger.exception("periodic step %s failed", step_name)
        if report is not None:
            report.scheduled += added
        return added

    # --- jobs -----------------------------------------------------------------------------

    def _run_job(self, job_id: int, report: Report) -> None:
        now = self.clock.now()
        try:
            long_job: LongHandler | None = None
            with self.db.unit_of_work() as s:
                job = s.get(OutboxJob, job_id)
                if job is None or job.locked_by != self.name or job.status != claims.RUNNING:
                    return
                payload = {**job.payload, JOB_ID: job.id}
                if job.name in self.long:
                    long_job, lease = self.long[job.name]
                    claims.extend(s, OutboxJob, job_id, worker=self.name, until=now + lease)
                else:
                    handler = self.handlers.get(job.name)
                    if handler is None:
                        raise UnknownJobError(f"no handler is registered for job {job.name!r}")
                    handler(s, payload, now)
                    claims.finish(s, OutboxJob, job_id, worker=self.name, now=now)
            if long_job is not None:
                long_job(self.db, payload, now)
                with self.db.unit_of_work() as s:
                    claims.finish(s, OutboxJob, job_id, worker=self.name, now=self.clock.now())
        except LostClaimError:
            logger.warning("job %s was taken by another worker; its result was dropped", job_id)
            return
        except Exception as exc:
            logger.warning("job %s failed: %s", job_id, exc)
            with self.db.unit_of_work() as s:
                status = claims.fail(
                    s,
                    OutboxJob,
                    job_id,
                    worker=self.name,
                    now=self.clock.now(),
                    error=f"{type(exc).__name__}: {exc}",
                    retry=self.options.retry,
                    final=isinstance(exc, UnknownJobError),
                )
            if status == claims.FAILED:
                report.failed += 1
            elif status == claims.PENDING:
                report.retried += 1
            return
        report.done += 1

    def run_jobs(self, report: Report) -> int:
        """Claim a batch of due jobs and run them; returns how many were claimed."""
        with self.db.unit_of_work() as s:
            ids = claims.claim(
                s,
                OutboxJob,
                worker=self.name,
                now=self.clock.now(),
                lease=self.options.lease,
                limit=self.options.batch,
            )
        for job_id in ids:
            self._run_job(job_id, report)
        return len(ids)

    # --- deliveries -----------------------------------------------------------------------

    def send_deliveries(self, report: Report, *, limit: int | None = None) -> int:
        sent = 0
        while limit is None or sent < limit:
            if not delivery.send_next(
                self.db,
                channels=self.channels,
                worker=self.name,
                clock=self.clock,
                lease=self.options.lease,
                retry=self.options.retry,
                report=report.sent,
            ):
                break
            sent += 1
        return sent

    # --- loops ----------------------------------------------------------------------------

    def drain(self, *, tick: bool = True, stop: threading.Event | None = None) -> Report:
        """Tick once (unless told not to), then run jobs and send deliveries until nothing is
        due. Jobs and deliveries alternate, so a message whose job just ran goes out in the
        same drain."""
        report = Report()
        if tick:
            self.tick(report)
        while stop is None or not stop.is_set():
            claimed = self.run_jobs(report)
            claimed += self.send_deliveries(report, limit=self.options.batch)
            if not claimed:
                break
        return report

    def run(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set: drain, wait ``poll_seconds``, tick every
        ``tick_seconds``."""
        next_tick = time.monotonic()
        while not stop.is_set():
            due = time.monotonic() >= next_tick
            if due:
                next_tick = time.monotonic() + self.options.tick_seconds
            try:
                self.drain(tick=due, stop=stop)
            except Exception:
                # The database may be briefly away; keep going rather than die.
                logger.exception("worker loop failed; retrying")
            stop.wait(self.options.poll_seconds)
