"""The customer portal in a real Chromium: signing up, suggesting an idea with the similar-ideas hint, voting
and commenting in place through htmx, the board's sort and search, the same journeys with JavaScript off, and
voting from the keyboard."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import PASSWORD, OpenPage, Portal, save_screenshot, sign_in

pytestmark = pytest.mark.browser

MARKER = "window.__ideaflowMarker"


async def set_reload_marker(page: Page) -> None:
    """A value on `window` that only survives if the page is never reloaded."""
    await page.evaluate(f"{MARKER} = 42")


async def assert_not_reloaded(page: Page) -> None:
    assert await page.evaluate(MARKER) == 42, "the page was reloaded"


async def htmx_idle(page: Page) -> None:
    """Wait until htmx has finished: no request in flight and swapped-in content settled. New content only
    becomes htmx-driven when it settles (about 20 ms after the swap); a click before then is a plain post."""
    # A locator, not wait_for_function: the page's CSP (no 'unsafe-eval') rejects polled string predicates.
    await expect(page.locator(".htmx-request, .htmx-swapping, .htmx-added, .htmx-settling")).to_have_count(0)


def vote_form(page: Page, number: int) -> Locator:
    return page.locator(f"#vote-{number}")


async def click_vote(page: Page, number: int) -> None:
    await htmx_idle(page)
    await vote_form(page, number).get_by_role("button").click()


async def expect_vote_state(page: Page, number: int, count: int, *, pressed: bool) -> None:
    form = vote_form(page, number)
    await expect(form.get_by_test_id("vote-count")).to_have_text(str(count))
    await expect(form.get_by_role("button")).to_have_attribute("aria-pressed", "true" if pressed else "false")


def card_titles(page: Page) -> Locator:
    return page.locator("#idea-list .idea-card__title")


async def api_idea(portal: Portal, number: int) -> dict:
    async with httpx.AsyncClient(base_url=portal.base_url) as client:
        response = await client.get(f"/api/v1/{portal.slug}/ideas/{number}")
    assert response.status_code == 200, response.text
    return response.json()


async def test_customer_signs_up_suggests_an_idea_votes_and_comments_without_reloads(
    portal: Portal, new_page: OpenPage
) -> None:
    page = await new_page()
    board_path = f"/{portal.slug}/boards/feature-requests"
    await page.goto(portal.url(board_path))

    # Sign up from the portal's header and come back to the board.
    await page.get_by_role("link", name="Sign up").click()
    await expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    await page.get_by_label("Your name").fill("Grace Customer")
    await page.get_by_label("Email").fill("grace@customer.example")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page).to_have_url(portal.url(board_path))
    await expect(page.locator(".topbar__username")).to_have_text("Grace Customer")

    # Suggest an idea: while the title is typed, existing ideas with matching words are offered.
    similar_requests: list[str] = []
    page.on("request", lambda r: similar_requests.append(r.url) if f"/{portal.slug}/similar" in r.url else None)
    await page.get_by_role("link", name="Suggest an idea").click()
    await expect(page.get_by_role("heading", name="Suggest an idea")).to_be_visible()
    await htmx_idle(page)
    title = "Dark mode for the mobile app"
    await page.get_by_label("Title").press_sequentially(title, delay=15)
    similar = page.locator("#similar")
    existing_number, existing_title = portal.ideas["dark-mode"]
    await expect(similar.get_by_role("link", name=existing_title)).to_have_attribute(
        "href", f"/{portal.slug}/ideas/{existing_number}"
    )
    # Debounced: typing the whole title asked the server a time or two, not once per keystroke.
    assert 1 <= len(similar_requests) <= 3, similar_requests
    assert "title=Dark%20mode%20for%20the%20mobile%20app" in similar_requests[-1]
    await page.get_by_label("Details").fill("Reading the app at night hurts; a **dark** theme would help.")
    await page.get_by_role("button", name="Post idea").click()

    await expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    await expect(page).to_have_url(re.compile(rf"/{portal.slug}/ideas/\d+$"))
    number = int(page.url.rsplit("/", 1)[1])
    await expect(page.locator(".idea__body strong")).to_have_text("dark")

    # Vote and un-vote in place.
    await set_reload_marker(page)
    await expect_vote_state(page, number, 0, pressed=False)
    await click_vote(page, number)
    await expect_vote_state(page, number, 1, pressed=True)
    await assert_not_reloaded(page)
    assert (await api_idea(portal, number))["vote_count"] == 1
    await click_vote(page, number)
    await expect_vote_state(page, number, 0, pressed=False)
    await assert_not_reloaded(page)
    assert (await api_idea(portal, number))["vote_count"] == 0

    # Comment in place: the thread shows it and the form is ready for the next one.
    comment = "Please keep the contrast high enough for charts."
    await htmx_idle(page)
    await page.get_by_label("Add a comment").fill(comment)
    await page.get_by_role("button", name="Comment", exact=True).click()
    comments = page.locator("#comments")
    await expect(comments.locator(".comment__body")).to_have_text(comment)
    await expect(comments.get_by_role("heading", name="1 comment")).to_be_visible()
    await expect(page.get_by_label("Add a comment")).to_have_value("")
    await assert_not_reloaded(page)
    assert (await api_idea(portal, number))["comment_count"] == 1
    await save_screenshot(page, "idea-page")


async def test_board_votes_in_place_and_sort_and_search_swap_the_list(portal: Portal, new_page: OpenPage) -> None:
    page = await new_page()
    board_path = f"/{portal.slug}/boards/integrations"
    await sign_in(page, portal, portal.users["board"], board_path)
    slack, jira, webhooks = (portal.ideas[key] for key in ("slack", "jira", "webhooks"))
    # Top: most votes first (Slack has the only one), then the newest.
    await expect(card_titles(page)).to_have_text([slack[1], webhooks[1], jira[1]])
    await save_screenshot(page, "board-page")
    await set_reload_marker(page)
    await htmx_idle(page)

    await page.locator(".filters__sort label").filter(has_text="New").click()
    await expect(card_titles(page)).to_have_text([webhooks[1], jira[1], slack[1]])
    await expect(page).to_have_url(re.compile(r"[?&]sort=new"))
    await expect(page.get_by_role("radio", name="New")).to_be_checked()

    await page.get_by_role("searchbox", name="Search ideas").fill("webhooks")
    await expect(card_titles(page)).to_have_text([webhooks[1]])
    await expect(page).to_have_url(re.compile(r"[?&]q=webhooks"))

    await page.get_by_role("searchbox", name="Search ideas").fill("spreadsheet")
    await expect(page.locator("#idea-list")).to_contain_text("No ideas match “spreadsheet”.")
    await page.get_by_role("searchbox", name="Search ideas").fill("")
    await expect(card_titles(page)).to_have_count(3)

    # The vote buttons in the swapped-in list work, in place.
    await expect_vote_state(page, jira[0], 0, pressed=False)
    await click_vote(page, jira[0])
    await expect_vote_state(page, jira[0], 1, pressed=True)
    await assert_not_reloaded(page)
    assert (await api_idea(portal, jira[0]))["vote_count"] == 1


async def test_signing_in_voting_and_commenting_work_without_javascript(portal: Portal, new_page: OpenPage) -> None:
    page = await new_page(java_script_enabled=False)
    number, title = portal.ideas["csv-export"]
    idea_path = f"/{portal.slug}/ideas/{number}"
    await sign_in(page, portal, portal.users["nojs"], idea_path)
    await expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()

    await expect_vote_state(page, number, 0, pressed=False)
    async with page.expect_navigation():
        await vote_form(page, number).get_by_role("button").click()
    await expect(page).to_have_url(portal.url(idea_path))
    await expect_vote_state(page, number, 1, pressed=True)
    async with page.expect_navigation():
        await vote_form(page, number).get_by_role("button").click()
    await expect_vote_state(page, number, 0, pressed=False)

    comment = "CSV with one row per vote would be perfect."
    await page.get_by_label("Add a comment").fill(comment)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Comment", exact=True).click()
    await expect(page).to_have_url(re.compile(rf"{idea_path}#comment-\d+$"))
    await expect(page.locator("#comments .comment__body")).to_have_text(comment)
    await expect(page.get_by_role("heading", name="1 comment")).to_be_visible()

    # The board's filters submit as a plain form.
    await page.goto(portal.url(f"/{portal.slug}/boards/feature-requests"))
    await page.get_by_role("searchbox", name="Search ideas").fill("CSV")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Apply").click()
    await expect(card_titles(page)).to_have_text([title])


async def test_keyboard_reaches_the_vote_button_and_votes_with_enter_and_space(
    portal: Portal, new_page: OpenPage
) -> None:
    page = await new_page()
    number, _ = portal.ideas["keyboard"]
    await sign_in(page, portal, portal.users["keyboard"], f"/{portal.slug}/ideas/{number}")
    button = vote_form(page, number).get_by_role("button")
    await htmx_idle(page)

    for _ in range(20):
        await page.keyboard.press("Tab")
        if await button.evaluate("el => el === document.activeElement"):
            break
    await expect(button).to_be_focused()
    assert await button.evaluate("el => el.matches(':focus-visible')"), "the focused vote button shows no focus ring"

    await page.keyboard.press("Enter")
    await expect_vote_state(page, number, 1, pressed=True)
    await expect(button).to_be_focused()
    await htmx_idle(page)
    await page.keyboard.press("Space")
    await expect_vote_state(page, number, 0, pressed=False)
    await expect(button).to_be_focused()
