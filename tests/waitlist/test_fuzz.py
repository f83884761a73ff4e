"""The schema fuzz of tests/api, focused on the channel and waitlist routes and run as an owner
too (owners reach code that admins do not: their own home as the origin, their own entries)."""

from __future__ import annotations

import pytest
import schemathesis

from tests.api.test_schema_fuzz import _fuzz
from tests.conftest import token_for

MINE = ("/api/v1/waitlist", "/api/v1/availability", "/api/v1/bookings")


@pytest.mark.parametrize("user", ["alice", "admin"])
def test_channel_and_waitlist_routes_never_fail_with_5xx(app, client, world, user):  # type: ignore[no-untyped-def]
    headers = token_for(client, user)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [
        op for op in (r.ok() for r in schema.get_all_operations()) if op.path.startswith(MINE)
    ]
    assert len(operations) >= 10
    for operation in operations:
        _fuzz(operation, headers)
