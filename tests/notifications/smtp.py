"""A real SMTP server for tests (aiosmtpd), recording what it accepted.

A message counts as accepted only when the server answers "250" to it, as in SMTP itself:
with ``delay`` set, the server holds each message that long first, and a client that goes
away meanwhile (a killed worker) has delivered nothing.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

from tests.e2e.server import free_port


@dataclass
class Recorder:
    delay: float = 0.0
    accepted: list[Message] = field(default_factory=list)
    receiving: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.receiving.set()
        if self.delay:
            await asyncio.sleep(self.delay)  # cancelled if the client goes away meanwhile
        with self.lock:
            self.accepted.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.accepted]


@contextmanager
def smtp_server(delay: float = 0.0) -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder(delay=delay)
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()
