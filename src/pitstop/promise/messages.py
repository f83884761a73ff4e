"""Page strings of the admin's service promises; merged into ``web.i18n.MESSAGES``."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "promises.new": "New promise",
        "promises.edit": "Edit promise",
        "promises.none": "No region has a service promise yet.",
        "promises.terms": "within {days} days and {km} km, or {points} points",
        "promises.region": "Region (province)",
        "promises.region_hint": "As owners' addresses name it, e.g. Hubei.",
        "promises.max_days": "Service option within (days)",
        "promises.max_km": "Within (km)",
        "promises.points": "Compensation when missed (points)",
    },
    "zh": {
        "promises.new": "新建承诺",
        "promises.edit": "编辑承诺",
        "promises.none": "还没有地区设置服务承诺。",
        "promises.terms": "{days} 天内、{km} 公里内，否则补偿 {points} 积分",
        "promises.region": "地区（省份）",
        "promises.region_hint": "与车主地址中的省份一致，例如 Hubei。",
        "promises.max_days": "可预约天数上限（天）",
        "promises.max_km": "距离上限（公里）",
        "promises.points": "未兑现时补偿（积分）",
    },
}
