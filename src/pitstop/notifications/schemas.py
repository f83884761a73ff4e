"""Notification request and response models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from pitstop.text import Text


class InboxMessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    language: str
    subject: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class InboxRead(BaseModel):
    unread: int
    messages: list[InboxMessageRead]


class PreferenceRead(BaseModel):
    language: Literal["zh", "en"]
    email: str | None
    email_enabled: bool
    sms_enabled: bool


class PreferenceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Literal["zh", "en"] | None = None
    email: Annotated[Text, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = (
        None
    )
    email_enabled: bool | None = None
    sms_enabled: bool | None = None
    clear_email: bool = Field(False, description="Remove the e-mail address")
