"""Backlog export in a real Chromium: with JavaScript, a download button streams the file, the accessible
progress bar counts the ideas up to the total, and the file is saved (a Playwright download) with every idea in
it; without JavaScript the same button is a plain download link."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Download, Page, expect

from tests.browser.conftest import SCREENSHOTS, OpenPage, Portal, sign_in
from tests.browser.test_survey import OWNER, delete_ideas, make_board, owner_api

pytestmark = pytest.mark.browser

IDEAS = 120


@pytest.fixture(scope="module")
async def export_board(portal: Portal) -> AsyncIterator[str]:
    async with await owner_api(portal) as api:
        slug, numbers = await make_board(
            api, portal, "Export", [f"Export idea {n:03d}, with a comma" for n in range(IDEAS)]
        )
    yield slug
    await delete_ideas(portal, numbers)


async def _content(download: Download) -> str:
    return await asyncio.to_thread(Path(await download.path()).read_text, encoding="utf-8")


async def _record_progress(page: Page) -> None:
    """Keep every value the progress bar takes, to check it only grows and ends at the total."""
    await page.evaluate(
        """() => {
          const bar = document.querySelector('#backlog-export-progress progress');
          window.__progress = [];
          new MutationObserver(() => window.__progress.push(Number(bar.getAttribute('value'))))
            .observe(bar, { attributes: true, attributeFilter: ['value'] });
        }"""
    )


async def test_staff_export_with_progress_up_to_the_total_and_a_saved_file(
    portal: Portal, new_page: OpenPage, export_board: str
):
    page = await new_page()
    path = f"/{portal.slug}/admin/backlog"
    await sign_in(page, portal, OWNER, path)
    await page.goto(portal.url(f"{path}?board={export_board}&ranking=new"))
    group = page.get_by_role("group", name=f"Export {IDEAS} ideas")
    await expect(group).to_be_visible()
    progress = page.locator("#backlog-export-progress")
    await expect(progress).to_be_hidden()
    await _record_progress(page)

    async with page.expect_download() as info:
        await group.get_by_role("link", name="CSV", exact=True).click()
    download = await info.value
    bar = page.get_by_role("progressbar")
    await expect(bar).to_have_attribute("value", str(IDEAS))
    await expect(bar).to_have_attribute("aria-valuetext", f"{IDEAS} of {IDEAS} ideas")
    status = page.get_by_role("status").filter(has_text="Exported")
    await expect(status).to_have_text(f"Exported {IDEAS} ideas to {portal.slug}-backlog.csv.")
    values = await page.evaluate("() => window.__progress")
    assert values and values == sorted(values) and values[-1] == IDEAS, values
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # the top of the page: the list below is long
    await page.screenshot(path=SCREENSHOTS / "backlog-export-progress.png")

    assert download.suggested_filename == f"{portal.slug}-backlog.csv"
    text = await _content(download)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == IDEAS
    # Newest first, as the page was ranked, with titles intact (commas and all).
    assert [r["title"] for r in rows[:2]] == [
        f"Export idea {IDEAS - 1:03d}, with a comma",
        f"Export idea {IDEAS - 2:03d}, with a comma",
    ]
    assert {r["board"] for r in rows} == {"Export"}

    # JSON too, from the same buttons: one file per click, counted again from zero.
    async with page.expect_download() as info:
        await group.get_by_role("link", name="JSON", exact=True).click()
    await expect(page.get_by_role("status").filter(has_text="Exported")).to_have_text(
        f"Exported {IDEAS} ideas to {portal.slug}-backlog.json."
    )
    data = json.loads(await _content(await info.value))
    assert len(data["ideas"]) == IDEAS and data["ranking"] == "new"


async def test_without_javascript_the_export_is_a_plain_download(portal: Portal, new_page: OpenPage, export_board: str):
    page = await new_page(java_script_enabled=False)
    path = f"/{portal.slug}/admin/backlog"
    await sign_in(page, portal, OWNER, path)
    await page.goto(portal.url(f"{path}?board={export_board}"))
    async with page.expect_download() as info:
        await page.get_by_role("link", name="Jira CSV import").click()
    download = await info.value
    assert download.suggested_filename == f"{portal.slug}-backlog.jira.csv"
    rows = list(csv.reader(io.StringIO(await _content(download))))
    assert rows[0][:3] == ["Summary", "Issue Type", "Description"] and len(rows) == IDEAS + 1
    await expect(page.locator("#backlog-export-progress")).to_be_hidden()
