"""The page tests' cookie-keeping client, shared from tests/web."""

from tests.web.conftest import browser

__all__ = ["browser"]
