"""The inbox, the bell, preferences, follow buttons and one-click unsubscribe, through the API and the pages."""

from __future__ import annotations

import re

from sqlalchemy import select

from ideaflow.notifications.models import NotificationPreference, Subscription
from ideaflow.statuses import service as status_service
from tests.conftest import csrf_from, web_sign_in
from tests.factories import PASSWORD, make_board, make_idea, make_token, make_user, make_workspace, owner_context
from tests.mail.smtp import deliver_pending


async def _two_updates(session, database, workspace, author):
    """Two ideas by `author`, each moved to planned: two notifications."""
    ideas = [await make_idea(session, workspace, author=author, title=t) for t in ("Dark mode", "CSV export")]
    owner = await owner_context(session, workspace)
    for idea in ideas:
        await status_service.set_status(
            session, workspace_id=workspace.id, idea=idea, status_key="planned", actor_id=owner.user.id
        )
    await deliver_pending(session, database)
    return ideas


async def test_api_lists_counts_and_marks_notifications_read(session, database, client, smtp):
    workspace = await make_workspace(session)
    author = await make_user(session)
    ideas = await _two_updates(session, database, workspace, author)
    headers = await make_token(session, author)

    page = (await client.get("/api/v1/me/notifications", headers=headers)).json()
    assert page["unread_count"] == 2
    assert [i["idea_title"] for i in page["items"]] == ["CSV export", "Dark mode"]
    first = page["items"][0]
    assert first["type"] == "idea.status_changed" and first["read"] is False
    assert first["url"] == f"http://testserver/{workspace.slug}/ideas/{ideas[1].number}"
    assert first["summary"].startswith("Status changed from ")

    one = (await client.get("/api/v1/me/notifications?limit=1", headers=headers)).json()
    older = (await client.get(f"/api/v1/me/notifications?before={one['next_before']}", headers=headers)).json()
    assert [i["idea_title"] for i in older["items"]] == ["Dark mode"] and older["next_before"] is None

    response = await client.post(f"/api/v1/me/notifications/{first['id']}/read", headers=headers)
    assert response.status_code == 204
    assert (await client.get("/api/v1/me/notifications/unread-count", headers=headers)).json() == {"count": 1}
    assert (await client.post("/api/v1/me/notifications/read-all", headers=headers)).json() == {"marked": 1}
    assert (await client.get("/api/v1/me/notifications/unread-count", headers=headers)).json() == {"count": 0}


async def test_someone_elses_notification_cannot_be_marked(session, database, client, smtp):
    workspace = await make_workspace(session)
    author = await make_user(session)
    await _two_updates(session, database, workspace, author)
    mine = (await client.get("/api/v1/me/notifications", headers=await make_token(session, author))).json()
    other = await make_token(session, await make_user(session))
    response = await client.post(f"/api/v1/me/notifications/{mine['items'][0]['id']}/read", headers=other)
    assert response.status_code == 404
    assert (await client.get("/api/v1/me/notifications", headers=other)).json()["items"] == []


async def test_preferences_api_reads_defaults_and_validates(session, client):
    user = await make_user(session)
    headers = await make_token(session, user)
    defaults = (await client.get("/api/v1/me/notification-preferences", headers=headers)).json()
    assert defaults == {
        "email_enabled": True,
        "in_app_enabled": True,
        "email_frequency": "instant",
        "on_status": True,
        "on_response": True,
        "on_comment": True,
        "on_new_idea": True,
    }
    changed = await client.put(
        "/api/v1/me/notification-preferences", json={"email_frequency": "daily", "on_comment": False}, headers=headers
    )
    assert changed.status_code == 200
    assert changed.json() | {"email_frequency": "daily", "on_comment": False} == changed.json()
    assert changed.json()["email_enabled"] is True
    bad = await client.put("/api/v1/me/notification-preferences", json={"email_frequency": "hourly"}, headers=headers)
    assert bad.status_code == 422 and "email_frequency" in bad.json()["fields"]
    unknown = await client.put("/api/v1/me/notification-preferences", json={"sms": True}, headers=headers)
    assert unknown.status_code == 422 and "sms" in unknown.json()["fields"]


async def test_follow_and_unfollow_ideas_and_boards_through_the_api(session, client):
    workspace = await make_workspace(session)
    board = await make_board(session, workspace, slug="mobile")
    idea = await make_idea(session, workspace, board=board)
    headers = await make_token(session, await make_user(session))
    url = f"/api/v1/{workspace.slug}/ideas/{idea.number}/subscription"

    assert (await client.get(url, headers=headers)).json() == {"following": False}
    assert (await client.put(url, headers=headers)).json() == {"following": True}
    assert (await client.put(url, headers=headers)).json() == {"following": True}
    assert (await client.get(url, headers=headers)).json() == {"following": True}
    assert (await client.delete(url, headers=headers)).json() == {"following": False}
    assert (await client.get(url, headers=headers)).json() == {"following": False}

    board_url = f"/api/v1/{workspace.slug}/boards/mobile/subscription"
    assert (await client.put(board_url, headers=headers)).json() == {"following": True}
    # Following the board does not override the explicit unfollow of the idea.
    assert (await client.get(url, headers=headers)).json() == {"following": False}
    assert (await client.delete(board_url, headers=headers)).json() == {"following": False}
    assert (await client.put(url)).status_code == 401


