"""Triage in a real Chromium: staff change an idea's status with an official response and add an internal note
in place through htmx (no reload); a customer then sees the pinned response and the timeline, never the note."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import OpenPage, Portal, save_screenshot, sign_in
from tests.browser.test_portal import assert_not_reloaded, htmx_idle, set_reload_marker

pytestmark = pytest.mark.browser

OWNER = "owner@acme.example"


async def test_staff_answer_and_note_in_place_and_customers_see_only_the_answer(portal: Portal, new_page: OpenPage):
    number, _ = portal.ideas["jira"]
    path = f"/{portal.slug}/ideas/{number}"
    staff = await new_page()
    await sign_in(staff, portal, OWNER, path)
    await set_reload_marker(staff)

    await staff.get_by_label("Status").select_option("planned")
    await staff.get_by_label("Official response (optional)").fill("Planned for **next quarter**.")
    await staff.get_by_role("button", name="Update status").click()
    await htmx_idle(staff)
    official = staff.locator(".official")
    await expect(official).to_contain_text("Planned for next quarter.")
    await expect(official.locator(".official__body strong")).to_have_text("next quarter")
    await expect(staff.locator(".idea__meta [data-status='planned']")).to_have_text("Planned")
    await expect(staff.locator(".timeline")).to_contain_text("changed the status")

    await staff.get_by_label("Add an internal note").fill("Two enterprise deals depend on this.")
    await staff.get_by_role("button", name="Add note").click()
    await htmx_idle(staff)
    await expect(staff.locator("#notes .note")).to_contain_text("Two enterprise deals depend on this.")
    await assert_not_reloaded(staff)
    await save_screenshot(staff, "triage-staff")

    customer = await new_page()
    await sign_in(customer, portal, portal.users["board"], path)
    await expect(customer.locator(".official")).to_contain_text("Planned for next quarter.")
    await expect(customer.get_by_text("Two enterprise deals depend on this.")).to_have_count(0)
    await expect(customer.locator("#notes")).to_have_count(0)
    await expect(customer.get_by_role("button", name="Update status")).to_have_count(0)
    await save_screenshot(customer, "triage-customer")
