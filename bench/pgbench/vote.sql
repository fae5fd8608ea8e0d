-- A vote as ideaflow's PUT and DELETE /api/v1/{ws}/ideas/{n}/vote send it, without authentication:
-- the idea look-up, INSERT ... ON CONFLICT DO NOTHING (or DELETE ... RETURNING), and the counter update only
-- when a row changed. Each client alternates: PUT a vote, then DELETE the same vote. One run = one request.
-- Variables (-D): ws, ideas, first_voter, last_voter, tau (trending time constant, seconds), toggle=0.
\set toggle 1 - :toggle
\if :toggle
\set n random(1, :ideas / 10) * 10 - random(1, 9)
\set u random(:first_voter, :last_voter)
BEGIN;
SELECT ideas.id AS idea_id, ideas.workspace_id, ideas.board_id, ideas.author_id, ideas.number, ideas.title, ideas.body, ideas.body_html, ideas.status, ideas.vote_count, ideas.comment_count, ideas.trending_score, ideas.updated_at, ideas.deleted_at, ideas.created_at, users.name AS author_name, boards.id AS b_id, boards.workspace_id AS b_workspace_id, boards.slug AS b_slug, boards.name AS b_name, boards.description AS b_description, boards.visibility AS b_visibility, boards.is_open AS b_is_open, boards.position AS b_position, boards.created_at AS b_created_at, extract(epoch FROM now() - timestamptz '2024-01-01 00:00:00+00') / :tau AS x FROM ideas JOIN users ON users.id = ideas.author_id JOIN boards ON boards.id = ideas.board_id WHERE ideas.workspace_id = :ws AND ideas.number = :n \gset
WITH inserted AS (INSERT INTO votes (workspace_id, idea_id, user_id, created_at) VALUES (:ws, :idea_id, :u, now()) ON CONFLICT (workspace_id, idea_id, user_id) DO NOTHING RETURNING votes.id) SELECT count(*) AS changed FROM inserted \gset
\if :changed
UPDATE ideas SET updated_at = now(), vote_count = (ideas.vote_count + 1), trending_score = (greatest(ideas.trending_score, :x) + ln(1 + exp(-abs(ideas.trending_score - :x)))) WHERE ideas.id = :idea_id RETURNING ideas.vote_count, ideas.comment_count;
\endif
END;
\else
BEGIN;
SELECT ideas.id AS idea_id, ideas.workspace_id, ideas.board_id, ideas.author_id, ideas.number, ideas.title, ideas.body, ideas.body_html, ideas.status, ideas.vote_count, ideas.comment_count, ideas.trending_score, ideas.updated_at, ideas.deleted_at, ideas.created_at, users.name AS author_name, boards.id AS b_id, boards.workspace_id AS b_workspace_id, boards.slug AS b_slug, boards.name AS b_name, boards.description AS b_description, boards.visibility AS b_visibility, boards.is_open AS b_is_open, boards.position AS b_position, boards.created_at AS b_created_at, extract(epoch FROM ideas.created_at - timestamptz '2024-01-01 00:00:00+00') / :tau AS floor FROM ideas JOIN users ON users.id = ideas.author_id JOIN boards ON boards.id = ideas.board_id WHERE ideas.workspace_id = :ws AND ideas.number = :n \gset
WITH deleted AS (DELETE FROM votes WHERE votes.workspace_id = :ws AND votes.idea_id = :idea_id AND votes.user_id = :u RETURNING votes.created_at) SELECT count(*) AS changed, coalesce(extract(epoch FROM max(created_at) - timestamptz '2024-01-01 00:00:00+00') / :tau, 0) AS x FROM deleted \gset
\if :changed
UPDATE ideas SET updated_at = now(), vote_count = (ideas.vote_count - 1), trending_score = CASE WHEN (ideas.trending_score - :x > 1e-9) THEN greatest(:floor, ideas.trending_score + ln(1 - exp(:x - ideas.trending_score))) ELSE :floor END WHERE ideas.id = :idea_id RETURNING ideas.vote_count, ideas.comment_count;
\endif
END;
\endif
