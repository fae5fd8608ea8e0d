"""The triage inbox in a real Chromium, driven by the keyboard alone: staff answer one idea with a status and an
official response, merge a duplicate into another idea and tag a third, each through an htmx swap (no reload,
the nav count following); a customer then sees the status with the pinned response, the merge and the tag."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import PASSWORD, OpenPage, Portal, save_screenshot, sign_in
from tests.browser.test_portal import assert_not_reloaded, htmx_idle, set_reload_marker

pytestmark = pytest.mark.browser

OWNER = "owner@acme.example"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def _owner_api(portal: Portal) -> httpx.AsyncClient:
    """The owner signed in through the form; the JSON API then takes the session cookie with its CSRF header."""
    client = httpx.AsyncClient(base_url=portal.base_url)
    page = await client.get("/signin")
    response = await client.post(
        "/signin", data={"email": OWNER, "password": PASSWORD, "csrf_token": CSRF.search(page.text).group(1)}
    )
    assert response.status_code == 303, response.text
    client.headers["X-CSRF-Token"] = CSRF.search((await client.get("/account")).text).group(1)
    return client


async def _seed(portal: Portal) -> dict[str, int]:
    """Three ideas of the inbox's own (the shared seeded ones belong to other tests too) and a tag."""
    api = f"/api/v1/{portal.slug}"
    numbers: dict[str, int] = {}
    owner = await _owner_api(portal)
    try:
        for key, title in [
            ("answer", "Offline mode for the field app"),
            ("duplicate", "Nightfall theme for the field app"),
            ("target", "Nightfall theme across every screen"),
        ]:
            response = await owner.post(f"{api}/ideas", json={"board": "feature-requests", "title": title})
            assert response.status_code == 201, response.text
            numbers[key] = response.json()["number"]
        response = await owner.post(f"{api}/tags", json={"name": "Field app", "colour": "#2e8ae6"})
        assert response.status_code == 201, response.text
    finally:
        await owner.aclose()
    return numbers


async def _move_to(page: Page, number: int) -> None:
    """j/k to the row of idea `number` (reading the list's order, moving with the keyboard only)."""
    order = [int(n) for n in await page.locator("#inbox-list > .inbox-row").evaluate_all(
        "rows => rows.map(r => r.dataset.number)"
    )]  # fmt: skip
    here = int(await page.locator(".inbox-row.is-current").get_attribute("data-number"))
    steps = order.index(number) - order.index(here)
    for _ in range(abs(steps)):
        await page.keyboard.press("j" if steps > 0 else "k")
    await expect(page.locator(".inbox-row.is-current")).to_have_attribute("data-number", str(number))
    await expect(page.locator(f"#inbox-row-{number}")).to_be_focused()


async def _nav_count(page: Page) -> int:
    text = await page.locator("#triage-nav .triage-nav__count").text_content()
    return int(text.strip())


