"""Merging in a real Chromium: staff search for the target as they type, pick it, and the triage block and the
banner change in place (no reload); a customer opening the merged idea lands on the target, which lists it;
staff unmerge it again in place. Screenshots go to test-output/screenshots/merge-*.png."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import (  # noqa: F401 - fixtures used by name
    WORKSPACE,
    Portal,
    _sign_up,
    _wait_until_healthy,
    browser,
    chromium,
    create_owner,
    new_page,
    save_screenshot,
    served_ideaflow,
    sign_in,
)
from tests.browser.test_portal import assert_not_reloaded, htmx_idle, set_reload_marker, vote_form

pytestmark = pytest.mark.browser

OWNER = "owner@acme.example"
CUSTOMER = "merge.customer@example.com"


@pytest.fixture(scope="module")
async def merge_portal(chromium) -> AsyncIterator[Portal]:  # noqa: F811
    """A portal of its own (merging changes the ideas other browser tests rely on)."""
    async with served_ideaflow("merges", IDEAFLOW_OUTBOX_IN_PROCESS="true") as served:
        await _wait_until_healthy(served.base_url, served.server, served.log)
        token = await create_owner(served, email=OWNER)
        await _sign_up(served.base_url, CUSTOMER, "Casey Customer")
        ideas = {}
        api = f"/api/v1/{WORKSPACE}"
        async with httpx.AsyncClient(base_url=served.base_url, headers={"Authorization": f"Bearer {token}"}) as owner:
            for key, title in [
                ("dup", "Dark theme please"),
                ("original", "Dark mode for the dashboard"),
                ("other", "Export reports to CSV"),
            ]:
                response = await owner.post(f"{api}/ideas", json={"board": "feature-requests", "title": title})
                assert response.status_code == 201, response.text
                ideas[key] = (response.json()["number"], title)
            assert (await owner.put(f"{api}/ideas/{ideas['dup'][0]}/vote")).status_code == 200
        yield Portal(base_url=served.base_url, slug=WORKSPACE, users={"customer": CUSTOMER}, ideas=ideas)


async def test_staff_merge_by_search_as_you_type_then_customers_land_on_the_target(
    merge_portal: Portal,
    new_page,  # noqa: F811 - the fixture imported above
):
    portal = merge_portal
    dup, _ = portal.ideas["dup"]
    original, original_title = portal.ideas["original"]
    path = f"/{portal.slug}/ideas/{dup}"
    staff = await new_page()
    await sign_in(staff, portal, OWNER, path)
    await set_reload_marker(staff)

    search = staff.get_by_label("Merge this idea into")
    await search.press_sequentially("dashboard", delay=20)
    pick = staff.locator("#merge-candidates").get_by_role("button", name=f"#{original} {original_title}")
    await expect(pick).to_be_visible()
    await save_screenshot(staff, "merge-search")
    await pick.click()
    await htmx_idle(staff)
    await expect(staff.locator("#merge-banner")).to_contain_text(f"Merged into #{original} {original_title}")
    unmerge = staff.get_by_role("button", name=f"Unmerge #{dup}")
    await expect(unmerge).to_be_visible()
    await assert_not_reloaded(staff)
    await save_screenshot(staff, "merge-staff-merged")

    customer = await new_page()
    await sign_in(customer, portal, CUSTOMER, f"/{portal.slug}")
    await customer.goto(portal.url(path))
    await expect(customer).to_have_url(portal.url(f"/{portal.slug}/ideas/{original}"))
    listed = customer.locator("#merge-banner").get_by_role("link", name=f"#{dup} Dark theme please")
    await expect(listed).to_be_visible()
    await expect(vote_form(customer, original)).to_contain_text("1")  # the duplicate's vote counts here
    await save_screenshot(customer, "merge-customer-target")
    await listed.click()
    await expect(customer).to_have_url(portal.url(f"{path}?stay=1"))
    await expect(customer.locator("#merge-banner")).to_contain_text(f"Merged into #{original}")

    await unmerge.click()
    await htmx_idle(staff)
    await expect(staff.locator("#merge-banner")).not_to_contain_text("Merged into")
    await expect(staff.get_by_label("Merge this idea into")).to_be_visible()
    await assert_not_reloaded(staff)
