"""The owner's referral page: their code and link, who came through it, what it earned."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from pitstop.benefits.pages import allowed
from pitstop.loyalty import service as points
from pitstop.loyalty.rules import OWNER_TIMEZONE
from pitstop.referrals import service
from pitstop.web.pages import Viewer, Visitor

router = APIRouter(include_in_schema=False)

REWARDS = (points.REFERRAL_REFERRER, points.REFERRAL_BUYER)


@router.get("/my/referrals")
def my_referrals(page: Viewer) -> Response:
    actor = allowed(page, "referral.read_own")
    now = page.clock.now()
    # Written: the first visit makes the owner's code.
    with page.db.unit_of_work() as s:
        mine = service.my_referral(s, actor=actor, now=now)
        history = points.wallet(s, actor=actor, now=now, limit=200).entries
    rewards = [e for e in history if e.reason in REWARDS and e.kind == "earn"]
    return page.render(
        "referrals/mine.html",
        referral=mine,
        link=str(page.request.base_url).rstrip("/") + mine.link,
        rewards=rewards,
        earned=sum(e.amount for e in rewards),
        tz=OWNER_TIMEZONE,
    )


@router.get("/r/{code}")
def invitation(page: Visitor, code: str) -> Response:
    """Where a shared link lands: the code to give the sales team when booking a test drive."""
    shown = code.upper() if code.isalnum() and len(code) <= 16 else ""
    return page.render("referrals/invitation.html", code=shown, status=200 if shown else 404)