async def test_staff_triage_three_ideas_with_the_keyboard_and_customers_see_the_results(
    portal: Portal, new_page: OpenPage
):
    ideas = await _seed(portal)
    inbox_path = f"/{portal.slug}/admin/triage"
    staff = await new_page()
    await sign_in(staff, portal, OWNER, inbox_path)
    await set_reload_marker(staff)
    for key in ideas:
        await expect(staff.locator(f"#inbox-row-{ideas[key]}")).to_be_visible()
    await expect(staff.locator("#inbox-keys")).to_be_visible()
    count = await _nav_count(staff)
    await expect(staff.locator("#inbox-count")).to_have_text(str(count))
    await save_screenshot(staff, "triage-inbox")

    # The help first: "?" opens it, Escape closes it and focus returns to the list.
    await staff.keyboard.press("?")
    await expect(staff.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    await staff.keyboard.press("Escape")
    await expect(staff.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()

    # 1. Set a status with an official response: s, pick "Planned" by typing, Tab to the response, Ctrl+Enter.
    await _move_to(staff, ideas["answer"])
    await staff.keyboard.press("s")
    dialog = staff.get_by_role("dialog", name=re.compile("^Answer"))
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text("Offline mode for the field app")
    await expect(staff.locator("#dlg-status")).to_be_focused()
    await staff.keyboard.type("Planned")
    await expect(staff.locator("#dlg-status")).to_have_value("planned")
    await staff.keyboard.press("Tab")
    await expect(staff.locator("#dlg-response")).to_be_focused()
    # Typing letters that are shortcuts (s, r, m, t, j, k) must only type them.
    await staff.keyboard.type("Planned for the spring: sync runs when the network returns.")
    await save_screenshot(staff, "triage-inbox-answer")
    await staff.keyboard.press("Control+Enter")
    await htmx_idle(staff)
    await expect(dialog).to_be_hidden()
    await expect(staff.locator(f"#inbox-row-{ideas['answer']}")).to_have_count(0)
    await expect(staff.locator("#toasts")).to_contain_text(f"Idea #{ideas['answer']} set to Planned with a response.")
    await expect(staff.locator("#inbox-count")).to_have_text(str(count - 1))
    await expect(staff.locator("#triage-nav .triage-nav__count")).to_have_text(str(count - 1))
    # Focus stays in the list, on a row, ready for the next key.
    await expect(staff.locator(".inbox-row.is-current")).to_be_focused()

    # 2. Merge the duplicate: m, search as you type, Enter merges into the first match.
    await _move_to(staff, ideas["duplicate"])
    await staff.keyboard.press("m")
    await expect(staff.locator("#dlg-merge-q")).to_be_focused()
    await staff.keyboard.type("nightfall")
    target = staff.locator(f"#merge-targets input[value='{ideas['target']}']")
    await expect(target).to_be_checked()
    # The idea being merged is not offered as its own target.
    await expect(staff.locator(f"#merge-targets input[value='{ideas['duplicate']}']")).to_have_count(0)
    await save_screenshot(staff, "triage-inbox-merge")
    await staff.keyboard.press("Enter")
    await htmx_idle(staff)
    await expect(staff.locator("#dlg-merge")).to_be_hidden()
    await expect(staff.locator(f"#inbox-row-{ideas['duplicate']}")).to_have_count(0)
    await expect(staff.locator("#toasts")).to_contain_text(
        f"Merged idea #{ideas['duplicate']} into #{ideas['target']}."
    )
    await expect(staff.locator("#triage-nav .triage-nav__count")).to_have_text(str(count - 2))

    # 3. Tag the target: t, type the tag's name, Enter. Tagging is not an answer: the idea stays in the inbox.
    await _move_to(staff, ideas["target"])
    await staff.keyboard.press("t")
    await expect(staff.locator("#dlg-tag-select")).to_be_focused()
    await staff.keyboard.type("Field")
    await staff.keyboard.press("Enter")
    await htmx_idle(staff)
    await expect(staff.locator("#dlg-tag")).to_be_hidden()
    await expect(staff.locator(f"#inbox-row-{ideas['target']} .tag-chip")).to_have_text("Field app")
    await expect(staff.locator("#inbox-count")).to_have_text(str(count - 2))

    await assert_not_reloaded(staff)
    await save_screenshot(staff, "triage-inbox-after")

    customer = await new_page()
    answered = f"/{portal.slug}/ideas/{ideas['answer']}"
    await sign_in(customer, portal, portal.users["board"], answered)
    await expect(customer.locator(".idea__meta [data-status='planned']")).to_have_text("Planned")
    await expect(customer.locator(".official")).to_contain_text("sync runs when the network returns")

    target_path = f"/{portal.slug}/ideas/{ideas['target']}"
    await customer.goto(portal.url(f"/{portal.slug}/ideas/{ideas['duplicate']}"))
    # A merged idea sends its visitors to the idea it was merged into, or says where it went.
    if customer.url.split("?")[0] != portal.url(target_path):
        await expect(customer.locator("main")).to_contain_text(re.compile(r"merged into", re.IGNORECASE))
        await expect(customer.locator(f"main a[href$='{target_path}']").first).to_be_visible()
        await customer.goto(portal.url(target_path))
    await expect(customer.locator(".idea__title")).to_have_text("Nightfall theme across every screen")
    await expect(customer.locator(".idea__tags")).to_contain_text("Field app")
    await save_screenshot(customer, "triage-inbox-customer")
