"""Votes on a customer's behalf in a real Chromium: staff open the form in the staff panel, a link the server
refuses comes back next to its field in place (htmx, no reload), the corrected vote appears in the list with where
it came from, and a customer on the same idea sees the count go up but nothing of the provenance."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import (  # noqa: F401 - the fixtures, served for this module too
    OpenPage,
    Portal,
    browser,
    chromium,
    new_page,
    portal,
    save_screenshot,
    sign_in,
)
from tests.browser.test_portal import assert_not_reloaded, htmx_idle, set_reload_marker

pytestmark = pytest.mark.browser

OWNER = "owner@acme.example"
NOTE = "Their support team handles 200 requests a day on keyboards only"


async def test_staff_record_a_vote_for_a_customer_in_place(portal: Portal, new_page: OpenPage):  # noqa: F811
    number, _ = portal.ideas["keyboard"]
    path = f"/{portal.slug}/ideas/{number}"
    staff = await new_page()
    await sign_in(staff, portal, OWNER, path)
    await set_reload_marker(staff)
    count = staff.locator(f"#vote-{number} [data-testid='vote-count']")
    before = int(await count.inner_text())

    await staff.get_by_text("Record a vote for a customer").click()
    await staff.get_by_label("Customer email").fill("carla@customer.example.org")
    await staff.get_by_label("Name (optional)").fill("Carla Diaz")
    await staff.get_by_label("Source").select_option("support_ticket")
    await staff.get_by_label("Link (optional)").fill("ftp://files.example.org/ticket-4411")
    await staff.get_by_label("Note (optional)").fill(NOTE)
    await staff.get_by_role("button", name="Record vote").click()
    await htmx_idle(staff)
    await expect(staff.locator("#f-ob-link-error")).to_contain_text("must be a web address")
    await expect(staff.get_by_label("Note (optional)")).to_have_value(NOTE)  # what was typed stays
    await save_screenshot(staff, "on-behalf-form-error")

    await staff.get_by_label("Link (optional)").fill("https://support.example.org/tickets/4411")
    await staff.get_by_role("button", name="Record vote").click()
    await htmx_idle(staff)
    item = staff.locator(".on-behalf__item")
    await expect(item).to_have_count(1)
    await expect(item).to_contain_text("Carla Diaz")
    await expect(item).to_contain_text("Added by Ada Owner from a support ticket")
    await expect(item).to_contain_text(NOTE)
    await expect(staff.locator("#on-behalf [role=status]")).to_contain_text("Vote recorded for Carla Diaz")
    await expect(count).to_have_text(str(before + 1))
    await assert_not_reloaded(staff)
    await save_screenshot(staff, "on-behalf-staff")

    customer = await new_page()
    await sign_in(customer, portal, portal.users["keyboard"], path)
    await expect(customer.locator(f"#vote-{number} [data-testid='vote-count']")).to_have_text(str(before + 1))
    await expect(customer.get_by_text(NOTE)).to_have_count(0)
    await expect(customer.get_by_text("Carla Diaz")).to_have_count(0)
    await expect(customer.locator("#on-behalf")).to_have_count(0)

    # Staff remove it again in place; the count goes back.
    staff.once("dialog", lambda dialog: dialog.accept())
    await staff.get_by_role("button", name="Remove the vote recorded for Carla Diaz").click()
    await htmx_idle(staff)
    await expect(staff.locator(".on-behalf__item")).to_have_count(0)
    await expect(count).to_have_text(str(before))
    await assert_not_reloaded(staff)