async def test_private_boards_cannot_be_followed_by_outsiders(session, client):
    from ideaflow.boards.models import Visibility

    workspace = await make_workspace(session)
    await make_board(session, workspace, slug="secret", visibility=Visibility.private)
    headers = await make_token(session, await make_user(session))
    response = await client.put(f"/api/v1/{workspace.slug}/boards/secret/subscription", headers=headers)
    assert response.status_code == 404


async def test_bell_inbox_and_mark_read_pages(session, database, client, smtp):
    workspace = await make_workspace(session)
    author = await make_user(session)
    await _two_updates(session, database, workspace, author)
    csrf = await web_sign_in(client, author.email, PASSWORD)

    home = await client.get("/account")
    assert 'id="notification-bell"' in home.text and 'hx-get="/notifications/count"' in home.text
    bell = await client.get("/notifications/count", headers={"HX-Request": "true"})
    assert 'class="bell__badge"' in bell.text and ">2<" in bell.text
    assert bell.headers["cache-control"] == "no-store"

    inbox = await client.get("/notifications")
    assert inbox.text.count("notification--unread") == 2
    assert "CSV export" in inbox.text and "Dark mode" in inbox.text
    ids = [int(i) for i in re.findall(r'id="notification-(\d+)"', inbox.text)]
    assert len(ids) == 2

    one = await client.post(f"/notifications/{ids[0]}/read", data={"csrf_token": csrf})
    assert one.status_code == 303
    swapped = await client.post(f"/notifications/{ids[1]}/read", headers={"HX-Request": "true", "X-CSRF-Token": csrf})
    assert swapped.headers["HX-Trigger"] == "notifications-changed"
    assert f'id="notification-{ids[1]}"' in swapped.text and "notification--unread" not in swapped.text
    bell = await client.get("/notifications/count", headers={"HX-Request": "true"})
    assert "bell__badge" not in bell.text
    assert "all caught up" in (await client.get("/notifications")).text


async def test_mark_all_read_requires_the_csrf_token(session, database, client, smtp):
    workspace = await make_workspace(session)
    author = await make_user(session)
    await _two_updates(session, database, workspace, author)
    csrf = await web_sign_in(client, author.email, PASSWORD)
    assert (await client.post("/notifications/read-all")).status_code == 403
    assert (await client.post("/notifications/read-all", data={"csrf_token": csrf})).status_code == 303
    assert "all caught up" in (await client.get("/notifications")).text


async def test_follow_button_works_without_javascript_and_with_htmx(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    person = await make_user(session)
    csrf = await web_sign_in(client, person.email, PASSWORD)

    page = await client.get(f"/{workspace.slug}/ideas/{idea.number}")
    url = f"/{workspace.slug}/ideas/{idea.number}/subscription"
    assert f'hx-get="{url}"' in page.text and f'href="{url}"' in page.text
    form = await client.get(url)
    assert "Follow<span" in form.text and 'name="action" value="follow"' in form.text
    done = await client.post(url, data={"csrf_token": csrf, "action": "follow"})
    assert done.status_code == 303
    fragment = await client.post(url, data={"action": "unfollow"}, headers={"HX-Request": "true", "X-CSRF-Token": csrf})
    assert 'value="follow"' in fragment.text and "<html" not in fragment.text
    row = await session.scalar(select(Subscription).where(Subscription.idea_id == idea.id))
    assert row.unsubscribed is True

    board_page = await client.get(f"/{workspace.slug}/boards/{(await _default_board_slug(session, workspace))}")
    assert "/subscription" in board_page.text


async def _default_board_slug(session, workspace) -> str:
    from tests.factories import default_board

    return (await default_board(session, workspace)).slug


async def test_preferences_page_saves_and_is_linked_from_the_account(session, client):
    person = await make_user(session)
    await web_sign_in(client, person.email, PASSWORD)
    assert 'href="/account/notifications"' in (await client.get("/account")).text
    page = await client.get("/account/notifications")
    response = await client.post(
        "/account/notifications",
        data={
            "csrf_token": csrf_from(page.text),
            "in_app_enabled": "on",
            "email_frequency": "daily",
            "on_status": "on",
        },
    )
    assert response.status_code == 200 and "saved" in response.text
    prefs = await session.get(NotificationPreference, person.id)
    assert (prefs.email_enabled, prefs.in_app_enabled, prefs.email_frequency) == (False, True, "daily")
    assert (prefs.on_status, prefs.on_comment, prefs.on_response, prefs.on_new_idea) == (True, False, False, False)


async def test_one_click_unsubscribe_needs_no_session_or_csrf_and_only_that_route_is_exempt(
    session, database, client, smtp
):
    workspace = await make_workspace(session)
    author = await make_user(session)
    ideas = await _two_updates(session, database, workspace, author)
    [link] = smtp.to(author.email)[0].links("/unsubscribe/")
    path = link.removeprefix("http://testserver")

    confirm = await client.get(path)
    assert confirm.status_code == 200 and f'action="{path}"' in confirm.text
    # What a mail provider sends: a bare POST, no cookie, no token.
    response = await client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "no longer receive emails about this idea" in response.text
    row = await session.scalar(
        select(Subscription).where(Subscription.idea_id == ideas[0].id, Subscription.user_id == author.id)
    )
    assert row.unsubscribed is True
    again = await client.post(path)
    assert again.status_code == 200

    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert (await client.post(tampered)).status_code == 404
    # Every other form still insists on the CSRF token.
    assert (await client.post("/account/notifications", data={"email_enabled": "on"})).status_code == 403
    assert (await client.post("/signin", data={"email": author.email, "password": PASSWORD})).status_code == 403
