"""The digest's schedule, and digests that do not include ideas the reader can no longer see."""

from __future__ import annotations

from datetime import UTC, datetime

from ideaflow.boards.models import Visibility
from ideaflow.notifications import digest
from ideaflow.notifications import service as notification_service
from ideaflow.statuses import service as status_service
from ideaflow.workspaces import repository as workspace_repository
from tests.factories import add_member, make_board, make_idea, make_user, make_workspace, owner_context
from tests.mail.smtp import deliver_pending


def test_next_run_is_the_coming_occurrence_of_the_hour():
    at = datetime(2026, 11, 23, 7, 59, tzinfo=UTC)
    assert digest.next_run(at, 8) == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert digest.next_run(datetime(2026, 11, 23, 8, 0, tzinfo=UTC), 8) == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert digest.next_run(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), 8) == datetime(2027, 1, 1, 8, 0, tzinfo=UTC)


async def test_run_daily_waits_for_the_hour_then_sends(session, database, smtp):
    workspace = await make_workspace(session)
    reader = await make_user(session)
    await notification_service.update_preferences(session, user=reader, changes={"email_frequency": "daily"})
    idea = await make_idea(session, workspace, author=reader)
    owner = await owner_context(session, workspace)
    await status_service.set_status(
        session, workspace_id=workspace.id, idea=idea, status_key="planned", actor_id=owner.user.id
    )
    await deliver_pending(session, database)
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    now = datetime.now(UTC)
    await digest.run_daily(database, hour=(now.hour + 2) % 24, clock=lambda: now, sleep=sleep, runs=1)
    assert 3600 < waited[0] <= 7200
    assert [m.rcpt_tos for m in smtp.messages] == [[reader.email]]


async def test_digest_leaves_out_ideas_on_a_private_board_the_reader_has_left(session, database, smtp):
    workspace = await make_workspace(session)
    board = await make_board(session, workspace, visibility=Visibility.private)
    reader = await make_user(session)
    await add_member(session, workspace, reader)
    await notification_service.update_preferences(session, user=reader, changes={"email_frequency": "daily"})
    idea = await make_idea(session, workspace, author=reader, board=board)
    owner = await owner_context(session, workspace)
    await status_service.set_status(
        session, workspace_id=workspace.id, idea=idea, status_key="planned", actor_id=owner.user.id
    )
    await deliver_pending(session, database)
    await session.delete(await workspace_repository.get_membership(session, workspace.id, reader.id))
    await session.flush()

    from ideaflow.notifications.delivery import send_due_digests

    assert await send_due_digests(database) == 0
    assert smtp.messages == []
