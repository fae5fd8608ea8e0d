"""End to end: staff record a vote for a customer who has no account; the customer signs up on the web with that
address, follows the verification link in the email (a real SMTP server), and from then on the account and its
vote are theirs: the idea page shows their vote pressed, and they can withdraw it."""

from __future__ import annotations

from sqlalchemy import func, select

from ideaflow.accounts.models import User
from ideaflow.ideas.models import Idea
from ideaflow.votes.models import Vote
from tests.conftest import csrf_from, web_sign_in
from tests.factories import PASSWORD, make_token
from tests.mail.smtp import deliver_pending, smtp  # noqa: F401 - the fixture
from tests.statuses.scene import build_scene, web_client

EMAIL = "carla@customer.example.org"


async def test_the_customer_signs_up_verifies_and_then_owns_the_vote_staff_recorded(
    session,
    database,
    app,
    client,
    smtp,  # noqa: F811 - the fixture
):
    scene = await build_scene(session)
    idea_url = f"/{scene.slug}/ideas/{scene.idea.number}"
    staff, csrf = await web_client(app, scene, "staff")
    async with staff:
        recorded = await staff.post(
            f"{idea_url}/votes/on-behalf",
            data={"email": EMAIL, "name": "Carla (from Zendesk)", "source": "support_ticket", "csrf_token": csrf},
        )
    assert recorded.status_code == 303
    placeholder = await session.scalar(select(User).where(User.email == EMAIL))
    assert placeholder.password_hash is None

    customer, _ = await web_client(app, scene, "anonymous")
    async with customer:
        signup_page = await customer.get("/signup")
        signed_up = await customer.post(
            "/signup",
            data={
                "email": EMAIL,
                "name": "Carla Diaz",
                "password": PASSWORD,
                "csrf_token": csrf_from(signup_page.text),
            },
        )
        assert signed_up.status_code == 200 and "Check your email" in signed_up.text
        await deliver_pending(session, database)
        [mail] = [m for m in smtp.to(EMAIL) if m.links("/verify-email/")]
        [link] = mail.links("/verify-email/")
        path = link.removeprefix("http://testserver")
        confirm = await customer.get(path)
        done = await customer.post(path, data={"csrf_token": csrf_from(confirm.text)})
        assert done.status_code == 303

        await session.refresh(placeholder)
        assert (placeholder.name, placeholder.email_verified_at is not None) == ("Carla Diaz", True)
        assert await session.scalar(select(func.count()).select_from(User).where(User.email == EMAIL)) == 1

        customer.cookies.clear()
        csrf = await web_sign_in(customer, EMAIL, PASSWORD)
        page = (await customer.get(idea_url)).text
        assert 'aria-pressed="true"' in page and 'data-testid="vote-count">1<' in page
        assert "support ticket" not in page and "Zendesk" not in page and 'id="on-behalf"' not in page

        # Staff still see it as a vote they recorded, now for someone who has signed up.
        headers = await make_token(session, scene.users["staff"])
        listed = (await client.get(f"/api/v1{idea_url}/votes/on-behalf", headers=headers)).json()
        assert [(v["user_id"], v["name"], v["signed_up"]) for v in listed] == [(placeholder.id, "Carla Diaz", True)]

        withdrawn = await customer.post(f"{idea_url}/vote", data={"action": "remove", "csrf_token": csrf})
        assert withdrawn.status_code == 303
        page = (await customer.get(idea_url)).text
    assert 'aria-pressed="false"' in page and 'data-testid="vote-count">0<' in page
    assert await session.scalar(select(func.count()).select_from(Vote).where(Vote.idea_id == scene.idea.id)) == 0
    idea = await session.get(Idea, scene.idea.id, populate_existing=True)
    assert idea.vote_count == 0
