"""EXPLAIN (ANALYZE, BUFFERS) of the statements ideaflow really sends for the board list, a search and a vote, on a
seeded bench database (`python -m bench --size large --db postgres --seed-only --keep` leaves one).

    python -m bench.explain postgresql://postgres@127.0.0.1:5432/ideaflow_bench_<pid>_large [--out FILE]

PostgreSQL's auto_explain module is switched on for that database only (ALTER DATABASE … SET, reset afterwards),
ideaflow is started on it as production runs it, and one request of each kind is sent; the plans are read back
from the server log (`--pg-log`, default Debian's). A temporary API token lets one voter vote (and is removed)."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import asyncpg
import httpx

from bench import seed
from bench.procs import Server, free_port
from bench.run import _clean_env, _ideaflow_bin
from ideaflow.kit.security import token_hash

PG_LOG = "/var/log/postgresql/postgresql-15-main.log"
RAW_TOKEN = "ifk_bench_explain_token"
SETTINGS = {
    "session_preload_libraries": "auto_explain",
    "auto_explain.log_min_duration": "0",
    "auto_explain.log_analyze": "on",
    "auto_explain.log_buffers": "on",
    "auto_explain.log_timing": "on",
}
# Which logged statements to keep, and under which heading.
WANTED = [
    ("board list (top 20)", re.compile(r"ORDER BY ideas\.vote_count DESC, ideas\.id DESC", re.S)),
    ("list change marker (ETag)", re.compile(r"SELECT max\(ideas\.updated_at\)", re.S)),
    ("search", re.compile(r"websearch_to_tsquery", re.S)),
    ("vote: the idea", re.compile(r"WHERE ideas\.workspace_id = \$1::\w+ AND ideas\.number = \$2", re.S)),
    ("vote: insert", re.compile(r"INSERT INTO votes", re.S)),
    ("vote: counters", re.compile(r"UPDATE ideas SET", re.S)),
    ("vote: delete", re.compile(r"DELETE FROM votes", re.S)),
]


def plans_since(log: Path, offset: int) -> list[tuple[str, str]]:
    """(query text, plan) for every auto_explain entry written after `offset`."""
    with log.open("rb") as f:
        f.seek(offset)
        text = f.read().decode("utf-8", "replace")
    found = []
    for block in re.split(r"\n(?=\S)", text):
        if "plan:" not in block or "Query Text:" not in block:
            continue
        lines = [line.removeprefix("\t") for line in block.splitlines()[1:]]
        query, plan, in_query = [], [], True
        for line in lines:
            if line.startswith("Query Text:"):
                query.append(line.removeprefix("Query Text:").strip())
            elif in_query and re.match(r"^\s*[A-Z][A-Za-z ]+ \s*\(cost=|^\s*(Limit|Insert|Update|Delete|Result)", line):
                in_query = False
                plan.append(line)
            elif in_query:
                query.append(line.strip())
            else:
                plan.append(line)
        found.append((" ".join(query), "\n".join(plan)))
    return found


async def main_async(args: argparse.Namespace) -> int:
    conn = await asyncpg.connect(args.dsn)
    dbname = await conn.fetchval("SELECT current_database()")
    ideas = await conn.fetchval("SELECT count(*) FROM ideas")
    voter = await conn.fetchval("SELECT max(id) FROM users")  # the last voter has no seeded vote
    number = await conn.fetchval(
        "SELECT min(number) FROM ideas WHERE status = 'open' AND deleted_at IS NULL AND number % 10 <> 0"
    )
    await conn.execute(
        "INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at) VALUES ($1, 'explain', 'ifk_be', $2, "
        "now())",
        voter,
        token_hash(RAW_TOKEN),
    )
    for name, value in SETTINGS.items():
        await conn.execute(f"ALTER DATABASE \"{dbname}\" SET {name} = '{value}'")
    log = Path(args.pg_log)
    offset = log.stat().st_size  # noqa: ASYNC240 - one stat, nothing else is running
    tmp = Path(tempfile.mkdtemp(prefix="ideaflow-explain-"))
    port = free_port()
    env = _clean_env(
        IDEAFLOW_ENV="production", IDEAFLOW_DATABASE_URL=args.dsn.replace("postgresql://", "postgresql+asyncpg://", 1),
        IDEAFLOW_DATA_DIR=str(tmp), IDEAFLOW_SECRET_KEY="bench-explain-secret-key-0123456789",  # noqa: S106 - a throwaway server
        IDEAFLOW_BASE_URL=f"http://127.0.0.1:{port}", IDEAFLOW_ACCESS_LOG="false",
    )  # fmt: skip
    server = Server(
        "ideaflow", [*_ideaflow_bin(), "serve", "--workers", "1", "--port", str(port)], env, tmp, tmp / "server.log",
        port,
    )  # fmt: skip
    slug, board = seed.WORKSPACE_SLUG, seed.LIST_BOARD_SLUG
    try:
        await server.start("/healthz")
        headers = {"Authorization": f"Bearer {RAW_TOKEN}"}
        async with httpx.AsyncClient(base_url=server.base_url, timeout=120) as client:
            for _ in range(2):  # the second round runs with warm caches: its plans are the ones kept
                offset = log.stat().st_size  # noqa: ASYNC240
                responses = [
                    await client.get(f"/api/v1/{slug}/ideas?board={board}&sort=top&limit=20"),
                    await client.get(f"/api/v1/{slug}/ideas?q={quote(seed.SEARCH_QUERIES[0])}&limit=20"),
                    await client.put(f"/api/v1/{slug}/ideas/{number}/vote", headers=headers),
                    await client.delete(f"/api/v1/{slug}/ideas/{number}/vote", headers=headers),
                ]
                bad = [r for r in responses if r.status_code != 200]
                if bad:
                    raise RuntimeError(f"{bad[0].request.url}: {bad[0].status_code} {bad[0].text[:300]}")
        await asyncio.sleep(1.0)  # let the server log reach the file
    finally:
        await server.stop()
        for name in SETTINGS:
            await conn.execute(f'ALTER DATABASE "{dbname}" RESET {name}')
        await conn.execute("DELETE FROM api_tokens WHERE token_hash = $1", token_hash(RAW_TOKEN))
        await conn.close()

    plans = plans_since(log, offset)
    out = [f"EXPLAIN (ANALYZE, BUFFERS) via auto_explain, {ideas:,} ideas, database {dbname}:", ""]
    for title, pattern in WANTED:
        match = next(((q, p) for q, p in plans if pattern.search(q)), None)
        if match is None:
            out += [f"#### {title}", "", "(not logged)", ""]
            continue
        out += [f"#### {title}", "", "```", match[0][:1500], "", match[1], "```", ""]
    text = "\n".join(out)
    if args.out:
        Path(args.out).write_text(text)  # noqa: ASYNC240 - the server is stopped
    print(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.explain", description=__doc__.splitlines()[0])
    parser.add_argument("dsn", help="a seeded bench database (postgresql://…/ideaflow_bench_<pid>_<size>)")
    parser.add_argument("--pg-log", default=PG_LOG, help=f"PostgreSQL's server log (default {PG_LOG})")
    parser.add_argument("--out", default=None, help="also write the plans to this file")
    return asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
