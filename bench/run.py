"""One benchmark run: for each size and database, create and seed a fresh database, serve ideaflow as
production does, load each scenario, then measure the limits (the minimal app and pgbench) on the same data."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx

from bench import profile, seed
from bench.load import percentile
from bench.procs import CpuMeter, Server, free_port, postgres_backends_cpu, tree_cpu, tree_rss

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
PGBENCH_DIR = BENCH_DIR / "pgbench"

IDEAFLOW_SCENARIOS = ["floor", "vote", "list_json", "list_json_304", "list_html", "idea_html", "search", "export"]
LIMIT_SCENARIOS = ["floor", "vote", "list_json"]  # what the minimal app also runs (pgbench: those with a script)
PGBENCH_SCRIPTS = {"vote": "vote.sql", "list_json": "top20.sql"}
NOT_MEASURED: dict[str, str] = {}  # every scenario the issue asks for is measured
EXPORT_RUNS = 3  # the export is timed this many times; the slowest counts
EXPORT_PROFILE_SECONDS = 10
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class Options:
    sizes: list[str]
    dbs: list[str]
    duration: float
    warmup: float
    connections: int
    workers: int
    scenarios: list[str]
    out: Path
    pg_url: str
    record: bool = False
    smoke: bool = False
    keep: bool = False
    fail_on_targets: bool = False
    seed_only: bool = False
    profile: bool = False
    settings: dict[str, str] = field(default_factory=dict)  # extra IDEAFLOW_* settings for the served app


@dataclass
class Result:
    size: str
    db: str
    app: str  # ideaflow | minimal | pgbench
    scenario: str
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    requests: int
    app_cpu: float | None = None
    db_cpu: float | None = None
    client_cpu: float | None = None
    db_locked: int | None = None
    server_exceptions: int | None = None
    profile: dict | None = None
    workers: int = 1
    connections: int = 0
    duration_s: float = 0.0
    detail: dict = field(default_factory=dict)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def _ideaflow_bin() -> list[str]:
    script = Path(sys.executable).with_name("ideaflow")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ideaflow.cli"]


def _clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without its IDEAFLOW_* settings (a test run's, say), plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDEAFLOW_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def _read_pgbench_logs(logdir: Path) -> tuple[list[int], int]:
    """Per-transaction latencies (µs) from pgbench's --log files, and the count of failed transactions."""
    latencies, failed = [], 0
    for path in logdir.glob("tx*"):
        for line in path.read_text().splitlines():
            fields = line.split()
            if len(fields) >= 3 and fields[2].isdigit():
                latencies.append(int(fields[2]))
            else:
                failed += 1
    shutil.rmtree(logdir, ignore_errors=True)
    return sorted(latencies), failed


class Database:
    """A fresh database for one size: its own PostgreSQL database (created, then dropped) or a temp SQLite file."""

    def __init__(self, kind: str, size: seed.Size, tmp: Path, pg_url: str) -> None:
        self.kind, self.size, self.tmp, self.pg_url = kind, size, tmp, pg_url
        self.name = f"ideaflow_bench_{os.getpid()}_{size.name}"
        if kind == "postgres":
            base = pg_url.rsplit("/", 1)[0]
            self.dsn = f"{base}/{self.name}"
            self.url = self.dsn
        else:
            self.path = tmp / f"bench-{size.name}.db"
            self.url = f"sqlite+aiosqlite:///{self.path}"

    async def create(self) -> None:
        if self.kind == "postgres":
            import asyncpg

            conn = await asyncpg.connect(self.pg_url)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                await conn.execute(f'CREATE DATABASE "{self.name}"')
            finally:
                await conn.close()
        env = _clean_env(IDEAFLOW_DATABASE_URL=self.url, IDEAFLOW_DATA_DIR=str(self.tmp))
        proc = await asyncio.create_subprocess_exec(
            *_ideaflow_bin(), "db", "upgrade", env=env, cwd=self.tmp, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"`ideaflow db upgrade` failed:\n{output.decode()}")

    async def seed(self, dataset: seed.Dataset) -> seed.SeedReport:
        if self.kind == "postgres":
            return await seed.seed_postgres(self.dsn, dataset)
        return await asyncio.to_thread(seed.seed_sqlite, str(self.path), dataset)

    async def drop(self) -> None:
        if self.kind == "postgres":
            import asyncpg

            conn = await asyncpg.connect(self.pg_url)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            finally:
                await conn.close()
        else:
            _remove_sqlite_files(self.path)

    def db_cpu_source(self):
        return (lambda: postgres_backends_cpu(self.name)) if self.kind == "postgres" else None


