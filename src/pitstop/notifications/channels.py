"""Outside channels a message can go out on: e-mail over SMTP, and SMS through an adapter.

A channel sends one message or raises; the worker records the delivery and retries failures.
Each message carries its delivery key (as the e-mail's Message-ID), so a receiving system can
recognise the one resend that a crash between "sent" and "recorded" can cause.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from pitstop.config import Settings

logger = logging.getLogger("pitstop.notifications")


@dataclass(frozen=True)
class Outgoing:
    key: str
    address: str
    subject: str
    body: str


def message_id(key: str) -> str:
    """The e-mail Message-ID of a delivery key (a dot-atom: no colons)."""
    return f"<{key.replace(':', '.')}@pitstop>"


class ChannelError(Exception):
    """A channel could not send; the delivery is retried (or fails for good if ``final``)."""

    def __init__(self, message: str, *, final: bool = False) -> None:
        super().__init__(message)
        self.final = final


class Channel(Protocol):
    def send(self, message: Outgoing) -> None: ...


class SmsAdapter(Channel, Protocol):
    """An SMS gateway. Pitstop ships ``LoggingSms``; a brand plugs in its provider's."""


class SmtpEmail:
    """E-mail through an SMTP server (stdlib ``smtplib``), one connection per message."""

    def __init__(self, *, host: str, port: int, sender: str, timeout: float) -> None:
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def send(self, message: Outgoing) -> None:
        if not self.host:
            raise ChannelError("no SMTP host configured (set PITSTOP_SMTP_HOST)", final=True)
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.address
        mail["Subject"] = message.subject
        mail["Message-ID"] = message_id(message.key)
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise ChannelError(f"recipient refused: {exc.recipients}", final=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelError(f"SMTP {self.host}:{self.port}: {exc}") from exc


class LoggingSms:
    """An SMS adapter that only writes the message to the log (development, demos)."""

    def send(self, message: Outgoing) -> None:
        logger.info("sms to %s [%s]: %s", message.address, message.key, message.body)


def from_settings(settings: Settings) -> dict[str, Channel]:
    """The channels the settings configure, by delivery channel name."""
    if settings.sms_adapter != "logging":
        raise ValueError(f"unknown SMS adapter {settings.sms_adapter!r}; Pitstop ships 'logging'")
    return {
        "email": SmtpEmail(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            timeout=settings.smtp_timeout_seconds,
        ),
        "sms": LoggingSms(),
    }
