"""Votes on a customer's behalf over HTTP: the staff API (record, list, remove) and the staff panel on the idea
page (with and without JavaScript, errors inline next to the field), and what customers never see: where a
vote came from is absent from their pages, the idea and vote API, and the backlog export."""

from __future__ import annotations

from sqlalchemy import select

from ideaflow.ideas.models import IdeaStatus
from ideaflow.votes.models import Vote
from tests.factories import make_token
from tests.statuses.scene import build_scene, web_client

NOTE = "Escalated by their CTO in ticket 4411"
LINK = "https://support.example.com/tickets/4411"
HTMX = {"HX-Request": "true"}
BODY = {"email": "carla@customer.example.org", "name": "Carla Diaz", "source": "support_ticket", "note": NOTE}


def _url(scene, suffix: str = "") -> str:
    return f"/api/v1/{scene.slug}/ideas/{scene.idea.number}/votes/on-behalf{suffix}"


async def test_staff_record_list_and_remove_a_vote_through_the_api(session, client):
    scene = await build_scene(session)
    headers = await make_token(session, scene.users["staff"])

    first = await client.put(_url(scene), json=BODY | {"link": LINK}, headers=headers)
    again = await client.put(_url(scene), json=BODY | {"link": LINK}, headers=headers)
    assert first.status_code == again.status_code == 200
    created, repeated = first.json(), again.json()
    assert (created["changed"], created["placeholder_created"], created["vote_count"]) == (True, True, 1)
    assert (repeated["changed"], repeated["placeholder_created"], repeated["vote_count"]) == (False, False, 1)
    vote = created["vote"]
    assert (vote["email"], vote["name"], vote["signed_up"], vote["source"]) == (
        "carla@customer.example.org",
        "Carla Diaz",
        False,
        "support_ticket",
    )
    assert (vote["note"], vote["link"], vote["added_by"]["name"]) == (NOTE, LINK, "Sam Staff")

    [listed] = (await client.get(_url(scene), headers=headers)).json()
    assert listed["user_id"] == vote["user_id"] and listed["note"] == NOTE

    removed = await client.delete(_url(scene, f"/{vote['user_id']}"), headers=headers)
    assert removed.status_code == 200 and removed.json() == {
        "number": scene.idea.number,
        "vote_count": 0,
        "removed": True,
    }
    assert (await client.get(_url(scene), headers=headers)).json() == []


async def test_api_bad_input_answers_422_naming_the_field(session, client):
    scene = await build_scene(session)
    headers = await make_token(session, scene.users["staff"])
    cases = {
        "email": BODY | {"email": "carla at customer"},
        "source": BODY | {"source": "carrier_pigeon"},
        "link": BODY | {"link": "javascript:alert(1)"},
    }
    for field, body in cases.items():
        response = await client.put(_url(scene), json=body, headers=headers)
        assert response.status_code == 422, field
        payload = response.json()
        assert payload["error"] == "invalid" and list(payload["fields"]) == [field]
    assert (await client.get(_url(scene), headers=headers)).json() == []


async def test_api_refuses_closed_ideas_with_409(session, client):
    scene = await build_scene(session)
    scene.idea.status, scene.idea.status_category = IdeaStatus.shipped, "done"
    await session.flush()
    response = await client.put(_url(scene), json=BODY, headers=await make_token(session, scene.users["staff"]))
    assert response.status_code == 409 and response.json()["error"] == "voting_closed"


async def test_staff_record_a_vote_from_the_idea_page_without_javascript(session, app):
    scene = await build_scene(session)
    page_url = f"/{scene.slug}/ideas/{scene.idea.number}"
    staff, csrf = await web_client(app, scene, "staff")
    async with staff:
        page = (await staff.get(page_url)).text
        assert f'action="{page_url}/votes/on-behalf"' in page and 'id="f-ob-email"' in page
        response = await staff.post(f"{page_url}/votes/on-behalf", data=BODY | {"link": LINK, "csrf_token": csrf})
        assert response.status_code == 303 and response.headers["location"] == page_url
        page = (await staff.get(page_url)).text
    panel = page[page.index('id="on-behalf"') :]
    assert "Carla Diaz" in panel and "carla@customer.example.org" in panel and "not signed up yet" in panel
    assert "Added by Sam Staff from a support ticket" in panel
    assert NOTE in panel and f'href="{LINK}"' in panel
    user_id = await session.scalar(select(Vote.user_id).where(Vote.idea_id == scene.idea.id))
    assert f'action="{page_url}/votes/on-behalf/{user_id}/remove"' in panel
    assert 'data-testid="vote-count">1<' in page