def _write_spec(spec_path: Path, out_path: Path, spec: dict) -> None:
    spec_path.write_text(json.dumps(spec))
    out_path.unlink(missing_ok=True)


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text())


async def run_client(
    spec: dict, tmp: Path, sources: dict, on_measure_start: Callable[[], Awaitable[None]] | None = None
) -> tuple[dict, dict[str, float]]:
    """Run the load generator in its own process; sample CPU between its measure_start and measure_end."""
    spec_path, out_path = tmp / "spec.json", tmp / "client-result.json"
    _write_spec(spec_path, out_path, spec)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.load", str(spec_path), str(out_path),
        cwd=REPO, env=_clean_env(), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    meter = CpuMeter(client=lambda: tree_cpu(proc.pid), **sources)
    cpu: dict[str, float] = {}
    assert proc.stdout is not None
    async for line in proc.stdout:
        event = json.loads(line).get("event") if line.startswith(b"{") else None
        if event == "measure_start":
            meter.start()
            if on_measure_start is not None:
                await on_measure_start()
        elif event == "measure_end":
            cpu = await meter.stop()
    _, stderr = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"load generator failed ({proc.returncode}):\n{stderr.decode()[-3000:]}")
    return _read_json(out_path), cpu


def _result(size, db, app, scenario, opts: Options, workers: int, load: dict, cpu: dict, **extra) -> Result:
    return Result(
        size=size, db=db, app=app, scenario=scenario, rps=round(load["rps"], 1), p50_ms=round(load["p50_ms"], 2),
        p90_ms=round(load["p90_ms"], 2), p99_ms=round(load["p99_ms"], 2), max_ms=round(load["max_ms"], 2),
        errors=load["errors"], requests=load["requests"], app_cpu=cpu.get("app"), db_cpu=cpu.get("db"),
        client_cpu=cpu.get("client"), workers=workers, connections=opts.connections, duration_s=opts.duration,
        detail={k: load[k] for k in ("error_kinds", "error_samples", "mean_ms", "mean_body_bytes") if k in load},
        **extra,
    )  # fmt: skip


def ideaflow_specs(size: seed.Size, salt: str) -> dict[str, dict]:
    slug, board = seed.WORKSPACE_SLUG, seed.LIST_BOARD_SLUG
    return {
        # No database: the stack's own cost per request (ideaflow's middleware and routing, or the minimal app's).
        "floor": {"kind": "get", "paths": ["/healthz"]},
        "vote": {
            "kind": "vote", "target": "ideaflow", "workspace": slug, "ideas": size.ideas,
            "first_voter": size.first_voter, "last_voter": size.users,
            "token_format": seed.api_token(salt, "{user}"),
        },
        "list_json": {"kind": "get", "paths": [f"/api/v1/{slug}/ideas?board={board}&sort=top&limit=20"]},
        # The same list revalidated: If-None-Match with the ETag of the current list (filled in when it is run).
        "list_json_304": {
            "kind": "get", "paths": [f"/api/v1/{slug}/ideas?board={board}&sort=top&limit=20"], "accept_304": True,
        },
        "list_html": {"kind": "get", "paths": [f"/{slug}/boards/{board}"]},
        "idea_html": {"kind": "get", "paths": [f"/{slug}/ideas/{n}" for n in seed.thread_numbers(size)]},
        "search": {
            "kind": "get", "paths": [f"/api/v1/{slug}/ideas?q={quote(q)}&limit=20" for q in seed.SEARCH_QUERIES],
        },
        "export": {},  # not the load generator: see run_export
    }  # fmt: skip


def minimal_specs(size: seed.Size) -> dict[str, dict]:
    return {
        "floor": {"kind": "get", "paths": ["/healthz"]},
        "vote": {
            "kind": "vote", "target": "minimal", "workspace_id": seed.WORKSPACE_ID, "ideas": size.ideas,
            "first_voter": size.first_voter, "last_voter": size.users,
        },
        "list_json": {"kind": "get", "paths": [f"/{seed.WORKSPACE_ID}/boards/{seed.LIST_BOARD_ID}/top"]},
    }  # fmt: skip


