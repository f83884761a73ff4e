"""The roles Pitstop knows, and which of them work at sites."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADVISOR = "advisor"
    TECHNICIAN = "technician"
    PARTNER_STAFF = "partner_staff"
    DISPATCHER = "dispatcher"
    PLANNER = "planner"
    COMMUNITY_MANAGER = "community_manager"
    ADMIN = "admin"
    MERCHANT = "merchant"  # a partner merchant (car wash, parking): validates vouchers
    QUALITY_MANAGER = "quality_manager"  # brand staff: scorecards and complaints


SITE_STAFF = frozenset({Role.ADVISOR, Role.TECHNICIAN, Role.PARTNER_STAFF})
STAFF = frozenset(Role) - {Role.OWNER}
