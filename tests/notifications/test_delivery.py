"""From events to follows, in-app notifications and emails: who follows automatically, who hears about
what, what the emails carry, and that processing an event twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from ideaflow.accounts.models import User
from ideaflow.boards.models import Visibility
from ideaflow.comments import service as comment_service
from ideaflow.ideas import service as idea_service
from ideaflow.notifications import delivery
from ideaflow.notifications import service as notification_service
from ideaflow.notifications.models import EmailDelivery, Notification, Subscription, SubscriptionReason
from ideaflow.outbox.models import OutboxEvent
from ideaflow.statuses import service as status_service
from ideaflow.votes import service as vote_service
from ideaflow.workspaces import repository as workspace_repository
from ideaflow.workspaces.models import Role
from tests.factories import add_member, context, make_board, make_idea, make_user, make_workspace, owner_context
from tests.mail.smtp import deliver_pending, event_of, run_handlers


async def _vote(session, workspace, user, idea):
    ctx = await context(session, workspace, user)
    await vote_service.add_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))


async def _comment(session, workspace, user, idea, body="Me too, please"):
    ctx = await context(session, workspace, user)
    return await comment_service.add_comment(
        session, ctx, await idea_service.get_idea(session, ctx, idea.number), body=body
    )


async def _set_status(session, workspace, idea, key, response=None):
    owner = await owner_context(session, workspace)
    await status_service.set_status(
        session, workspace_id=workspace.id, idea=idea, status_key=key, actor_id=owner.user.id, response=response
    )
    return owner.user


async def _subs(session, idea):
    rows = await session.execute(
        select(Subscription.user_id, Subscription.reason, Subscription.unsubscribed).where(
            Subscription.idea_id == idea.id
        )
    )
    return {user_id: (reason, unsubscribed) for user_id, reason, unsubscribed in rows.all()}


async def _count(session, model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return await session.scalar(query)


async def test_authors_voters_and_commenters_follow_automatically(session, database, smtp):
    workspace = await make_workspace(session)
    author, voter, commenter = await make_user(session), await make_user(session), await make_user(session)
    idea = await make_idea(session, workspace, author=author)
    await _vote(session, workspace, voter, idea)
    await _comment(session, workspace, commenter, idea)
    await deliver_pending(session, database)

    assert await _subs(session, idea) == {
        author.id: (SubscriptionReason.author, False),
        voter.id: (SubscriptionReason.voter, False),
        commenter.id: (SubscriptionReason.commenter, False),
    }


async def test_an_explicit_unfollow_survives_a_later_vote_and_comment(session, database, smtp):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    person = await make_user(session)
    ctx = await context(session, workspace, person)
    view = await idea_service.get_idea(session, ctx, idea.number)
    await notification_service.set_idea_following(session, ctx, view, following=False)
    await _vote(session, workspace, person, idea)
    await _comment(session, workspace, person, idea)
    await deliver_pending(session, database)

    assert (await _subs(session, idea))[person.id] == (SubscriptionReason.manual, True)
    await _set_status(session, workspace, idea, "planned")
    await deliver_pending(session, database)
    assert await _count(session, Notification, user_id=person.id) == 0
    assert smtp.to(person.email) == []


async def test_status_change_notifies_followers_but_not_the_actor_with_a_complete_email(session, database, smtp):
    workspace = await make_workspace(session, name="Acme Analytics")
    author = await make_user(session, name="Ada")
    idea = await make_idea(session, workspace, author=author, title="Export to CSV")
    await deliver_pending(session, database)
    names = {s.key: s.name for s in await status_service.list_statuses(session, workspace_id=workspace.id)}
    actor = await _set_status(session, workspace, idea, "planned", response="We will ship this **in May**.")
    await deliver_pending(session, database)

    notifications = list(await session.scalars(select(Notification).where(Notification.idea_id == idea.id)))
    assert [(n.user_id, n.event_type) for n in notifications] == [(author.id, "idea.status_changed")]
    assert notifications[0].data["to_name"] == names["planned"]
    assert smtp.to(actor.email) == []
    [received] = smtp.to(author.email)
    message = received.message
    assert (
        message["Subject"]
        == f"[Acme Analytics] Export to CSV: Status changed from {names['open']} to {names['planned']}"
    )
    assert message["To"] == author.email
    assert message["From"].addresses[0].addr_spec == "notify@ideaflow.test"
    assert message["From"].addresses[0].display_name == "Acme Analytics"
    assert message["Date"] and message["Message-ID"].startswith("<ideaflow.n")
    assert message.get_content_type() == "multipart/alternative"
    [unsubscribe] = received.links("/unsubscribe/")
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert unsubscribe.startswith("http://testserver/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    idea_url = f"http://testserver/{workspace.slug}/ideas/{idea.number}"
    for part in (received.text, received.html):
        assert idea_url in part
        assert "Export to CSV" in part
        assert names["open"] in part and names["planned"] in part
        assert "http://testserver/account/notifications" in part
    assert "<strong>in May</strong>" in received.html
    assert "We will ship this **in May**." in received.text


async def test_processing_an_event_twice_sends_and_notifies_once(session, database, smtp):
    workspace = await make_workspace(session)
    author = await make_user(session)
    idea = await make_idea(session, workspace, author=author)
    await deliver_pending(session, database)
    await _set_status(session, workspace, idea, "planned")
    await session.flush()
    row = await session.scalar(select(OutboxEvent).where(OutboxEvent.type == "idea.status_changed"))
    await run_handlers(database, event_of(row))
    await run_handlers(database, event_of(row, attempt=2))

    assert await _count(session, Notification, user_id=author.id) == 1
    assert await _count(session, EmailDelivery, user_id=author.id) == 1
    assert len(smtp.to(author.email)) == 1


async def test_comment_reaches_followers_with_its_text_and_anchor(session, database, smtp):
    workspace = await make_workspace(session)
    author, commenter = await make_user(session), await make_user(session, name="Grace")
    idea = await make_idea(session, workspace, author=author)
    comment = await _comment(session, workspace, commenter, idea, body="Needs *dates* too")
    await deliver_pending(session, database)

    [received] = smtp.to(author.email)
    assert "Grace commented" in received.message["Subject"]
    assert f"/ideas/{idea.number}#comment-{comment.id}" in received.text
    assert "<em>dates</em>" in received.html
    assert smtp.to(commenter.email) == []


async def test_internal_notes_never_notify_anyone(session, database, smtp):
    workspace = await make_workspace(session)
    author = await make_user(session)
    idea = await make_idea(session, workspace, author=author)
    staff_ctx = await owner_context(session, workspace)
    view = await idea_service.get_idea(session, staff_ctx, idea.number)
    await comment_service.add_note(session, staff_ctx, view, body="Customer is on the enterprise plan")
    await deliver_pending(session, database)

    assert await _count(session, Notification) == 0
    assert smtp.messages == []


async def test_private_board_events_reach_only_people_who_are_still_members(session, database, smtp):
    workspace = await make_workspace(session)
    board = await make_board(session, workspace, visibility=Visibility.private)
    stays, leaves = await make_user(session), await make_user(session)
    for person in (stays, leaves):
        await add_member(session, workspace, person)
    idea = await make_idea(session, workspace, board=board, author=stays)
    await _vote(session, workspace, leaves, idea)
    await deliver_pending(session, database)
    membership = await workspace_repository.get_membership(session, workspace.id, leaves.id)
    await session.delete(membership)
    await _set_status(session, workspace, idea, "planned")
    await deliver_pending(session, database)

    assert await _count(session, Notification, user_id=stays.id) == 1
    assert await _count(session, Notification, user_id=leaves.id) == 0
    assert [m.rcpt_tos for m in smtp.messages] == [[stays.email]]


async def test_board_followers_hear_about_new_ideas(session, database, smtp):
    workspace = await make_workspace(session)
    board = await make_board(session, workspace, name="Integrations")
    follower = await make_user(session)
    ctx = await context(session, workspace, follower)
    await notification_service.set_board_following(session, ctx, board, following=True)
    await make_idea(session, workspace, board=board, title="Slack alerts")
    await deliver_pending(session, database)

    [received] = smtp.to(follower.email)
    assert "posted a new idea on Integrations" in received.text
    assert "Slack alerts" in received.text


async def test_preferences_decide_channels_and_topics(session, database, smtp):
    workspace = await make_workspace(session)
    quiet, in_app_only = await make_user(session), await make_user(session)
    idea = await make_idea(session, workspace, author=quiet)
    await _vote(session, workspace, in_app_only, idea)
    await notification_service.update_preferences(session, user=quiet, changes={"on_status": False})
    await notification_service.update_preferences(session, user=in_app_only, changes={"email_enabled": False})
    await _set_status(session, workspace, idea, "planned")
    await deliver_pending(session, database)

    assert await _count(session, Notification, user_id=quiet.id) == 0
    assert await _count(session, Notification, user_id=in_app_only.id) == 1
    assert smtp.messages == []


async def test_unverified_addresses_get_in_app_notifications_but_no_email(session, database, smtp):
    workspace = await make_workspace(session)
    author = await make_user(session)
    author.email_verified_at = None
    idea = await make_idea(session, workspace, author=author)
    await _set_status(session, workspace, idea, "planned")
    await deliver_pending(session, database)

    assert await _count(session, Notification, user_id=author.id) == 1
    assert smtp.messages == []


async def test_placeholder_accounts_hear_about_the_ideas_they_voted_for(session, database, smtp):
    workspace = await make_workspace(session)
    customer = User(email="customer@example.org", name="Customer", password_hash=None)
    session.add(customer)
    await session.flush()
    await add_member(session, workspace, customer, Role.member)
    idea = await make_idea(session, workspace)
    await _vote(session, workspace, customer, idea)
    await _set_status(session, workspace, idea, "planned")
    await deliver_pending(session, database)

    assert len(smtp.to("customer@example.org")) == 1


async def test_daily_digest_queues_and_sends_one_email_for_all_updates(session, database, smtp):
    workspace = await make_workspace(session, name="Acme")
    reader = await make_user(session)
    await notification_service.update_preferences(session, user=reader, changes={"email_frequency": "daily"})
    first = await make_idea(session, workspace, author=reader, title="Dark mode")
    second = await make_idea(session, workspace, author=reader, title="SAML sign-in")
    await _set_status(session, workspace, first, "planned")
    await _comment(session, workspace, await make_user(session), second)
    await deliver_pending(session, database)
    assert smtp.messages == []
    assert await _count(session, Notification, user_id=reader.id) == 2

    assert await delivery.send_due_digests(database) == 1
    assert await delivery.send_due_digests(database) == 0  # nothing is sent twice
    [received] = smtp.to(reader.email)
    assert received.message["Subject"] == "Your daily ideaflow digest: 2 updates"
    assert "Dark mode" in received.text and "SAML sign-in" in received.text
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


async def test_an_official_response_without_a_status_change_is_emailed_sanitised(session, database, smtp):
    workspace = await make_workspace(session)
    author = await make_user(session)
    idea = await make_idea(session, workspace, author=author)
    owner = await owner_context(session, workspace)
    await status_service.post_response(
        session,
        workspace_id=workspace.id,
        idea=idea,
        actor_id=owner.user.id,
        body="Thanks! <script>alert(1)</script> See [the docs](https://example.com/docs).",
    )
    await deliver_pending(session, database)

    [received] = smtp.to(author.email)
    assert "posted an official response" in received.message["Subject"]
    assert 'href="https://example.com/docs"' in received.html
    assert "<script>" not in received.html
