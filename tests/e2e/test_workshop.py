"""The workshop in the browser: the advisor checks a car in from the board, records a finding
with a photo, prices it and lends a loaner; the owner approves the estimate line by line on
the phone, in Chinese; the advisor moves the job on to hand-over."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.helpers import api_book
from tests.factories import PASSWORD
from tests.workshop.helpers import png

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("e2e"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@pytest.fixture(autouse=True)
def _photos_in_tmp(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    # Before the live server reads its settings: photos go to the test's own directory.
    monkeypatch.setenv("PITSTOP_PHOTO_DIR", str(tmp_path / "photos"))


def _add_loaner(base_url: str, site_id: int) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as api:
        token = api.post(
            "/api/v1/auth/token", data={"username": "advisor_sh", "password": PASSWORD}
        ).json()["access_token"]
        r = api.post(
            "/api/v1/loaners",
            json={"site_id": site_id, "plate": "沪L66666", "model": "Aurora"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 201, r.text


def test_advisor_moves_job_and_owner_approves_estimate(new_page, base_url, e2e_world, tmp_path):  # type: ignore[no-untyped-def]
    booking = api_book(base_url, e2e_world, "alice", "sh")
    _add_loaner(base_url, e2e_world.sites["sh"])

    desk = new_page(viewport={"width": 1280, "height": 800}, label="advisor")
    log_in(desk, "advisor_sh")
    desk.goto("/workshop")
    arrival = desk.locator(f"[data-testid=arrival][data-reference='{booking['reference']}']")
    arrival.get_by_role("button", name="Check in").click()
    expect(desk).to_have_url(re.compile(r"/workshop/jobs/\d+"))
    job_url = desk.url.split("?")[0]
    expect(desk.get_by_test_id("state").first).to_have_text("Checked in")
    desk.get_by_test_id("move-diagnosing").click()
    expect(desk.get_by_test_id("notice")).to_have_text("Moved to: Diagnosing.")

    finding = desk.get_by_test_id("finding-form")
    finding.get_by_label("What was found").fill("Front brake pads worn")
    finding.get_by_label("Severity").select_option("urgent")
    finding.locator("input[type=file]").set_input_files(
        {"name": "pads.png", "mimeType": "image/png", "buffer": png(4, 4)}
    )
    finding.get_by_role("button", name="Save").click()
    expect(desk.get_by_test_id("finding")).to_contain_text("Front brake pads worn")
    expect(desk.get_by_test_id("photo")).to_have_count(1)

    for description, amount in (("Brake pads", "880"), ("Wiper blades", "120")):
        form = desk.get_by_test_id("estimate-form")
        form.get_by_label("Work or part").fill(description)
        form.get_by_label("Price (¥)").fill(amount)
        form.get_by_role("button", name="Save").click()
        expect(desk.get_by_test_id("notice")).to_have_text("Saved.")
    expect(desk.get_by_test_id("line")).to_have_count(2)
    desk.get_by_test_id("assign-loaner").click()
    expect(desk.get_by_test_id("loaner-line")).to_contain_text("沪L66666")
    desk.get_by_test_id("move-awaiting_approval").click()
    expect(desk.get_by_test_id("notice")).to_have_text("Moved to: Awaiting approval.")

    phone = new_page(locale="zh-CN", label="owner")
    log_in(phone, "alice")
    phone.goto("/my/jobs")
    phone.get_by_test_id("job").first.get_by_role("link").click()
    expect(phone.get_by_test_id("state").first).to_have_text("待确认报价")
    expect(phone.get_by_test_id("photo")).to_have_count(1)
    phone.get_by_test_id("line").nth(0).get_by_test_id("approve").click()
    expect(phone.get_by_test_id("notice")).to_have_text("谢谢，您的选择已记录。")
    phone.get_by_test_id("line").nth(1).get_by_test_id("decline").click()
    expect(phone.get_by_test_id("state").first).to_have_text("维修中")
    expect(phone.get_by_test_id("approved-total")).to_have_text("¥880.00")
    expect(phone.get_by_test_id("decision")).to_have_text(["已同意", "已拒绝"])

    desk.goto(job_url)
    expect(desk.get_by_test_id("state").first).to_have_text("In progress")
    for to, label in (
        ("quality_check", "Quality check"),
        ("ready", "Ready"),
        ("handed_over", "Handed over"),
    ):
        desk.get_by_test_id(f"move-{to}").click()
        expect(desk.get_by_test_id("state").first).to_have_text(label)
    expect(desk.get_by_text("This job is finished.")).to_be_visible()

    phone.reload()
    expect(phone.get_by_test_id("state").first).to_have_text("已交车")
    timeline = phone.get_by_test_id("timeline")
    expect(timeline.get_by_test_id("state")).to_have_text(
        ["已接车", "检测中", "待确认报价", "维修中", "质检中", "可取车", "已交车"]
    )
