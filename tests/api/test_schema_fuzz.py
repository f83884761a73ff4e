"""Schemathesis: requests generated from the OpenAPI schema never make the API fail with a
5xx, and every error is a problem document."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import token_for


def _check(response: Any, label: str) -> None:
    assert response.status_code < 500, (label, response.text)
    if response.status_code >= 400:
        content_type = response.headers["content-type"]
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        assert content_type.startswith("application/problem+json"), (label, response.text)
        assert {"type", "title", "status", "detail"} <= set(response.json())


def test_no_server_errors(app, client, world):  # type: ignore[no-untyped-def]
    headers = token_for(client, "admin")
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        _fuzz(operation, headers)


def _fuzz(operation: Any, headers: dict[str, str]) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    @settings(
        max_examples=10, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy())
        _check(case.call(headers=headers), label)

    fuzz()
