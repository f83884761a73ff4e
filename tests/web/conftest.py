"""Page tests through TestClient: an https base URL so the Secure session cookie round-trips."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import PASSWORD

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def browser(app: Any) -> Iterator[TestClient]:
    """A cookie-keeping client that does not follow redirects, so tests can see them."""
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        yield c


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    form = client.get("/login")
    assert form.status_code == 200, form.text
    return client.post(
        "/login", data={"username": username, "password": password, "csrf": csrf_of(form.text)}
    )


def page_csrf(client: TestClient, path: str = "/") -> str:
    """The session's CSRF token, read from a page's forms (the logout form carries it)."""
    r = client.get(path, follow_redirects=True)
    assert r.status_code == 200, r.text
    return csrf_of(r.text)


class _Forms(HTMLParser):
    """The fields of each form on a page, as a browser would submit them (checked boxes only)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._open: dict[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._open = {}
            self.forms.append((a.get("action", ""), self._open))
        elif tag == "input" and self._open is not None and "name" in a:
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self._open.setdefault(a["name"], []).append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


def forms(html: str, action: str) -> list[dict[str, list[str]]]:
    parser = _Forms()
    parser.feed(html)
    return [fields for act, fields in parser.forms if act == action]


def submit_get(client: TestClient, html: str, action: str, index: int = 0, **override: str) -> Any:
    found = forms(html, action)
    assert len(found) > index, f"no form {index} for {action}"
    fields = {**found[index], **{k: [v] for k, v in override.items()}}
    return client.get(action, params=fields)


def submit_post(client: TestClient, html: str, action: str, index: int = 0, **override: str) -> Any:
    found = forms(html, action)
    assert len(found) > index, f"no form {index} for {action}"
    fields = {**found[index], **{k: [v] for k, v in override.items()}}
    return client.post(action, data=fields)
