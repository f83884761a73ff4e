"""E-mail over SMTP against a real local SMTP server, and the logging SMS adapter."""

from __future__ import annotations

import logging

import pytest

from pitstop.notifications.channels import ChannelError, LoggingSms, Outgoing, SmtpEmail
from tests.e2e.server import free_port
from tests.notifications.smtp import smtp_server

MESSAGE = Outgoing(
    key="job:7:owner:3:email",
    address="alice@example.com",
    subject="车辆已可取",
    body="您的车辆已完工",
)


def test_smtp_sends_the_message_with_its_key_as_message_id() -> None:
    with smtp_server() as (smtp, port):
        SmtpEmail(host="127.0.0.1", port=port, sender="service@brand.example", timeout=10).send(
            MESSAGE
        )
    (mail,) = smtp.accepted
    assert mail["To"] == "alice@example.com"
    assert mail["From"] == "service@brand.example"
    assert mail["Message-ID"] == "<job.7.owner.3.email@pitstop>"
    assert "您的车辆已完工" in mail.get_payload(decode=True).decode()  # type: ignore[union-attr]


def test_unreachable_smtp_server_is_a_retryable_error() -> None:
    channel = SmtpEmail(host="127.0.0.1", port=free_port(), sender="a@b.c", timeout=5)
    with pytest.raises(ChannelError) as caught:
        channel.send(MESSAGE)
    assert not caught.value.final


def test_email_without_smtp_host_fails_for_good() -> None:
    with pytest.raises(ChannelError) as caught:
        SmtpEmail(host="", port=25, sender="a@b.c", timeout=5).send(MESSAGE)
    assert caught.value.final and "PITSTOP_SMTP_HOST" in str(caught.value)


def test_logging_sms_writes_the_message_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="pitstop.notifications"):
        LoggingSms().send(Outgoing(key="k1", address="+8613800000000", subject="s", body="hello"))
    assert "sms to +8613800000000 [k1]: hello" in caplog.text