async def _check_ideaflow(server: Server, size: seed.Size, salt: str) -> list[int]:
    """Fail fast with a clear message if the seeded data does not work through ideaflow itself."""
    slug, board = seed.WORKSPACE_SLUG, seed.LIST_BOARD_SLUG
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        page = await client.get(f"/api/v1/{slug}/ideas", params={"board": board, "sort": "top", "limit": 20})
        if page.status_code != 200 or len(page.json()["items"]) != 20:
            raise RuntimeError(f"ideaflow's board list is not usable: {page.status_code} {page.text[:500]}")
        idea = await client.get(f"/api/v1/{slug}/ideas/{seed.thread_numbers(size)[0]}")
        if idea.status_code != 200 or idea.json()["comment_count"] != seed.COMMENTS_PER_THREAD:
            raise RuntimeError(f"seeded idea is not as expected: {idea.status_code} {idea.text[:500]}")
        headers = {"Authorization": f"Bearer {seed.api_token(salt, size.users)}"}
        put = await client.put(f"/api/v1/{slug}/ideas/1/vote", headers=headers)
        delete = await client.delete(f"/api/v1/{slug}/ideas/1/vote", headers=headers)
        if (
            put.status_code != 200
            or delete.status_code != 200
            or not put.json()["voted"]
            or delete.json()["vote_count"] != put.json()["vote_count"] - 1
        ):
            raise RuntimeError(f"a seeded voter cannot vote: {put.status_code} {put.text[:300]} / {delete.text[:300]}")
        return [item["number"] for item in page.json()["items"]]


async def current_etag(server: Server, path: str, within: float = 30.0) -> str:
    """The ETag of a list, once it has one: a list that changed in the last few seconds (the vote scenario just
    ran) is answered without one until the change settles (see ideaflow/kit/http_cache.py)."""
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        while True:
            response = await client.get(path)
            if response.status_code == 200 and (etag := response.headers.get("etag")):
                check = await client.get(path, headers={"If-None-Match": etag})
                if check.status_code == 304:
                    return etag
            if time.monotonic() > deadline:
                raise RuntimeError(f"{path} got no usable ETag within {within:g} s: {response.headers}")
            await asyncio.sleep(0.5)


