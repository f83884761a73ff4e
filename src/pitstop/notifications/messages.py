"""Page strings of the inbox, in both languages (merged into ``web.i18n``)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "nav.inbox": "Inbox",
        "inbox.title": "Inbox",
        "inbox.unread": "{n} unread",
        "inbox.none": "No messages yet.",
        "inbox.mark_read": "Mark read",
        "inbox.open": "Open",
        "inbox.new": "New",
        "inbox.prefs": "How we reach you",
        "inbox.language": "Language of messages",
        "inbox.email": "E-mail address",
        "inbox.email_on": "Send e-mail",
        "inbox.sms_on": "Send SMS",
        "inbox.save": "Save",
        "inbox.saved": "Saved.",
        "inbox.bad_email": "That is not an e-mail address.",
        "lang.zh": "中文",
        "lang.en": "English",
    },
    "zh": {
        "nav.inbox": "消息",
        "inbox.title": "消息",
        "inbox.unread": "{n} 条未读",
        "inbox.none": "暂无消息。",
        "inbox.mark_read": "标为已读",
        "inbox.open": "查看",
        "inbox.new": "新",
        "inbox.prefs": "通知方式",
        "inbox.language": "消息语言",
        "inbox.email": "电子邮箱",
        "inbox.email_on": "发送邮件",
        "inbox.sms_on": "发送短信",
        "inbox.save": "保存",
        "inbox.saved": "已保存。",
        "inbox.bad_email": "邮箱地址格式不正确。",
        "lang.zh": "中文",
        "lang.en": "English",
    },
}
