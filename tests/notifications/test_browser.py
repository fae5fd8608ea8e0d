"""The bell and the follow button in a real Chromium: the badge appears after the page loads, clears when a
notification is marked read without a reload, and the follow button toggles in place."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import PASSWORD, OpenPage, Portal, save_screenshot, sign_in

pytestmark = pytest.mark.browser


async def _owner_token(portal: Portal) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=portal.base_url) as client:
        page = await client.get("/signin")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        await client.post("/signin", data={"email": "owner@acme.example", "password": PASSWORD, "csrf_token": token})
        account = await client.get("/account")
        csrf = account.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        created = await client.post("/account/tokens", data={"name": "notifications", "csrf_token": csrf})
        raw = created.text.split('data-testid="new-token">', 1)[1].split("<", 1)[0]
    return {"Authorization": f"Bearer {raw}"}


async def test_bell_badge_clears_when_a_notification_is_read_and_follow_toggles(new_page: OpenPage, portal: Portal):
    email = portal.users["board"]
    number, title = portal.ideas["keyboard"]
    page = await new_page()
    await sign_in(page, portal, email, f"/{portal.slug}/ideas/{number}")

    follow = page.locator(".follow").get_by_role("button")
    await expect(follow).to_have_attribute("aria-pressed", "false")
    await follow.click()
    await expect(page.locator(".follow").get_by_role("button")).to_have_attribute("aria-pressed", "true")

    headers = await _owner_token(portal)
    async with httpx.AsyncClient(base_url=portal.base_url, headers=headers) as owner:
        response = await owner.patch(f"/api/v1/{portal.slug}/ideas/{number}", json={"status": "planned"})
        assert response.status_code == 200, response.text

    badge = page.locator("#notification-bell .bell__badge")
    item = page.locator(".notification", has_text=title)
    for _ in range(40):  # the in-process worker delivers within a second or two
        await page.goto(portal.url("/notifications"))
        # Wait for the list itself: the badge loads after the page, so it may count what the page missed.
        if await item.count():
            break
        await page.wait_for_timeout(250)
    await expect(badge).to_have_text("1")
    await expect(item).to_have_class("notification notification--unread")
    await save_screenshot(page, "notifications-inbox")
    await item.get_by_role("button", name="Mark as read").click()
    await expect(page.locator(".notification", has_text=title)).not_to_have_class("notification notification--unread")
    await expect(badge).to_have_count(0)