async def run_export(opts: Options, size: seed.Size, db: Database, server: Server, workers: int, salt: str) -> Result:
    """The backlog export (CSV, every listed idea, as staff), EXPORT_RUNS downloads one after another: seconds
    to the last byte, and the server's resident memory, sampled every 50 ms, against what it held just before."""
    path = f"/api/v1/{seed.WORKSPACE_SLUG}/backlog/export.csv"
    headers = {"Authorization": f"Bearer {seed.api_token(salt, seed.STAFF_USER_ID)}"}
    sources = {"app": lambda: tree_cpu(server.pid)}
    if (db_source := db.db_cpu_source()) is not None:
        sources["db"] = db_source
    meter = CpuMeter(**sources)
    durations: list[float] = []
    first_bytes: list[float] = []
    growth_kib: list[int] = []
    peaks_kib: list[int] = []
    errors, samples, rows, nbytes = 0, [], 0, 0
    offset = server.log_size()
    sampler: list[asyncio.subprocess.Process] = []
    folded = opts.out / f"profile-{size.name}-{db.kind}-export.folded"
    if opts.profile:
        # The first download, for up to EXPORT_PROFILE_SECONDS (the sampler only counts busy samples).
        folded.parent.mkdir(parents=True, exist_ok=True)
        if (proc := await profile.record(server.pid, EXPORT_PROFILE_SECONDS, folded)) is not None:
            sampler.append(proc)
    meter.start()
    async with httpx.AsyncClient(base_url=server.base_url, timeout=600) as client:
        for _ in range(EXPORT_RUNS):
            before = tree_rss(server.pid)
            peak = dict(before)
            done = asyncio.Event()

            async def sample(peak: dict = peak, done: asyncio.Event = done) -> None:
                while not done.is_set():
                    for pid, kib in tree_rss(server.pid).items():
                        peak[pid] = max(peak.get(pid, 0), kib)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(done.wait(), 0.05)

            rss_task = asyncio.create_task(sample())
            t0, first, nbytes = time.perf_counter(), None, 0
            async with client.stream("GET", path, headers=headers) as response:
                async for chunk in response.aiter_bytes():
                    first = time.perf_counter() - t0 if first is None else first
                    nbytes += len(chunk)
                status, total = response.status_code, int(response.headers.get("x-total-count", 0))
            elapsed = time.perf_counter() - t0
            done.set()
            await rss_task
            if status != 200:
                errors += 1
                samples.append(f"{status}")
                continue
            rows = total
            durations.append(elapsed)
            first_bytes.append(first or elapsed)
            # The worker that served the download is the one whose memory moved most.
            growth_kib.append(max(peak[pid] - before.get(pid, peak[pid]) for pid in peak))
            peaks_kib.append(max(peak.values()))
    cpu = await meter.stop()
    ms = sorted(int(d * 1_000_000) for d in durations)
    load = {
        "rps": len(durations) / sum(durations) if durations else 0.0, "p50_ms": percentile(ms, 0.5),
        "p90_ms": percentile(ms, 0.9), "p99_ms": percentile(ms, 0.99), "max_ms": ms[-1] / 1000 if ms else 0.0,
        "errors": errors, "requests": len(durations), "error_samples": samples,
    }  # fmt: skip
    server_log = server.log_since(offset)
    extra = {"server_exceptions": server_log.count("Traceback (most recent call last)")}
    if db.kind == "sqlite":
        extra["db_locked"] = server_log.count("database is locked")
    if opts.profile:
        extra["profile"] = await _collect_profile(sampler, folded)
    result = _result(size.name, db.kind, "ideaflow", "export", opts, workers, load, cpu, **extra)
    result.detail.update(
        rows=rows, bytes=nbytes, seconds_max=round(max(durations, default=0.0), 3),
        first_byte_s=round(max(first_bytes, default=0.0), 3),
        rss_growth_mib=round(max(growth_kib, default=0) / 1024, 1),
        rss_peak_mib=round(max(peaks_kib, default=0) / 1024, 1),
    )  # fmt: skip
    log(
        f"{size.name}/{db.kind} ideaflow export: {rows:,} ideas, {nbytes / 1e6:.1f} MB in "
        f"{result.detail['seconds_max']} s (slowest of {len(durations)}), server memory +"
        f"{result.detail['rss_growth_mib']} MiB (peak {result.detail['rss_peak_mib']} MiB)"
    )
    return result


async def run_scenarios(
    opts: Options,
    size: seed.Size,
    db: Database,
    app: str,
    server: Server,
    specs: dict,
    workers: int,
    tmp: Path,
    salt: str = "",
) -> list[Result]:
    results = []
    sources = {"app": lambda: tree_cpu(server.pid)}
    if (db_source := db.db_cpu_source()) is not None:
        sources["db"] = db_source
    for name in [s for s in specs if s in opts.scenarios]:
        if name == "export":
            results.append(await run_export(opts, size, db, server, workers, salt))
            continue
        spec = {
            **specs[name], "host": "127.0.0.1", "port": server.port, "connections": opts.connections,
            "duration": opts.duration, "warmup": opts.warmup, "seed": 7,
        }  # fmt: skip
        if spec.get("accept_304"):
            spec["headers"] = {"If-None-Match": await current_etag(server, spec["paths"][0])}
        offset = server.log_size()
        sampler: list[asyncio.subprocess.Process] = []
        folded = opts.out / f"profile-{size.name}-{db.kind}-{name}.folded"

        async def start_sampling(folded: Path = folded, sampler: list = sampler) -> None:
            folded.parent.mkdir(parents=True, exist_ok=True)
            if (proc := await profile.record(server.pid, opts.duration, folded)) is not None:
                sampler.append(proc)

        wants_profile = opts.profile and app == "ideaflow"
        load, cpu = await run_client(spec, tmp, sources, start_sampling if wants_profile else None)
        server_log = server.log_since(offset)
        extra = {"server_exceptions": server_log.count("Traceback (most recent call last)")}
        if wants_profile:
            extra["profile"] = await _collect_profile(sampler, folded)
        if db.kind == "sqlite":
            extra["db_locked"] = server_log.count("database is locked")
        result = _result(size.name, db.kind, app, name, opts, workers, load, cpu, **extra)
        log(
            f"{size.name}/{db.kind} {app} {name}: {result.rps:,.0f} req/s, p50 {result.p50_ms} ms, "
            f"p99 {result.p99_ms} ms, errors {result.errors}, app CPU {result.app_cpu}, db CPU {result.db_cpu}"
        )
        results.append(result)
    return results


