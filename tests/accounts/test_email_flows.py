"""Password reset and email verification, end to end through a real SMTP server: the links in the emails,
single use and expiry, sessions revoked on reset, and a placeholder account that cannot be taken over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from ideaflow.accounts.models import AccountToken, User, UserSession
from ideaflow.votes.models import Vote
from ideaflow.workspaces.models import Role
from tests.conftest import csrf_from, web_sign_in
from tests.factories import PASSWORD, add_member, context, make_idea, make_user, make_workspace
from tests.mail.smtp import deliver_pending

NEW_PASSWORD = "a brand new passphrase"


async def _post_form(client, url: str, data: dict, page_url: str | None = None):
    page = await client.get(page_url or url)
    return await client.post(url, data={"csrf_token": csrf_from(page.text), **data})


async def test_forgot_password_emails_a_link_that_sets_a_new_password_and_signs_out_everywhere(
    session, database, client, smtp
):
    user = await make_user(session, name="Ada")
    await web_sign_in(client, user.email, PASSWORD)  # a session that must not survive the reset
    client.cookies.clear()

    response = await _post_form(client, "/forgot-password", {"email": user.email.upper()})
    assert response.status_code == 200 and "is on its way" in response.text
    await deliver_pending(session, database)
    [received] = smtp.to(user.email)
    assert received.message["Subject"] == "Reset your ideaflow password"
    assert "List-Unsubscribe" not in received.message
    [link] = received.links("/reset-password/")
    assert link in received.html
    path = link.removeprefix("http://testserver")

    mismatch = await _post_form(client, path, {"password": NEW_PASSWORD, "password_again": "something else"})
    assert mismatch.status_code == 422 and "does not match" in mismatch.text
    done = await _post_form(client, path, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == "/account?reset=1"

    sessions = list(await session.scalars(select(UserSession).where(UserSession.user_id == user.id)))
    assert len(sessions) == 1  # only the one this browser just got
    assert "Your new password is set" in (await client.get("/account?reset=1")).text
    client.cookies.clear()
    await web_sign_in(client, user.email, NEW_PASSWORD)

    reused = await client.get(path)
    assert reused.status_code == 410 and "already been used" in reused.text


async def test_forgot_password_answers_the_same_for_unknown_addresses_and_sends_nothing(
    session, database, client, smtp
):
    known = await make_user(session)
    answers = []
    for email in (known.email, "nobody@example.com"):
        response = await _post_form(client, "/forgot-password", {"email": email})
        answers.append((response.status_code, response.text.replace(email, "EMAIL")))
    assert answers[0][0] == answers[1][0] == 200
    assert answers[0][1] == answers[1][1]
    await deliver_pending(session, database)
    assert [m.rcpt_tos for m in smtp.messages] == [[known.email]]


async def test_password_reset_requests_are_rate_limited_per_address(session, client):
    user = await make_user(session)
    statuses = [(await _post_form(client, "/forgot-password", {"email": user.email})).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


async def test_reset_links_expire_after_an_hour(session, database, client, smtp):
    user = await make_user(session)
    await _post_form(client, "/forgot-password", {"email": user.email})
    await deliver_pending(session, database)
    [link] = smtp.to(user.email)[0].links("/reset-password/")
    await session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user.id)
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    page = await client.get(link.removeprefix("http://testserver"))
    assert page.status_code == 410 and "expired" in page.text
    assert (await client.get("/reset-password/not-a-real-token-at-all-xxxx")).status_code == 404


async def test_sign_up_sends_a_verification_email_and_the_account_shows_it_until_followed(
    session, database, client, smtp
):
    response = await _post_form(
        client, "/signup", {"email": "new@example.com", "name": "Newcomer", "password": PASSWORD}
    )
    assert response.status_code == 303  # signed in at once: nothing is blocked
    account = await client.get("/account")
    assert "Verify your email" in account.text
    await deliver_pending(session, database)
    [received] = smtp.to("new@example.com")
    [link] = received.links("/verify-email/")
    path = link.removeprefix("http://testserver")

    page = await client.get(path)  # a mail scanner opening the link changes nothing
    user = await session.scalar(select(User).where(User.email == "new@example.com"))
    assert user.email_verified_at is None and "Confirm my email" in page.text
    done = await client.post(path, data={"csrf_token": csrf_from(page.text)})
    assert done.status_code == 303
    await session.refresh(user)
    assert user.email_verified_at is not None
    assert "Verify your email" not in (await client.get("/account")).text


async def test_signing_up_with_a_placeholders_email_does_not_take_the_account_over(session, database, client, smtp):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    customer = User(email="customer@example.org", name="Customer (by phone)", password_hash=None)
    session.add(customer)
    await session.flush()
    await add_member(session, workspace, customer, Role.member)
    from ideaflow.ideas import service as idea_service
    from ideaflow.votes import service as vote_service

    ctx = await context(session, workspace, customer)
    await vote_service.add_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))

    # Someone who does not own the inbox tries to claim the account.
    attempt = await _post_form(
        client, "/signup", {"email": "customer@example.org", "name": "Mallory", "password": "mallory's password"}
    )
    assert attempt.status_code == 200 and "Check your email" in attempt.text
    assert "set-cookie" not in attempt.headers or "ideaflow_session" not in attempt.headers.get("set-cookie", "")
    await session.refresh(customer)
    assert (customer.password_hash, customer.name) == (None, "Customer (by phone)")
    signin = await client.get("/signin")
    refused = await client.post(
        "/signin",
        data={"email": "customer@example.org", "password": "mallory's password", "csrf_token": csrf_from(signin.text)},
    )
    assert refused.status_code == 401

    # The real owner signs up too; only a link from the inbox completes a claim.
    client.cookies.clear()
    await _post_form(client, "/signup", {"email": "customer@example.org", "name": "Carla", "password": PASSWORD})
    await deliver_pending(session, database)
    mallory_mail, carla_mail = smtp.to("customer@example.org")
    assert "already recorded for it" in carla_mail.text
    assert "Mallory" not in mallory_mail.text + mallory_mail.html  # text typed by a stranger is not mailed
    [link] = carla_mail.links("/verify-email/")
    page = await client.get(link.removeprefix("http://testserver"))
    await client.post(link.removeprefix("http://testserver"), data={"csrf_token": csrf_from(page.text)})
    await session.refresh(customer)
    assert customer.name == "Carla" and customer.email_verified_at is not None
    votes = list(await session.scalars(select(Vote.user_id).where(Vote.idea_id == idea.id)))
    assert votes == [customer.id]  # the votes recorded for them are now theirs
    client.cookies.clear()
    await web_sign_in(client, "customer@example.org", PASSWORD)

    # Mallory's link was spent with Carla's: following it now changes nothing.
    [old] = mallory_mail.links("/verify-email/")
    assert (await client.get(old.removeprefix("http://testserver"))).status_code == 410


async def test_api_password_reset_and_verification(session, database, client, smtp):
    user = await make_user(session)
    response = await client.post("/api/v1/password-reset", json={"email": user.email})
    unknown = await client.post("/api/v1/password-reset", json={"email": "ghost@example.com"})
    assert response.status_code == unknown.status_code == 202 and response.json() == unknown.json()
    await deliver_pending(session, database)
    [link] = smtp.to(user.email)[0].links("/reset-password/")
    token = link.rsplit("/", 1)[1]
    short = await client.post("/api/v1/password-reset/confirm", json={"token": token, "password": "short"})
    assert short.status_code == 422 and "password" in short.json()["fields"]
    done = await client.post("/api/v1/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 204
    again = await client.post("/api/v1/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert again.status_code == 410
