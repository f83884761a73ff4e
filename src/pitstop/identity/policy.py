"""The one access policy: every service function asks it before it reads or changes anything.

Rules in one place:
- an owner sees and changes only their own cars and bookings;
- site staff (advisor, technician, partner staff) see the bookings of the sites in their
  scope, by site or by region (province); partner staff are always scoped to their outlet;
- dispatchers, planners and community managers see sites but not owners' bookings, unless a
  later issue gives them a narrower permission;
- admins see and change everything.
"""

from __future__ import annotations

from pitstop.errors import PermissionDeniedError
from pitstop.identity.actor import Actor
from pitstop.identity.roles import SITE_STAFF, Role

_ACTIONS: dict[str, frozenset[Role]] = {
    "site.read": frozenset(Role),
    "site.write": frozenset({Role.ADMIN}),
    "job.read": frozenset(Role),
    "vehicle.read": frozenset({Role.OWNER, Role.ADMIN}),
    "vehicle.write": frozenset({Role.ADMIN}),
    "owner.write": frozenset({Role.ADMIN}),
    "availability.search": frozenset({Role.OWNER, Role.ADMIN}),
    "booking.create": frozenset({Role.OWNER, Role.ADMIN}),
    "booking.read": frozenset({Role.OWNER, Role.ADMIN, *SITE_STAFF}),
    "booking.cancel": frozenset({Role.OWNER, Role.ADMIN, Role.ADVISOR, Role.PARTNER_STAFF}),
    "booking.reschedule": frozenset({Role.OWNER, Role.ADMIN, Role.ADVISOR, Role.PARTNER_STAFF}),
    "booking.check_in": frozenset({Role.ADMIN, Role.ADVISOR, Role.PARTNER_STAFF}),
    "appointments.read": frozenset({Role.ADMIN, *SITE_STAFF}),
    "user.read": frozenset({Role.ADMIN}),
    "import.run": frozenset({Role.ADMIN}),
    # Network planning (issue 4): forecasts, coverage, site selection, capacity plans.
    "plan.read": frozenset({Role.PLANNER, Role.ADMIN}),
    "plan.write": frozenset({Role.PLANNER, Role.ADMIN}),
    # Loyalty, benefits, shop, referrals and the service promise (issue 6). Owners reach only
    # their own wallet: the services check ``owns`` on top of these role gates.
    "points.read": frozenset({Role.OWNER, Role.ADMIN, Role.COMMUNITY_MANAGER}),
    "points.earn": frozenset({Role.OWNER, Role.ADMIN, Role.COMMUNITY_MANAGER}),
    "points.check_in": frozenset({Role.OWNER}),
    "points.grant": frozenset({Role.ADMIN, Role.COMMUNITY_MANAGER}),
    "points.expire": frozenset({Role.ADMIN}),
    "earning_rule.read": frozenset({Role.OWNER, Role.ADMIN, Role.COMMUNITY_MANAGER}),
    "earning_rule.write": frozenset({Role.ADMIN}),
    "benefit_plan.read": frozenset({Role.OWNER, Role.ADMIN}),
    "benefit_plan.write": frozenset({Role.ADMIN}),
    "benefit.read": frozenset({Role.OWNER, Role.ADMIN}),
    "benefit.redeem": frozenset({Role.OWNER}),
    "benefit.manage": frozenset({Role.ADMIN}),
    "merchant.write": frozenset({Role.ADMIN}),
    "voucher.validate": frozenset({Role.MERCHANT}),
    "voucher.read_presented": frozenset({Role.MERCHANT, Role.ADMIN}),
    "shop.read": frozenset({Role.OWNER, Role.ADMIN, Role.COMMUNITY_MANAGER}),
    "shop.write": frozenset({Role.ADMIN}),
    "shop.order": frozenset({Role.OWNER}),
    "shop.order_read": frozenset({Role.OWNER, Role.ADMIN}),
    "referral.read_own": frozenset({Role.OWNER}),
    "referral.register": frozenset({Role.ADMIN, Role.COMMUNITY_MANAGER}),
    "referral.deliver": frozenset({Role.ADMIN}),
    "referral.report": frozenset({Role.ADMIN, Role.COMMUNITY_MANAGER, Role.PLANNER}),
    "promise.read": frozenset({Role.OWNER, Role.ADMIN, Role.PLANNER}),
    "promise.write": frozenset({Role.ADMIN}),
    # Waitlist (issue 3): owners reach only their own entries and offers (``owns``).
    "waitlist.join": frozenset({Role.OWNER, Role.ADMIN}),
    "waitlist.read": frozenset({Role.OWNER, Role.ADMIN}),
    "waitlist.respond": frozenset({Role.OWNER, Role.ADMIN}),
    # Workshop and loaners (issue 3): staff reach only their sites' work orders and loaners
    # (the services check covers_site); owners read their own jobs and decide their estimates.
    "work_order.read": frozenset({Role.OWNER, Role.ADMIN, *SITE_STAFF}),
    "work_order.create": frozenset({Role.ADMIN, Role.ADVISOR, Role.PARTNER_STAFF}),
    "work_order.move": frozenset({Role.ADMIN, *SITE_STAFF}),
    "work_order.finding": frozenset({Role.ADMIN, *SITE_STAFF}),
    "work_order.estimate": frozenset({Role.ADMIN, Role.ADVISOR, Role.PARTNER_STAFF}),
    "work_order.parts": frozenset({Role.ADMIN, *SITE_STAFF}),
    "estimate.decide": frozenset({Role.OWNER, Role.ADMIN}),
    "recall.read": frozenset({Role.ADMIN, *SITE_STAFF}),
    "recall.write": frozenset({Role.ADMIN}),
    "loaner.read": frozenset({Role.ADMIN, *SITE_STAFF}),
    "loaner.write": frozenset({Role.ADMIN, Role.ADVISOR, Role.PARTNER_STAFF}),
    "loaner.assign": frozenset({Role.ADMIN, Role.ADVISOR, Role.PARTNER_STAFF}),
    "loaner.return": frozenset({Role.ADMIN, Role.ADVISOR, Role.PARTNER_STAFF}),
    # Notifications, ratings, complaints and scorecards (issue 3). Site staff reach only the
    # complaints and scorecards of the sites in their scope: the services check covers_site.
    "inbox.read": frozenset(Role),
    "notification_prefs.write": frozenset({Role.OWNER}),
    "rating.create": frozenset({Role.OWNER}),
    "complaint.create": frozenset({Role.OWNER}),
    "complaint.read": frozenset(
        {Role.OWNER, Role.ADMIN, Role.QUALITY_MANAGER, Role.ADVISOR, Role.PARTNER_STAFF}
    ),
    "complaint.respond": frozenset(
        {Role.ADMIN, Role.QUALITY_MANAGER, Role.ADVISOR, Role.PARTNER_STAFF}
    ),
    "complaint.close": frozenset(
        {Role.OWNER, Role.ADMIN, Role.QUALITY_MANAGER, Role.ADVISOR, Role.PARTNER_STAFF}
    ),
    "scorecard.read": frozenset(
        {Role.ADMIN, Role.QUALITY_MANAGER, Role.ADVISOR, Role.PARTNER_STAFF}
    ),
    # Daily dispatch (issue 5): dispatchers and admins; a dispatcher with regions listed
    # reaches only those (``covers_region``), one without is brand-wide.
    "dispatch.read": frozenset({Role.DISPATCHER, Role.ADMIN}),
    "dispatch.write": frozenset({Role.DISPATCHER, Role.ADMIN}),
}


def allows(actor: Actor, action: str) -> bool:
    return actor.role in _ACTIONS[action]


def require(actor: Actor, action: str) -> None:
    """Raise PermissionDeniedError unless the actor's role may perform ``action`` at all."""
    if not allows(actor, action):
        raise PermissionDeniedError(f"{actor.role.value} may not {action}")


def owns(actor: Actor, owner_id: int) -> bool:
    return actor.role is Role.ADMIN or (actor.is_owner and actor.owner_id == owner_id)


def covers_site(actor: Actor, site_id: int, province: str) -> bool:
    """Whether a staff actor's scope reaches this site."""
    if actor.role is Role.ADMIN:
        return True
    if actor.role not in SITE_STAFF:
        return False
    return site_id in actor.site_ids or province in actor.regions


def covers_region(actor: Actor, region: str) -> bool:
    """Whether a dispatcher's scope reaches a region (province); none listed: every region."""
    if actor.role is Role.ADMIN:
        return True
    if actor.role is not Role.DISPATCHER:
        return False
    return not actor.regions or region in actor.regions


def can_see_booking(actor: Actor, *, owner_id: int, site_id: int, province: str) -> bool:
    if actor.is_owner:
        return actor.owner_id == owner_id
    return covers_site(actor, site_id, province)
