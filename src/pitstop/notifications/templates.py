"""Message templates in Chinese and English, and filling them from a job's values.

Values come from the job's payload (and, for bookings, from the booking itself). A value
given as ``<name>_zh`` and ``<name>_en`` is offered to the template as ``<name>`` in the
message's language; datetimes are shown in the time zone they carry. A template that names a
value the job did not give shows it empty rather than failing the message.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

# kind -> language -> (subject, body)
TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "booking_confirmed": {
        "zh": (
            "预约已确认 {reference}",
            "您在{site_name}的预约已确认：{start}。预约号 {reference}。",
        ),
        "en": (
            "Booking confirmed {reference}",
            "Your booking at {site_name} is confirmed for {start}. Reference {reference}.",
        ),
    },
    "booking_cancelled": {
        "zh": ("预约已取消 {reference}", "您在{site_name}于{start}的预约已取消。"),
        "en": (
            "Booking cancelled {reference}",
            "Your booking at {site_name} on {start} has been cancelled.",
        ),
    },
    "booking_rescheduled": {
        "zh": ("预约已改期 {reference}", "您的预约已改为{start}，地点：{site_name}。"),
        "en": (
            "Booking moved {reference}",
            "Your booking is now on {start} at {site_name}.",
        ),
    },
    "booking_reminder": {
        "zh": ("明天见：{start}", "提醒：您明天{start}在{site_name}有预约（预约号 {reference}）。"),
        "en": (
            "See you tomorrow at {start}",
            "A reminder: your booking at {site_name} is tomorrow, {start} (reference {reference}).",
        ),
    },
    "maintenance_due": {
        "zh": ("{plate} 保养到期", "您的车辆 {plate} 将于{due_date}到期保养，现在即可预约。"),
        "en": (
            "{plate} is due for service",
            "Your car {plate} is due for service on {due_date}. You can book it now.",
        ),
    },
    "estimate_ready": {
        "zh": (
            "{plate} 维修报价待确认",
            "{site_name}为您的车辆 {plate} 出具了报价：{lines} 项，共 {amount} {currency}"
            "（工单 {reference}）。请在应用中逐项确认。",
        ),
        "en": (
            "Estimate to approve for {plate}",
            "{site_name} sent an estimate for {plate}: {lines} line(s), {amount} {currency} "
            "(work order {reference}). Approve or decline each line in the app.",
        ),
    },
    "car_ready": {
        "zh": (
            "{plate} 已可取车",
            "您的车辆 {plate} 已在{site_name}完工（工单 {reference}），已确认项目共 "
            "{amount} {currency}。",
        ),
        "en": (
            "{plate} is ready",
            "Your car {plate} is ready at {site_name} (work order {reference}); approved work "
            "comes to {amount} {currency}.",
        ),
    },
    "waitlist_offer": {
        "zh": ("有空位了：{start}", "{site_name}有一个空位：{start}。请在{expires}前确认。"),
        "en": (
            "A slot opened: {start}",
            "A slot at {site_name} is free on {start}. Accept it before {expires}.",
        ),
    },
    "complaint_responded": {
        "zh": ("投诉已回复 {reference}", "我们已回复您的投诉（{reference}）：{response}"),
        "en": (
            "Reply to your complaint {reference}",
            "We replied to your complaint ({reference}): {response}",
        ),
    },
    "complaint_escalated": {
        "zh": (
            "投诉超时升级 {reference}",
            "投诉 {reference}（{site_name}）已超过回复时限 {deadline}，请尽快处理。",
        ),
        "en": (
            "Complaint overdue {reference}",
            "Complaint {reference} at {site_name} passed its response deadline {deadline}: "
            "please answer it now.",
        ),
    },
}

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def fmt(language: str, value: Any) -> str:
    """A value as the message shows it."""
    if isinstance(value, datetime):
        if language == "zh":
            return f"{value.month}月{value.day}日 {value:%H:%M}"
        return f"{value.day} {_MONTHS_EN[value.month - 1]} {value:%H:%M}"
    if isinstance(value, date):
        if language == "zh":
            return f"{value.year}年{value.month}月{value.day}日"
        return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
    if isinstance(value, str):
        # Payloads carry times as ISO text (JSON has no datetime).
        try:
            parsed: date = (
                date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
            )
        except ValueError:
            return value
        return fmt(language, parsed)
    return str(value)


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


_VERBATIM = frozenset({"reference", "plate", "amount", "currency", "lines", "response"})


def _local(value: Any, zone: ZoneInfo | None) -> Any:
    if zone is None:
        return value
    if isinstance(value, str) and len(value) > 10:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(zone)
    return value


def values_for(language: str, values: Mapping[str, Any]) -> dict[str, str]:
    """The values as text; times move to ``site_timezone`` where the job gives one."""
    try:
        zone = ZoneInfo(str(values["site_timezone"])) if "site_timezone" in values else None
    except (ValueError, KeyError):
        zone = None
    out = _Values()
    for key, value in values.items():
        out[key] = str(value) if key in _VERBATIM else fmt(language, _local(value, zone))
    suffix = f"_{language}"
    for key, value in values.items():
        if key.endswith(suffix):
            out[key.removesuffix(suffix)] = str(value)
    # The waitlist names the site "site" / "site_zh"; the templates say "site_name".
    if "site_name" not in out and "site" in out:
        out["site_name"] = out["site"]
    return out


def render(kind: str, language: str, values: Mapping[str, Any]) -> tuple[str, str]:
    """Subject and body of a ``kind`` message in ``language`` (zh if unknown).

    Raises KeyError for a kind without a template: the job fails with that as its error.
    """
    lang = language if language in LANGUAGES else DEFAULT_LANGUAGE
    subject, body = TEMPLATES[kind][lang]
    filled = values_for(lang, values)
    formatter = string.Formatter()
    return (
        formatter.vformat(subject, (), filled)[:200],
        formatter.vformat(body, (), filled)[:2000],
    )
