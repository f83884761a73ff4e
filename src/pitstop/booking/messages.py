"""Page strings of the booking channels (issue 3), merged into web/i18n.py."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "channel.drive_in": "You drive there",
        "channel.mobile": "A van comes to you",
        "channel.pickup": "A driver collects your car",
        "channel.what": "What you do",
        "channel.back": "Car back with you",
        "channel.window": "Van arrives {start}–{end}",
        "channel.collect": "Collected at {at}",
        "channel.van": "Van {code}",
        "channel.address": "Address for the van or driver",
        "channel.address_hint": "Street, building, where the car is parked",
        "transport.mobile": "At your door",
        "status.offered": "Offered",
        "status.lapsed": "Lapsed",
        "options.waitlist": "Nothing early enough? Join the waitlist: freed slots are offered in "
        "the order owners join.",
        "options.waitlist_link": "Join the waitlist",
    },
    "zh": {
        "channel.drive_in": "自行到店",
        "channel.mobile": "服务车上门",
        "channel.pickup": "代驾取送车",
        "channel.what": "您需要做的",
        "channel.back": "车辆交还时间",
        "channel.window": "服务车 {start}–{end} 到达",
        "channel.collect": "{at} 上门取车",
        "channel.van": "服务车 {code}",
        "channel.address": "服务车或代驾的上门地址",
        "channel.address_hint": "街道、楼栋、车辆停放位置",
        "transport.mobile": "上门服务",
        "status.offered": "候补待确认",
        "status.lapsed": "已失效",
        "options.waitlist": "没有合适的时间？加入候补：空出的时段按加入先后依次提供。",
        "options.waitlist_link": "加入候补",
    },
}
