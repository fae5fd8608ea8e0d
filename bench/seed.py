"""Bench data: a deterministic workspace of users, boards, ideas, votes and comments at several sizes,
written in bulk — COPY on PostgreSQL, batched inserts in one transaction on SQLite — with secondary
indexes, constraints and triggers rebuilt once at the end instead of row by row."""

from __future__ import annotations

import hashlib
import math
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ideaflow.accounts.service import API_TOKEN_PREFIX
from ideaflow.ideas import trending
from ideaflow.kit import markdown
from ideaflow.kit.security import token_hash

WORKSPACE_ID = 1
WORKSPACE_SLUG = "bench"
# (id, slug, name, share of the ideas): the board list scenario reads the biggest board.
BOARDS = [
    (1, "features", "Feature requests", 8),
    (2, "bugs", "Bugs", 1),
    (3, "integrations", "Integrations", 1),
]
LIST_BOARD_ID, LIST_BOARD_SLUG = BOARDS[0][0], BOARDS[0][1]
COMMENTS_PER_THREAD = 20
REPLIES_PER_THREAD = 5
HALF_LIFE_HOURS = 72.0  # ideaflow's default IDEAFLOW_TRENDING_HALF_LIFE_HOURS
SEED = 20_261_123
CHUNK = 20_000


