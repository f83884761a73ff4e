"""Chinese and English for the pages: the language choice, the message catalogue, dates.

Every string a page shows comes from ``MESSAGES``; a test checks both languages hold the same
keys. Names stored in the database (sites, jobs) carry ``name_zh``/``name_en`` and are picked
with ``pick``.

A word that agrees with a count is written ``{n|vehicle|vehicles}``: the first form when the
value given for ``n`` reads "1", the second otherwise (English needs this; Chinese does not).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from pitstop.benefits import messages as benefits_messages
from pitstop.booking import messages as booking_messages
from pitstop.dispatch import messages as dispatch_messages
from pitstop.loyalty import messages as loyalty_messages
from pitstop.notifications import messages as notifications_messages
from pitstop.planning import messages as planning_messages
from pitstop.promise import messages as promise_messages
from pitstop.quality import messages as quality_messages
from pitstop.referrals import messages as referrals_messages
from pitstop.shop import messages as shop_messages
from pitstop.waitlist import messages as waitlist_messages
from pitstop.workshop import messages as workshop_messages

LANGS = ("zh", "en")
DEFAULT_LANG = "en"
LANG_COOKIE = "pitstop_lang"

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "app.name": "Pitstop",
        "app.tagline": "Service for your car, near you, in seconds.",
        "lang.switch": "中文",
        "lang.switch_label": "Switch language",
        "nav.cars": "My cars",
        "nav.book": "Book service",
        "nav.bookings": "My bookings",
        "nav.advisor": "Appointments",
        "nav.home": "Home",
        "nav.logout": "Log out",
        "nav.main": "Main",
        "login.title": "Log in",
        "login.username": "Username",
        "login.password": "Password",
        "login.submit": "Log in",
        "login.failed": "Wrong username or password.",
        "login.expired": "The form had expired. Please try again.",
        "login.signed_out": "You are logged out.",
        "home.title": "Welcome, {name}",
        "home.staff": "Your tools live in the operations console, which is on its way.",
        "cars.title": "My cars",
        "cars.none": "No cars are registered to you yet.",
        "cars.plate": "Plate",
        "cars.vin": "VIN",
        "cars.model": "Model",
        "cars.odometer": "Odometer",
        "cars.due": "Service due",
        "cars.book": "Book service",
        "cars.upcoming": "Coming up",
        "cars.all_bookings": "All my bookings",
        "due.overdue": "Overdue",
        "due.due_soon": "Due soon",
        "due.ok": "OK",
        "book.title": "Book service",
        "book.car": "Car",
        "book.jobs": "What needs doing?",
        "book.radius": "Search radius (km)",
        "book.radius_hint": "Optional; {km} km if empty.",
        "book.search": "Find times",
        "book.need_car": "Choose a car.",
        "book.need_job": "Choose at least one job.",
        "book.bad_radius": "The radius must be a number of kilometres above zero.",
        "book.minutes": "{n} min",
        "options.title": "Choose a time",
        "options.for": "{car} · {jobs}",
        "options.none": "No site within {km} km can take this work soon. Try a larger radius.",
        "options.distance": "Distance",
        "options.travel": "Travel",
        "options.start": "Drop-off",
        "options.ready": "Ready",
        "options.transport": "How will you get around?",
        "options.choose": "Choose",
        "options.change": "Change the search",
        "options.outlet": "Authorised outlet",
        "options.centre": "Service centre",
        "confirm.title": "Confirm your booking",
        "confirm.site": "Site",
        "confirm.start": "Drop-off",
        "confirm.ready": "Expected ready",
        "confirm.transport": "Transport",
        "confirm.jobs": "Work",
        "confirm.car": "Car",
        "confirm.submit": "Confirm booking",
        "confirm.back": "Back to the options",
        "bookings.title": "My bookings",
        "bookings.none": "You have no bookings yet.",
        "bookings.reference": "Reference",
        "booking.title": "Booking {ref}",
        "booking.status": "Status",
        "booking.history": "History",
        "booking.reschedule": "Change time",
        "booking.cancel": "Cancel booking",
        "booking.back": "All bookings",
        "booking.rescheduled_from": "Moved from an earlier time",
        "done.booked": "Booked. Your reference is {ref}.",
        "done.cancelled": "Your booking is cancelled.",
        "done.rescheduled": "Your booking has a new time.",
        "done.checked_in": "Checked in {ref}.",
        "cancel.title": "Cancel booking {ref}?",
        "cancel.body": "The time will be freed for other owners. This cannot be undone.",
        "cancel.reason": "Reason (optional)",
        "cancel.submit": "Yes, cancel it",
        "cancel.keep": "No, keep it",
        "reschedule.title": "Choose a new time",
        "reschedule.current": "Now booked: {when} at {site}",
        "reschedule.confirm_title": "Move booking {ref}?",
        "reschedule.from": "From",
        "reschedule.to": "To",
        "reschedule.submit": "Move booking",
        "advisor.title": "Appointments",
        "advisor.day": "Day",
        "advisor.show": "Show",
        "advisor.today": "Today",
        "advisor.prev": "Previous day",
        "advisor.next": "Next day",
        "advisor.site": "Site",
        "advisor.all_sites": "All my sites",
        "advisor.none": "No appointments on this day.",
        "advisor.no_sites": "No sites are in your scope.",
        "advisor.count": "{n} appointments",
        "advisor.time": "Time",
        "advisor.reference": "Reference",
        "advisor.vehicle": "Vehicle",
        "advisor.jobs": "Jobs",
        "advisor.transport": "Transport",
        "advisor.status": "Status",
        "advisor.action": "Action",
        "advisor.check_in": "Check in",
        "transport.drop_off": "Drop off and collect",
        "transport.wait": "Wait on site",
        "transport.loaner": "Loaner car",
        "transport.pickup_delivery": "Pick-up and delivery",
        "status.confirmed": "Confirmed",
        "status.checked_in": "Checked in",
        "status.completed": "Completed",
        "status.cancelled": "Cancelled",
        "status.no_show": "No-show",
        "error.title": "Something went wrong",
        "error.forbidden_title": "Not allowed",
        "error.forbidden": "Your account may not open this page.",
        "error.not_found_title": "Not found",
        "error.not_found": "There is nothing here, or it is not yours to see.",
        "error.csrf_title": "Form expired",
        "error.csrf": "This form has expired or did not come from Pitstop. Reload and try again.",
        "error.taken": "That time was just taken by another booking. Please choose another.",
        "error.taken_kept": "That time was just taken by someone else. Your booking is unchanged.",
        "error.transition": "This booking can no longer be changed that way (it is {status}).",
        "error.check_in": "That booking can no longer be checked in.",
        "error.invalid": "Please check the request: {detail}",
        "error.method": "This address does not accept that request.",
        "error.back_home": "Back to the start",
        "role.owner": "Owner",
        "role.advisor": "Service advisor",
        "role.technician": "Technician",
        "role.partner_staff": "Partner outlet",
        "role.dispatcher": "Dispatcher",
        "role.planner": "Network planner",
        "role.community_manager": "Community manager",
        "role.admin": "Administrator",
        "common.km": "{km} km",
        "common.min": "{n} min",
        "common.sep": ", ",
        "options.drive": "{n} min drive",
    },
    "zh": {
        "app.name": "Pitstop",
        "app.tagline": "就近预约保养维修，几秒完成。",
        "lang.switch": "English",
        "lang.switch_label": "切换语言",
        "nav.cars": "我的车辆",
        "nav.book": "预约服务",
        "nav.bookings": "我的预约",
        "nav.advisor": "今日预约",
        "nav.home": "首页",
        "nav.logout": "退出",
        "nav.main": "主菜单",
        "login.title": "登录",
        "login.username": "用户名",
        "login.password": "密码",
        "login.submit": "登录",
        "login.failed": "用户名或密码错误。",
        "login.expired": "表单已过期，请重试。",
        "login.signed_out": "您已退出登录。",
        "home.title": "欢迎，{name}",
        "home.staff": "您的工作台在运营控制台中，即将上线。",
        "cars.title": "我的车辆",
        "cars.none": "您名下还没有车辆。",
        "cars.plate": "车牌",
        "cars.vin": "车架号",
        "cars.model": "车型",
        "cars.odometer": "里程",
        "cars.due": "保养到期",
        "cars.book": "预约服务",
        "cars.upcoming": "即将到来",
        "cars.all_bookings": "全部预约",
        "due.overdue": "已逾期",
        "due.due_soon": "即将到期",
        "due.ok": "正常",
        "book.title": "预约服务",
        "book.car": "车辆",
        "book.jobs": "需要做哪些项目？",
        "book.radius": "搜索半径（公里）",
        "book.radius_hint": "可不填，默认 {km} 公里。",
        "book.search": "查找时间",
        "book.need_car": "请选择车辆。",
        "book.need_job": "请至少选择一个项目。",
        "book.bad_radius": "半径须为大于零的公里数。",
        "book.minutes": "{n} 分钟",
        "options.title": "选择时间",
        "options.for": "{car} · {jobs}",
        "options.none": "{km} 公里内近期没有可接待的门店，请扩大搜索半径。",
        "options.distance": "距离",
        "options.travel": "车程",
        "options.start": "送车时间",
        "options.ready": "预计完工",
        "options.transport": "出行方式",
        "options.choose": "选择",
        "options.change": "修改搜索条件",
        "options.outlet": "授权服务店",
        "options.centre": "服务中心",
        "confirm.title": "确认预约",
        "confirm.site": "门店",
        "confirm.start": "送车时间",
        "confirm.ready": "预计完工",
        "confirm.transport": "出行方式",
        "confirm.jobs": "服务项目",
        "confirm.car": "车辆",
        "confirm.submit": "确认预约",
        "confirm.back": "返回选择",
        "bookings.title": "我的预约",
        "bookings.none": "您还没有预约。",
        "bookings.reference": "预约号",
        "booking.title": "预约 {ref}",
        "booking.status": "状态",
        "booking.history": "记录",
        "booking.reschedule": "改期",
        "booking.cancel": "取消预约",
        "booking.back": "全部预约",
        "booking.rescheduled_from": "已从原时间改期",
        "done.booked": "预约成功，预约号 {ref}。",
        "done.cancelled": "预约已取消。",
        "done.rescheduled": "预约时间已更改。",
        "done.checked_in": "{ref} 已签到。",
        "cancel.title": "取消预约 {ref}？",
        "cancel.body": "该时段将释放给其他车主，取消后无法恢复。",
        "cancel.reason": "原因（可不填）",
        "cancel.submit": "确认取消",
        "cancel.keep": "保留预约",
        "reschedule.title": "选择新时间",
        "reschedule.current": "当前预约：{when}，{site}",
        "reschedule.confirm_title": "更改预约 {ref} 的时间？",
        "reschedule.from": "原时间",
        "reschedule.to": "新时间",
        "reschedule.submit": "确认改期",
        "advisor.title": "预约看板",
        "advisor.day": "日期",
        "advisor.show": "查看",
        "advisor.today": "今天",
        "advisor.prev": "前一天",
        "advisor.next": "后一天",
        "advisor.site": "门店",
        "advisor.all_sites": "我的全部门店",
        "advisor.none": "当天没有预约。",
        "advisor.no_sites": "您的权限范围内没有门店。",
        "advisor.count": "{n} 个预约",
        "advisor.time": "时间",
        "advisor.reference": "预约号",
        "advisor.vehicle": "车辆",
        "advisor.jobs": "项目",
        "advisor.transport": "出行方式",
        "advisor.status": "状态",
        "advisor.action": "操作",
        "advisor.check_in": "签到",
        "transport.drop_off": "送车取车",
        "transport.wait": "店内等候",
        "transport.loaner": "代步车",
        "transport.pickup_delivery": "上门取送车",
        "status.confirmed": "已确认",
        "status.checked_in": "已签到",
        "status.completed": "已完成",
        "status.cancelled": "已取消",
        "status.no_show": "未到店",
        "error.title": "出错了",
        "error.forbidden_title": "无权访问",
        "error.forbidden": "您的账号无权打开此页面。",
        "error.not_found_title": "未找到",
        "error.not_found": "此处没有内容，或您无权查看。",
        "error.csrf_title": "表单已过期",
        "error.csrf": "此表单已过期或并非来自 Pitstop。请返回、刷新页面后重试。",
        "error.taken": "该时间刚被其他预约占用，请另选时间。",
        "error.taken_kept": "该时间刚被其他预约占用，您的原预约保持不变。",
        "error.transition": "此预约当前状态为「{status}」，不能再做此操作。",
        "error.check_in": "该预约已无法签到。",
        "error.invalid": "请检查输入：{detail}",
        "error.method": "此地址不接受该请求。",
        "error.back_home": "返回首页",
        "role.owner": "车主",
        "role.advisor": "服务顾问",
        "role.technician": "技师",
        "role.partner_staff": "授权服务店",
        "role.dispatcher": "调度员",
        "role.planner": "网络规划",
        "role.community_manager": "社区经理",
        "role.admin": "管理员",
        "common.km": "{km} 公里",
        "common.min": "{n} 分钟",
        "common.sep": "、",
        "options.drive": "车程 {n} 分钟",
    },
}


def _merge(area: dict[str, dict[str, str]]) -> None:
    """Areas keep their page strings in their own ``messages`` module; each is merged here."""
    for lang, texts in area.items():
        MESSAGES[lang].update(texts)


_merge(benefits_messages.MESSAGES)
_merge(booking_messages.MESSAGES)
_merge(loyalty_messages.MESSAGES)
_merge(planning_messages.MESSAGES)
_merge(promise_messages.MESSAGES)
_merge(referrals_messages.MESSAGES)
_merge(shop_messages.MESSAGES)
_merge(waitlist_messages.MESSAGES)
_merge(notifications_messages.MESSAGES)
_merge(quality_messages.MESSAGES)
_merge(workshop_messages.MESSAGES)
_merge(dispatch_messages.MESSAGES)

_WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


_AGREES = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")


def translate(lang: str, key: str, **values: Any) -> str:
    """The message for ``key`` in ``lang``, formatted; English, then the key, if missing."""
    text = MESSAGES.get(lang, {}).get(key) or MESSAGES[DEFAULT_LANG].get(key) or key
    if not values:
        return text
    text = _AGREES.sub(
        lambda m: m.group(2) if str(values.get(m.group(1), "")) == "1" else m.group(3), text
    )
    return text.format(**values)


def from_accept_language(header: str | None) -> str:
    """``zh``/``en`` from an Accept-Language header: the most preferred of the two, else English."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        if not tag:
            continue
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, index, tag))
    for neg_quality, _, tag in sorted(ranked):
        if neg_quality >= 0:
            break
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANG


def choose(cookie: str | None, accept_language: str | None) -> str:
    """The page language: the switch's cookie if set, else the browser's preference."""
    if cookie in LANGS:
        return cookie
    return from_accept_language(accept_language)


def pick(lang: str, zh: str, en: str) -> str:
    """The name for the language, falling back to the other when one is empty."""
    return (zh or en) if lang == "zh" else (en or zh)


def fmt_date(lang: str, day: date) -> str:
    weekday = _WEEKDAYS[lang][day.weekday()]
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日 {weekday}"
    return f"{weekday} {day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def fmt_short_date(lang: str, day: date) -> str:
    weekday = _WEEKDAYS[lang][day.weekday()]
    if lang == "zh":
        return f"{day.month}月{day.day}日 {weekday}"
    return f"{weekday} {day.day} {_MONTHS_EN[day.month - 1]}"


def fmt_datetime(lang: str, at: datetime) -> str:
    """A local time as people read it; ``at`` is already in the site's time zone."""
    return f"{fmt_short_date(lang, at.date())} {at:%H:%M}"
