"""Moderation in a real Chromium: a customer's link-stuffed idea and comment wait for approval (the author sees
"Waiting for approval"); staff approve the comment and reject the idea in place on the queue (htmx, no reload);
the author then reads the reason. Nothing here is approved onto a board, so the shared portal's lists stay as
the other browser tests expect them."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser import conftest as harness
from tests.browser.conftest import OpenPage, Portal, _sign_up, save_screenshot, sign_in
from tests.browser.test_portal import assert_not_reloaded, htmx_idle, set_reload_marker

pytestmark = pytest.mark.browser
# The browser harness's fixtures (its conftest only reaches tests/browser/).
chromium, browser, portal, new_page = harness.chromium, harness.browser, harness.portal, harness.new_page

OWNER = "owner@acme.example"
LINKS = " ".join(f"https://deal{n}.example.com" for n in range(5))


async def test_staff_decide_in_place_and_the_author_sees_the_reason(portal: Portal, new_page: OpenPage):
    email = "spam.sender@example.com"
    await _sign_up(portal.base_url, email, "Spam Sender")
    author = await new_page()
    await sign_in(author, portal, email, f"/{portal.slug}/boards/feature-requests")
    await author.get_by_role("link", name="Suggest an idea").click()
    await author.get_by_label("Title").fill("Amazing discounts on everything")
    await author.get_by_label("Details").fill(f"Visit {LINKS}")
    await author.get_by_role("button", name="Post idea").click()
    await expect(author).to_have_url(re.compile(rf"/{portal.slug}/ideas/\d+$"))
    idea_url = author.url
    await expect(author.locator(".moderation-banner")).to_contain_text("Waiting for approval")
    await author.get_by_label("Add a comment").fill(f"More deals: {LINKS}")
    await author.get_by_role("button", name="Comment").click()
    await htmx_idle(author)
    await save_screenshot(author, "moderation-author-waiting")

    staff = await new_page()
    await sign_in(staff, portal, OWNER, f"/{portal.slug}/admin/moderation")
    await set_reload_marker(staff)
    ideas = staff.locator("#moderation-queue li[id^='queued-idea-']")
    comments = staff.locator("#moderation-queue li[id^='queued-comment-']")
    await expect(ideas.filter(has_text="Amazing discounts")).to_have_count(1)
    await expect(comments.filter(has_text="More deals")).to_have_count(1)
    await expect(ideas.filter(has_text="Amazing discounts")).to_contain_text("Spam signal: many links")
    await save_screenshot(staff, "moderation-queue")

    await comments.filter(has_text="More deals").get_by_role("button", name="Approve").click()
    await htmx_idle(staff)
    await expect(staff.locator("#moderation-queue .alert--success")).to_have_text("Approved the comment.")
    await expect(comments.filter(has_text="More deals")).to_have_count(0)

    item = ideas.filter(has_text="Amazing discounts")
    await item.get_by_text("Reject…").click()
    await item.get_by_label("Reason (the author sees it)").fill("Advertising is not allowed here")
    await item.get_by_role("button", name="Reject", exact=True).click()
    await htmx_idle(staff)
    await expect(ideas.filter(has_text="Amazing discounts")).to_have_count(0)
    await assert_not_reloaded(staff)

    await author.goto(idea_url)
    await expect(author.locator(".moderation-banner")).to_contain_text("Not published: Advertising is not allowed here")
    await save_screenshot(author, "moderation-author-rejected")
