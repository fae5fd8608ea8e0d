"""The pairwise survey in a real Chromium: a customer opens "Help us prioritise" from a board, answers "Which
matters more to you?" (picks one, then can't decide), adds an idea of their own; the results on the survey page
and the staff ranking (by pairwise) reflect the answers once the background fit has run."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import PASSWORD, OpenPage, Portal, save_screenshot, sign_in
from tests.browser.test_portal import htmx_idle

pytestmark = pytest.mark.browser

OWNER = "owner@acme.example"
# The fit runs in the background after each answer: results may take a moment.
FIT_WAIT_MS = 15_000


async def owner_api(portal: Portal) -> httpx.AsyncClient:
    """An API client for the workspace owner, with a token minted the way people mint theirs: on the account
    page (the harness keeps its own token to itself)."""
    async with httpx.AsyncClient(base_url=portal.base_url) as web:
        page = await web.get("/signin")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        signed = await web.post("/signin", data={"email": OWNER, "password": PASSWORD, "csrf_token": csrf})
        assert signed.status_code == 303, signed.text
        account = await web.get("/account")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', account.text).group(1)
        made = await web.post("/account/tokens", data={"name": "browser tests", "csrf_token": csrf})
        assert made.status_code == 201, made.text
        token = re.search(r'data-testid="new-token">([^<]+)<', made.text).group(1)
    return httpx.AsyncClient(base_url=portal.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


async def make_board(api: httpx.AsyncClient, portal: Portal, name: str, titles: list[str]) -> tuple[str, list[int]]:
    """A board of its own with ideas by the owner, so other tests' boards stay as they are; returns its slug and
    the ideas' numbers (for `delete_ideas` at the end: the shared portal's inbox and lists stay as they were)."""
    slug = f"{name.lower().replace(' ', '-')}-{uuid.uuid4().hex[:6]}"
    created = await api.post(f"/api/v1/{portal.slug}/boards", json={"name": name, "slug": slug, "description": ""})
    assert created.status_code == 201, created.text
    numbers = []
    for title in titles:
        idea = await api.post(f"/api/v1/{portal.slug}/ideas", json={"board": slug, "title": title, "body": ""})
        assert idea.status_code == 201, idea.text
        numbers.append(idea.json()["number"])
    return slug, numbers


async def delete_ideas(portal: Portal, numbers: list[int]) -> None:
    async with await owner_api(portal) as api:
        for number in numbers:
            response = await api.delete(f"/api/v1/{portal.slug}/ideas/{number}")
            assert response.status_code == 204, response.text


async def _pair(page: Page) -> tuple[str, str]:
    left = await page.get_by_test_id("choose-left").locator(".survey__title").inner_text()
    right = await page.get_by_test_id("choose-right").locator(".survey__title").inner_text()
    return left, right


async def test_a_customer_answers_the_survey_and_results_and_staff_ranking_follow(portal: Portal, new_page: OpenPage):
    titles = ["Offline mode", "Bulk edit ideas", "Public roadmap page", "Single sign-on"]
    async with await owner_api(portal) as api:
        board, numbers = await make_board(api, portal, "Survey", titles)
    try:
        await _survey_journey(portal, new_page, board, titles, numbers)
    finally:
        await delete_ideas(portal, numbers)


async def _survey_journey(portal: Portal, new_page: OpenPage, board: str, titles: list[str], numbers: list[int]):
    customer = await new_page()
    await sign_in(customer, portal, portal.users["keyboard"], f"/{portal.slug}/boards/{board}")
    await customer.get_by_role("link", name="Help us prioritise").click()
    await expect(customer).to_have_url(portal.url(f"/{portal.slug}/boards/{board}/prioritise"))
    await expect(customer.get_by_role("heading", name="Which matters more to you?")).to_be_visible()
    await expect(customer.get_by_text("No results yet")).to_be_visible()
    await save_screenshot(customer, "survey-first-pair")

    winner, loser = await _pair(customer)
    assert {winner, loser} <= set(titles) and winner != loser
    await customer.get_by_test_id("choose-left").click()
    await htmx_idle(customer)
    # htmx swaps in the next pair: the two ideas not judged yet (pairs favour the least compared).
    await expect(customer.get_by_role("status").filter(has_text="here is another pair")).to_be_attached()
    tie = await _pair(customer)
    assert set(tie) == set(titles) - {winner, loser}
    await customer.get_by_role("button", name="I can't decide").click()
    await htmx_idle(customer)
    third = await _pair(customer)
    for _ in range(50):  # the swap may land a moment after the request settles
        if frozenset(third) != frozenset(tie):
            break
        await customer.wait_for_timeout(100)
        third = await _pair(customer)
    assert frozenset(third) not in (frozenset((winner, loser)), frozenset(tie))

    # The results: every compared idea has a score; the one picked leads, the one it beat trails.
    rows = customer.locator(".survey-results li")
    for _ in range(30):
        await customer.goto(portal.url(f"/{portal.slug}/boards/{board}/prioritise"))
        if await rows.count() == 4 and "2 comparisons" in await customer.locator(".panel__head").last.inner_text():
            break
        await customer.wait_for_timeout(500)
    await expect(rows).to_have_count(4)
    await expect(customer.get_by_text("from 2 comparisons")).to_be_visible()
    await expect(rows.first).to_contain_text(winner)
    await expect(rows.last).to_contain_text(loser)
    for title in tie:
        await expect(rows.filter(has_text=title)).to_contain_text("1 comparison")
    winner_pct = int(re.search(r"(\d+)%", await rows.first.inner_text()).group(1))
    loser_pct = int(re.search(r"(\d+)%", await rows.last.inner_text()).group(1))
    assert winner_pct > 50 > loser_pct
    await save_screenshot(customer, "survey-results")

    # "Add your own idea": a real idea on the board, never offered to its author to judge.
    await customer.get_by_text("Missing something? Add your own idea").click()
    await customer.get_by_label("Your idea").fill("Export the survey results")
    await customer.get_by_role("button", name="Add idea").click()
    await expect(customer).to_have_url(re.compile(rf"/{portal.slug}/ideas/\d+$"))
    numbers.append(int(customer.url.rsplit("/", 1)[1]))
    await expect(customer.get_by_role("heading", name="Export the survey results")).to_be_visible()
    await customer.goto(portal.url(f"/{portal.slug}/boards/{board}/prioritise"))
    await expect(customer.locator(".survey__choices")).not_to_contain_text("Export the survey results")

    # Staff see the same order in their ranking by pairwise score.
    staff = await new_page()
    await sign_in(staff, portal, OWNER, f"/{portal.slug}/admin/ranking")
    await staff.goto(portal.url(f"/{portal.slug}/admin/ranking?ranking=pairwise&board={board}"))
    table_rows = staff.locator("table tbody tr")
    await expect(table_rows.first).to_contain_text(winner)
    await expect(table_rows.first).to_contain_text(f"{winner_pct}%")
    await save_screenshot(staff, "survey-staff-ranking")
