"""Page strings of the owner's referral page; merged into ``web.i18n.MESSAGES``."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "nav.referrals": "Refer a friend",
        "referrals.title": "Refer a friend",
        "referrals.intro": "Share your code or link. When a friend you referred takes delivery "
        "of their car, you both get points.",
        "referrals.code": "My code",
        "referrals.link": "My link",
        "referrals.results": "How it is going",
        "referrals.test_drives": "Test drives",
        "referrals.orders": "Orders",
        "referrals.delivered": "Delivered",
        "referrals.earned": "Points earned",
        "referrals.rewards": "Rewards",
        "referrals.no_rewards": "No rewards yet.",
        "referrals.reward_referral_referrer": "A friend you referred took delivery",
        "referrals.reward_referral_buyer": "You bought through a friend's referral",
        "referrals.invited_title": "A Pitstop owner invited you",
        "referrals.invited_body": "Give this code to our sales team when you book a test "
        "drive or order: you and your friend both get points on delivery.",
    },
    "zh": {
        "nav.referrals": "推荐好友",
        "referrals.title": "推荐好友",
        "referrals.intro": "分享您的推荐码或链接。好友通过您的推荐购车并提车后，双方都可获得积分。",
        "referrals.code": "我的推荐码",
        "referrals.link": "我的推荐链接",
        "referrals.results": "推荐成果",
        "referrals.test_drives": "试驾",
        "referrals.orders": "订单",
        "referrals.delivered": "已提车",
        "referrals.earned": "获得积分",
        "referrals.rewards": "推荐奖励",
        "referrals.no_rewards": "还没有奖励。",
        "referrals.reward_referral_referrer": "您推荐的好友已提车",
        "referrals.reward_referral_buyer": "您通过好友推荐购车",
        "referrals.invited_title": "一位 Pitstop 车主邀请了您",
        "referrals.invited_body": "预约试驾或下单时，请把此推荐码告诉销售顾问："
        "提车后您和好友都可获得积分。",
    },
}