async def test_a_bad_email_is_shown_next_to_the_field_and_the_form_keeps_what_was_typed(session, app):
    scene = await build_scene(session)
    page_url = f"/{scene.slug}/ideas/{scene.idea.number}"
    staff, csrf = await web_client(app, scene, "staff")
    async with staff:
        response = await staff.post(
            f"{page_url}/votes/on-behalf", data=BODY | {"email": "carla at customer", "csrf_token": csrf}
        )
    assert response.status_code == 422
    html = response.text
    assert "<html" in html  # the whole page again, without JavaScript
    error = html.index('id="f-ob-email-error"')
    assert "Customer email must be a valid email address" in html[error : error + 200]
    assert 'value="carla at customer"' in html and NOTE in html  # what was typed stays
    assert '<details class="on-behalf__add" open>' in html


async def test_htmx_posts_swap_the_triage_block_with_the_list_or_the_inline_error(session, app):
    scene = await build_scene(session)
    page_url = f"/{scene.slug}/ideas/{scene.idea.number}"
    staff, csrf = await web_client(app, scene, "staff")
    async with staff:
        bad = await staff.post(
            f"{page_url}/votes/on-behalf",
            data=BODY | {"link": "ftp://example.com/x"},
            headers=HTMX | {"X-CSRF-Token": csrf},
        )
        good = await staff.post(f"{page_url}/votes/on-behalf", data=BODY, headers=HTMX | {"X-CSRF-Token": csrf})
        user_id = await session.scalar(select(Vote.user_id).where(Vote.idea_id == scene.idea.id))
        removed = await staff.post(
            f"{page_url}/votes/on-behalf/{user_id}/remove", headers=HTMX | {"X-CSRF-Token": csrf}
        )
    assert bad.status_code == 422 and bad.text.lstrip().startswith('<div id="triage"')
    assert "Link (optional) must be a web address starting with http:// or https://" in bad.text
    assert good.status_code == 200 and good.text.lstrip().startswith('<div id="triage"') and "<html" not in good.text
    assert "Vote recorded for Carla Diaz" in good.text and 'data-testid="vote-count">1<' in good.text
    assert removed.status_code == 200 and 'data-testid="vote-count">0<' in removed.text
    assert "No votes recorded for customers on this idea yet." in removed.text


async def test_a_closed_idea_shows_the_list_without_the_form(session, app, client):
    scene = await build_scene(session)
    headers = await make_token(session, scene.users["staff"])
    await client.put(_url(scene), json=BODY, headers=headers)
    scene.idea.status, scene.idea.status_category = IdeaStatus.declined, "closed"
    await session.flush()
    staff, _ = await web_client(app, scene, "staff")
    async with staff:
        page = (await staff.get(f"/{scene.slug}/ideas/{scene.idea.number}")).text
    panel = page[page.index('id="on-behalf"') :]
    assert "Carla Diaz" in panel and "Voting is closed on this idea." in panel
    assert 'id="f-ob-email"' not in panel and "/remove" not in panel[: panel.index("Voting is closed")]


async def test_customers_never_see_where_a_vote_came_from(session, app, client):
    scene = await build_scene(session)
    staff_headers = await make_token(session, scene.users["staff"])
    member = scene.users["member"]
    # One vote on the member's behalf (they can see their own idea page), one for a placeholder.
    await client.put(_url(scene), json=BODY | {"link": LINK}, headers=staff_headers)
    await client.put(
        _url(scene), json=BODY | {"email": member.email, "link": LINK, "source": "sales_call"}, headers=staff_headers
    )
    secrets = (NOTE, LINK, "support ticket", "sales call", "Added by", "added by", "on-behalf", "Carla")

    member_headers = await make_token(session, member)
    idea_api = await client.get(f"/api/v1/{scene.slug}/ideas/{scene.idea.number}", headers=member_headers)
    listing = await client.get(f"/api/v1/{scene.slug}/ideas", headers=member_headers)
    vote_api = await client.put(f"/api/v1/{scene.slug}/ideas/{scene.idea.number}/vote", headers=member_headers)
    assert idea_api.status_code == listing.status_code == vote_api.status_code == 200
    assert idea_api.json()["vote_count"] == 2
    for customer in ("anonymous", "member"):
        browser, _ = await web_client(app, scene, customer)
        async with browser:
            page = (await browser.get(f"/{scene.slug}/ideas/{scene.idea.number}")).text
            board = (await browser.get(f"/{scene.slug}")).text
        for secret in secrets:
            assert secret not in page and secret not in board, (customer, secret)
    for response in (idea_api, listing, vote_api):
        for secret in secrets:
            assert secret not in response.text
    # The backlog export leaves ideaflow (trackers, spreadsheets): no provenance there either.
    for fmt in ("json", "csv"):
        export = await client.get(f"/api/v1/{scene.slug}/backlog/export.{fmt}", headers=staff_headers)
        assert export.status_code == 200 and scene.idea.title in export.text
        for secret in (NOTE, LINK, "support_ticket", "sales_call", "carla@customer.example.org"):
            assert secret not in export.text, (fmt, secret)