async def _collect_profile(sampler: list[asyncio.subprocess.Process], folded: Path) -> dict | None:
    if not sampler:
        log("py-spy is not installed: no profile")
        return None
    _, stderr = await sampler[0].communicate()
    if sampler[0].returncode != 0:
        log(f"py-spy failed: {stderr.decode()[-500:]}")
        return None
    summary = profile.summarise(await asyncio.to_thread(folded.read_text))
    return {
        "file": folded.name,
        "samples": summary.samples,
        "layers": summary.layers,
        "hottest": summary.hottest,
        "leaves": summary.leaves,
    }


def _pg_conn_args(dsn: str) -> tuple[list[str], dict[str, str], str]:
    parts = urlsplit(dsn)
    args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    env = _clean_env()
    if parts.password:
        env["PGPASSWORD"] = parts.password
    return args, env, parts.path.lstrip("/")


async def run_pgbench(opts: Options, size: seed.Size, db: Database, tmp: Path) -> list[Result]:
    """pgbench running the same SQL (bench/pgbench/*.sql), prepared statements, the same connection count."""
    pgbench = shutil.which("pgbench")
    if pgbench is None:
        raise RuntimeError(
            "pgbench is not installed: on Debian/Ubuntu it comes with the PostgreSQL client "
            "(`apt-get install postgresql-client`); or run with --scenarios that skip the limits."
        )
    conn_args, env, dbname = _pg_conn_args(db.dsn)
    variables = {
        "ws": seed.WORKSPACE_ID, "board": seed.LIST_BOARD_ID, "ideas": size.ideas, "first_voter": size.first_voter,
        "last_voter": size.users, "toggle": 0, "tau": seed.trending.tau_seconds(seed.HALF_LIFE_HOURS),
    }  # fmt: skip
    defines = [arg for k, v in variables.items() for arg in ("-D", f"{k}={v}")]
    threads = str(min(opts.connections, os.cpu_count() or 1))
    seconds = max(1, round(opts.duration))  # pgbench takes whole seconds
    results = []
    for name in [s for s in LIMIT_SCENARIOS if s in opts.scenarios and s in PGBENCH_SCRIPTS]:
        script = str(PGBENCH_DIR / PGBENCH_SCRIPTS[name])
        base = [pgbench, "-n", "-M", "prepared", "-c", str(opts.connections), "-j", threads, "-f", script, *defines]
        if opts.warmup > 0:
            warm = await asyncio.create_subprocess_exec(
                *base, "-T", str(max(1, round(opts.warmup))), *conn_args, dbname, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            await warm.wait()
        logdir = Path(tempfile.mkdtemp(prefix="pgbench-", dir=tmp))
        argv = [*base, "-T", str(seconds), "--log", f"--log-prefix={logdir}/tx", *conn_args, dbname]
        proc = await asyncio.create_subprocess_exec(
            *[str(a) for a in argv], env=env, cwd=logdir, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        meter = CpuMeter(client=lambda proc=proc: tree_cpu(proc.pid), db=db.db_cpu_source())
        meter.start()
        stdout, stderr = await proc.communicate()
        cpu = await meter.stop()
        latencies, failed = _read_pgbench_logs(logdir)
        text = stdout.decode()
        match = re.search(r"number of failed transactions: (\d+)", text)
        failed = max(failed, int(match.group(1)) if match else 0)
        if proc.returncode != 0:
            failed = max(failed, 1)
        load = {
            "rps": len(latencies) / seconds, "p50_ms": percentile(latencies, 0.5),
            "p90_ms": percentile(latencies, 0.9), "p99_ms": percentile(latencies, 0.99),
            "max_ms": latencies[-1] / 1000 if latencies else 0.0, "errors": failed, "requests": len(latencies),
            "error_samples": [stderr.decode()[-1500:]] if failed else [],
        }  # fmt: skip
        result = _result(size.name, db.kind, "pgbench", name, opts, 0, load, cpu)
        log(
            f"{size.name}/{db.kind} pgbench {name}: {result.rps:,.0f} tx/s, p50 {result.p50_ms}, p99 {result.p99_ms} ms"
        )
        results.append(result)
    return results


async def run_database(opts: Options, size: seed.Size, kind: str, tmp: Path) -> dict:
    """Seed, serve and load one database at one size; returns the run's record."""
    db = Database(kind, size, tmp, opts.pg_url)
    salt = seed.new_salt()
    record: dict = {"size": size.name, "db": kind, "shape": asdict(size), "results": [], "checks": {}}
    workers = opts.workers if kind == "postgres" else 1  # ideaflow serves SQLite from one process
    log(f"{size.name}/{kind}: creating and migrating a fresh database")
    await db.create()
    servers: list[Server] = []
    try:
        dataset = seed.Dataset(size=size, salt=salt)
        log(f"{size.name}/{kind}: seeding {size.ideas:,} ideas, {size.votes:,} votes, {size.comments:,} comments")
        report = await db.seed(dataset)
        record["seed"] = asdict(report)
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in report.phases.items())
        log(f"{size.name}/{kind}: seeded in {report.seconds:.1f} s ({phases})")
        if opts.seed_only:
            return record

        port = free_port()
        env = _clean_env(
            IDEAFLOW_ENV="production", IDEAFLOW_DATABASE_URL=db.url, IDEAFLOW_DATA_DIR=str(tmp),
            IDEAFLOW_SECRET_KEY=f"bench-{salt}-secret-key", IDEAFLOW_BASE_URL=f"http://127.0.0.1:{port}",
            IDEAFLOW_RATE_LIMIT_WRITE_PER_MINUTE="1000000000", IDEAFLOW_RATE_LIMIT_AUTH_PER_MINUTE="1000000000",
            IDEAFLOW_ACCESS_LOG="false", **opts.settings,
        )  # fmt: skip
        ideaflow = Server(
            "ideaflow", [*_ideaflow_bin(), "serve", "--workers", str(workers), "--port", str(port)], env, tmp,
            tmp / f"ideaflow-{size.name}-{kind}.log", port,
        )  # fmt: skip
        servers.append(ideaflow)
        log(f"{size.name}/{kind}: starting ideaflow (production, {workers} worker(s))")
        await ideaflow.start("/healthz")
        top_numbers = await _check_ideaflow(ideaflow, size, salt)
        specs = ideaflow_specs(size, salt)
        record["results"] += await run_scenarios(opts, size, db, "ideaflow", ideaflow, specs, workers, tmp, salt)
        await ideaflow.stop()

        if kind == "postgres" and set(LIMIT_SCENARIOS) & set(opts.scenarios):
            port = free_port()
            env = _clean_env(BENCH_DSN=db.dsn)
            minimal = Server(
                "minimal app",
                [sys.executable, "-m", "uvicorn", "bench.minimal_app:app", "--workers", str(workers), "--port",
                 str(port), "--no-access-log", "--log-level", "warning"],
                env, REPO, tmp / f"minimal-{size.name}.log", port,
            )  # fmt: skip
            servers.append(minimal)
            log(f"{size.name}/{kind}: starting the minimal FastAPI + asyncpg app ({workers} worker(s))")
            await minimal.start(minimal_specs(size)["list_json"]["paths"][0])
            async with httpx.AsyncClient(base_url=minimal.base_url) as client:
                minimal_top = [
                    i["number"]
                    for i in (await client.get(minimal_specs(size)["list_json"]["paths"][0])).json()["items"]
                ]
            record["checks"]["same_top_20"] = minimal_top == top_numbers
            if minimal_top != top_numbers:
                raise RuntimeError(f"the minimal app's top 20 {minimal_top} differs from ideaflow's {top_numbers}")
            record["results"] += await run_scenarios(
                opts, size, db, "minimal", minimal, minimal_specs(size), workers, tmp
            )
            await minimal.stop()
            record["results"] += await run_pgbench(opts, size, db, tmp)
    finally:
        for server in servers:
            await server.stop()
        if not opts.keep:
            await db.drop()
    record["results"] = [asdict(r) for r in record["results"]]
    return record
