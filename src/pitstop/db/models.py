"""Imports every area's tables so that metadata (Alembic, tests) sees them all."""

from pitstop.benefits import models as benefits_models
from pitstop.booking import models as booking_models
from pitstop.db.base import Base
from pitstop.demo import models as demo_models
from pitstop.dispatch import models as dispatch_models
from pitstop.fleet import models as fleet_models
from pitstop.idempotency import models as idempotency_models
from pitstop.identity import models as identity_models
from pitstop.jobs import models as jobs_models
from pitstop.loaners import models as loaners_models
from pitstop.loyalty import models as loyalty_models
from pitstop.network import models as network_models
from pitstop.notifications import models as notifications_models
from pitstop.planning import models as planning_models
from pitstop.promise import models as promise_models
from pitstop.quality import models as quality_models
from pitstop.referrals import models as referrals_models
from pitstop.shop import models as shop_models
from pitstop.waitlist import models as waitlist_models
from pitstop.workshop import models as workshop_models

__all__ = [
    "Base",
    "benefits_models",
    "booking_models",
    "demo_models",
    "dispatch_models",
    "fleet_models",
    "idempotency_models",
    "identity_models",
    "jobs_models",
    "loaners_models",
    "loyalty_models",
    "network_models",
    "notifications_models",
    "planning_models",
    "promise_models",
    "quality_models",
    "referrals_models",
    "shop_models",
    "waitlist_models",
    "workshop_models",
]