@dataclass(frozen=True)
class Size:
    name: str
    ideas: int
    votes: int
    comments: int
    users: int

    @property
    def voters(self) -> int:
        """Users kept free of seeded votes, with API tokens: the vote scenario votes as them."""
        return min(1_000, self.users // 4)

    @property
    def first_voter(self) -> int:
        return self.users - self.voters + 1

    @property
    def threads(self) -> int:
        return max(1, self.comments // COMMENTS_PER_THREAD)


SIZES = {
    "tiny": Size("tiny", ideas=200, votes=2_000, comments=200, users=200),
    "small": Size("small", ideas=1_000, votes=20_000, comments=2_000, users=2_000),
    "medium": Size("medium", ideas=100_000, votes=2_000_000, comments=20_000, users=20_000),
    "large": Size("large", ideas=1_000_000, votes=5_000_000, comments=20_000, users=50_000),
}


# Every tenth idea is closed to votes (shipped, declined) or deleted, so "number % 10 != 0" is exactly
# the set of ideas that accept votes; the load generator and the pgbench script both rely on it.
def idea_status(number: int) -> str:
    if number % 20 == 0:
        return "shipped"
    if number % 40 == 10:
        return "declined"
    return {1: "under_review", 3: "planned", 7: "in_progress"}.get(number % 50, "open")


def idea_deleted(number: int) -> bool:
    return number % 40 == 30


def votable(number: int) -> bool:
    return number % 10 != 0


def board_for(number: int) -> int:
    slot = number % sum(share for *_, share in BOARDS)
    for board_id, _, _, share in BOARDS:
        if slot < share:
            return board_id
        slot -= share
    raise AssertionError("unreachable")


def thread_numbers(size: Size) -> list[int]:
    """The ideas that carry a 20-comment thread (the idea page scenario reads them): evenly spread, visible."""
    step = max(1, size.ideas // size.threads)
    numbers = []
    for k in range(size.threads):
        number = 1 + k * step
        while idea_deleted(number):
            number += 1
        numbers.append(min(number, size.ideas))
    return sorted(set(numbers))


STAFF_USER_ID = 1  # the workspace's owner (never a bench voter)


def api_token(salt: str, user_id: int | str) -> str:
    """The raw API token of a bench voter; only its sha256 is stored, as ideaflow does. (The load generator
    gets api_token(salt, "{user}") as a format string.)"""
    return f"{API_TOKEN_PREFIX}bench{salt}u{user_id}"


SEARCH_QUERIES = ["dashboard", "csv export", "slack", "dark mode", "mobile app", "single sign-on", "webhooks"]

_VERBS = ["Add", "Improve", "Allow", "Support", "Show", "Let admins configure", "Speed up", "Redesign", "Fix", "Offer"]
_FEATURES = [
    "dark mode", "CSV export", "Slack notifications", "single sign-on", "keyboard shortcuts", "bulk editing",
    "custom fields", "webhooks", "a public API", "two-factor login", "saved filters", "email digests",
    "Jira sync", "Zapier triggers", "PDF reports", "time tracking", "calendar view", "file attachments",
    "audit logs", "role permissions", "offline mode", "markdown tables", "GitHub issues", "team mentions",
    "recurring tasks", "Gantt charts", "Excel import", "Salesforce sync", "usage analytics", "custom domains",
    "SAML groups", "mobile push alerts", "Teams integration", "image uploads", "idea merging", "tag colours",
]  # fmt: skip
_CONTEXTS = [
    "on the dashboard", "in the mobile app", "for admins", "in reports", "on the roadmap", "in the widget",
    "for guests", "in search results", "on the board page", "in email", "for enterprise plans", "in settings",
]  # fmt: skip
_REASONS = [
    "Our team spends hours on this every week.",
    "We would move our whole department over if this existed.",
    "Competitors already offer it and customers keep asking.",
    "It would make the **weekly review** much faster.",
    "Right now we copy everything by hand, which is error prone.",
    "Several of our largest customers raised it in their last call.",
    "This blocks our rollout to the support team.",
]


def _titles(rng: random.Random, count: int) -> list[str]:
    return [f"{rng.choice(_VERBS)} {rng.choice(_FEATURES)} {rng.choice(_CONTEXTS)}" for _ in range(count)]


def _bodies(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """A pool of Markdown bodies and the HTML ideaflow renders for them (rendered once, reused)."""
    pool = []
    for _ in range(count):
        parts = [f"It would be great to have {rng.choice(_FEATURES)} {rng.choice(_CONTEXTS)}."]
        parts.append(" ".join(rng.sample(_REASONS, rng.randint(1, 3))))
        if rng.random() < 0.3:
            parts.append("\n".join(f"- {rng.choice(_FEATURES)}" for _ in range(rng.randint(2, 4))))
        body = "\n\n".join(parts)
        pool.append((body, markdown.render(body)))
    return pool


def _comment_bodies(rng: random.Random, count: int) -> list[tuple[str, str]]:
    pool = []
    for _ in range(count):
        body = f"+1, we need {rng.choice(_FEATURES)} too. {rng.choice(_REASONS)}"
        pool.append((body, markdown.render(body)))
    return pool


def _vote_counts(rng: random.Random, size: Size) -> list[int]:
    """A long tail: a few ideas with hundreds of votes, most with a handful; sums to size.votes."""
    cap = size.first_voter - 1
    weights = [rng.paretovariate(1.3) for _ in range(size.ideas)]
    scale = size.votes / sum(weights)
    counts = [0] * size.ideas
    for _ in range(4):
        counts = [min(cap, int(w * scale)) for w in weights]
        total = sum(counts)
        if total >= size.votes * 0.98 or total == 0:
            break
        scale *= size.votes / total
    deficit = size.votes - sum(counts)
    while deficit > 0:
        i = rng.randrange(size.ideas)
        if counts[i] < cap:
            counts[i] += 1
            deficit -= 1
    while deficit < 0:
        i = rng.randrange(size.ideas)
        if counts[i] > 0:
            counts[i] -= 1
            deficit += 1
    return counts


@dataclass
class Batch:
    table: str
    columns: tuple[str, ...]
    rows: list[tuple]


COLUMNS = {
    "users": ("id", "email", "name", "password_hash", "is_active", "created_at"),
    "workspaces": ("id", "slug", "name", "idea_seq", "created_at"),
    "boards": ("id", "workspace_id", "slug", "name", "description", "visibility", "is_open", "position", "created_at"),
    "memberships": ("id", "workspace_id", "user_id", "role", "created_at"),
    "api_tokens": ("id", "user_id", "name", "prefix", "token_hash", "last_used_at", "created_at"),
    "ideas": (
        "id", "workspace_id", "board_id", "author_id", "number", "title", "body", "body_html", "status",
        "vote_count", "comment_count", "trending_score", "updated_at", "deleted_at", "created_at",
    ),
    "votes": ("id", "workspace_id", "idea_id", "user_id", "created_at"),
    "comments": (
        "id", "workspace_id", "idea_id", "author_id", "parent_id", "body", "body_html", "updated_at", "deleted_at",
        "created_at",
    ),
}  # fmt: skip
TABLES = list(COLUMNS)


@dataclass
class Dataset:
    """Generates the rows, in batches small enough to keep a million ideas out of memory."""

    size: Size
    salt: str
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    counts: dict[str, int] = field(default_factory=dict)

    def batches(self) -> Iterator[Batch]:
        rng = random.Random(SEED)
        size, now = self.size, self.now
        start = now - timedelta(days=730)

        def batch(table: str, rows: list[tuple]) -> Batch:
            self.counts[table] = self.counts.get(table, 0) + len(rows)
            return Batch(table, COLUMNS[table], rows)

        users = [
            (uid, f"user{uid}@bench.example", f"Bench User {uid}", None, True, start)
            for uid in range(1, size.users + 1)
        ]
        yield batch("users", users)
        yield batch("workspaces", [(WORKSPACE_ID, WORKSPACE_SLUG, "Bench Co", size.ideas, start)])
        yield batch(
            "boards",
            [
                (bid, WORKSPACE_ID, slug, name, f"{name} for Bench Co.", "public", True, pos, start)
                for pos, (bid, slug, name, _) in enumerate(BOARDS)
            ],
        )
        yield batch(
            "memberships",
            [
                (uid, WORKSPACE_ID, uid, "owner" if uid == STAFF_USER_ID else "member", start)
                for uid in range(1, size.users + 1)
            ],
        )
        tokens = []
        for n, uid in enumerate(range(size.first_voter, size.users + 1), start=1):
            raw = api_token(self.salt, uid)
            tokens.append((n, uid, "bench", raw[: len(API_TOKEN_PREFIX) + 6], token_hash(raw), None, start))
        # The owner's token: the export scenario downloads the backlog as staff.
        raw = api_token(self.salt, STAFF_USER_ID)
        tokens.append(
            (
                len(tokens) + 1,
                STAFF_USER_ID,
                "bench staff",
                raw[: len(API_TOKEN_PREFIX) + 6],
                token_hash(raw),
                None,
                start,
            )
        )
        yield batch("api_tokens", tokens)

        titles = _titles(rng, 5_000)
        bodies = _bodies(rng, 400)
        comment_bodies = _comment_bodies(rng, 200)
        vote_counts = _vote_counts(rng, size)
        threads = set(thread_numbers(size))
        seeders = size.first_voter - 1
        # Strides coprime with the number of seeding users give each idea distinct voters cheaply.
        strides = [s for s in range(7, 7 + 4 * seeders) if math.gcd(s, seeders) == 1][:64] or [1]
        tau = trending.tau_seconds(HALF_LIFE_HOURS)
        epoch = trending.EPOCH
        span = (now - start).total_seconds()

        vote_id = comment_id = 0
        ideas: list[tuple] = []
        votes: list[tuple] = []
        comments: list[tuple] = []
        for number in range(1, size.ideas + 1):
            created = start + timedelta(seconds=span * (number - 0.5) / size.ideas)
            created_s = (created - epoch).total_seconds()
            score = created_s / tau
            k = vote_counts[number - 1]
            if k:
                first, stride = rng.randrange(seeders), rng.choice(strides)
                room = (now - created).total_seconds()
                for j in range(k):
                    offset = room * rng.random()
                    score = trending.add(score, (created_s + offset) / tau)
                    vote_id += 1
                    uid = 1 + (first + j * stride) % seeders
                    votes.append((vote_id, WORKSPACE_ID, number, uid, created + timedelta(seconds=offset)))
            comment_count = 0
            if number in threads:
                top_ids = []
                for j in range(COMMENTS_PER_THREAD):
                    comment_id += 1
                    parent = None
                    if j >= COMMENTS_PER_THREAD - REPLIES_PER_THREAD:
                        parent = top_ids[j - (COMMENTS_PER_THREAD - REPLIES_PER_THREAD)]
                    else:
                        top_ids.append(comment_id)
                    at = created + timedelta(minutes=10 * (j + 1))
                    body, html = rng.choice(comment_bodies)
                    author = 1 + rng.randrange(size.users)
                    comments.append((comment_id, WORKSPACE_ID, number, author, parent, body, html, at, None, at))
                comment_count = COMMENTS_PER_THREAD
            body, html = rng.choice(bodies)
            ideas.append(
                (
                    number, WORKSPACE_ID, board_for(number), 1 + rng.randrange(size.users), number,
                    titles[number % len(titles)], body, html, idea_status(number), k, comment_count, score,
                    created, created + timedelta(days=30) if idea_deleted(number) else None, created,
                )
            )  # fmt: skip
            if len(ideas) >= CHUNK:
                yield batch("ideas", ideas)
                ideas = []
            if len(votes) >= CHUNK * 5:
                yield batch("votes", votes)
                votes = []
        if ideas:
            yield batch("ideas", ideas)
        if votes:
            yield batch("votes", votes)
        if comments:
            yield batch("comments", comments)


@dataclass
class SeedReport:
    seconds: float
    rows: dict[str, int]
    phases: dict[str, float]


# --- PostgreSQL -------------------------------------------------------------------------------------------

_PG_CONSTRAINTS = """
SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = 'public' AND t.relname = ANY($1::text[]) AND c.contype IN ('u', 'f')
"""
_PG_INDEXES = """
SELECT i.indexname, i.indexdef FROM pg_indexes i
WHERE i.schemaname = 'public' AND i.tablename = ANY($1::text[])
  AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))
"""


async def seed_postgres(dsn: str, dataset: Dataset) -> SeedReport:
    """COPY every table with its secondary indexes and constraints dropped, then rebuild them and analyse."""
    import asyncpg

    began = time.perf_counter()
    phases: dict[str, float] = {}
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SET maintenance_work_mem = '256MB'; SET synchronous_commit = off")
        constraints = await conn.fetch(_PG_CONSTRAINTS, TABLES)
        indexes = await conn.fetch(_PG_INDEXES, TABLES)
        # Foreign keys go first (they depend on the unique indexes), and come back last.
        for table, name, _, _ in sorted(constraints, key=lambda c: c[3] != "f"):
            await conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            await conn.execute(f'DROP INDEX "{name}"')

        mark = time.perf_counter()
        for batch in dataset.batches():
            await conn.copy_records_to_table(batch.table, records=batch.rows, columns=batch.columns)
        phases["generate_and_copy"] = time.perf_counter() - mark

        mark = time.perf_counter()
        for _, definition in indexes:
            await conn.execute(definition)
        for table, name, definition, _ in sorted(constraints, key=lambda c: c[3] == "f"):
            await conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for table in TABLES:
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            await conn.execute(
                f"SELECT setval({sequence}, coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table}"  # noqa: S608
            )
        phases["indexes_and_constraints"] = time.perf_counter() - mark

        mark = time.perf_counter()
        for table in TABLES:
            await conn.execute(f"VACUUM (ANALYZE) {table}")
        phases["vacuum_analyze"] = time.perf_counter() - mark
    finally:
        await conn.close()
    return SeedReport(seconds=time.perf_counter() - began, rows=dict(dataset.counts), phases=phases)


# --- SQLite -----------------------------------------------------------------------------------------------


def _sqlite_value(value):
    if isinstance(value, datetime):
        # How SQLAlchemy stores ideaflow's UTC datetimes on SQLite: naive, microseconds always present.
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, bool):
        return int(value)
    return value


def seed_sqlite(path: str, dataset: Dataset) -> SeedReport:
    """Batched inserts in one transaction with indexes and the FTS triggers dropped; then rebuild the
    indexes, recreate the triggers, rebuild the FTS5 index from `ideas`, and ANALYZE."""
    began = time.perf_counter()
    phases: dict[str, float] = {}
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA foreign_keys=OFF")
        db.execute("PRAGMA cache_size=-262144")
        placeholders = ",".join("?" * len(TABLES))
        saved = db.execute(
            f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL "  # noqa: S608
            f"AND tbl_name IN ({placeholders})",
            TABLES,
        ).fetchall()
        for kind, name, _ in saved:
            db.execute(f'DROP {kind.upper()} "{name}"')

        mark = time.perf_counter()
        db.execute("BEGIN")
        for batch in dataset.batches():
            columns = ", ".join(batch.columns)
            marks = ", ".join("?" * len(batch.columns))
            rows = [tuple(_sqlite_value(v) for v in row) for row in batch.rows]
            db.executemany(f"INSERT INTO {batch.table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
        db.execute("COMMIT")
        phases["generate_and_insert"] = time.perf_counter() - mark

        mark = time.perf_counter()
        for _, _, sql in saved:
            db.execute(sql)
        db.execute("INSERT INTO ideas_fts(ideas_fts) VALUES('rebuild')")
        phases["indexes_and_fts"] = time.perf_counter() - mark

        mark = time.perf_counter()
        db.execute("ANALYZE")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        phases["analyze"] = time.perf_counter() - mark
    finally:
        db.close()
    return SeedReport(seconds=time.perf_counter() - began, rows=dict(dataset.counts), phases=phases)


def new_salt() -> str:
    return hashlib.sha256(str(time.time_ns()).encode()).hexdigest()[:10]
