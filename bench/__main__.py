"""`python -m bench`: seed, serve, load, compare with the limits, and write bench/results/<time>.{json,md}.

Exits non-zero if any scenario had errors or no throughput (and, with --fail-on-targets, if a target is missed)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import report, run, seed


def _list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def parse(argv: list[str]) -> run.Options:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--size", default=None, help=f"comma-separated sizes: {', '.join(seed.SIZES)} (default small; smoke: tiny)"
    )
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--duration", type=float, default=None, help="seconds measured per scenario (default 30)")
    parser.add_argument("--warmup", type=float, default=None, help="seconds of unmeasured load first (default 3)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--workers", type=int, default=None, help="Uvicorn workers on PostgreSQL (default: CPU cores; SQLite: 1)"
    )
    parser.add_argument(
        "--scenarios",
        default=",".join(run.IDEAFLOW_SCENARIOS),
        help=f"comma-separated subset of {','.join(run.IDEAFLOW_SCENARIOS)}",
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("IDEAFLOW_BENCH_POSTGRES_URL", run.DEFAULT_PG_URL),
        help="an existing database to connect to for CREATE/DROP DATABASE (env IDEAFLOW_BENCH_POSTGRES_URL)",
    )
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an ideaflow setting for the served app, e.g. IDEAFLOW_DB_AUTOCOMMIT_READS=true (repeatable)",
    )
    parser.add_argument("--record", action="store_true", help="also replace the results section of bench/README.md")
    parser.add_argument("--smoke", action="store_true", help="tiny data, 2 s scenarios, 1 worker: checks the harness")
    parser.add_argument("--keep", action="store_true", help="keep the seeded databases (for poking at them)")
    parser.add_argument("--seed-only", action="store_true", help="create and seed the databases, then stop")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample ideaflow's workers with py-spy during each scenario and report where the time goes",
    )
    parser.add_argument("--fail-on-targets", action="store_true", help="exit non-zero when a target is missed")
    args = parser.parse_args(argv)

    sizes = _list(args.size or ("tiny" if args.smoke else "small"))
    unknown = [s for s in sizes if s not in seed.SIZES]
    scenarios = _list(args.scenarios)
    unknown_scenarios = [s for s in scenarios if s not in run.IDEAFLOW_SCENARIOS]
    if unknown or unknown_scenarios:
        parser.error(f"unknown size or scenario: {', '.join(unknown + unknown_scenarios)}")
    return run.Options(
        sizes=sizes,
        dbs=["postgres", "sqlite"] if args.db == "both" else [args.db],
        duration=args.duration if args.duration is not None else (2.0 if args.smoke else 30.0),
        warmup=args.warmup if args.warmup is not None else (0.0 if args.smoke else 3.0),
        connections=args.connections,
        workers=args.workers or (1 if args.smoke else os.cpu_count() or 1),
        scenarios=scenarios,
        out=args.out,
        pg_url=args.pg_url,
        record=args.record,
        smoke=args.smoke,
        keep=args.keep,
        fail_on_targets=args.fail_on_targets,
        seed_only=args.seed_only,
        profile=args.profile,
        settings=_settings(parser, args.setting),
    )


def _settings(parser: argparse.ArgumentParser, pairs: list[str]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.startswith("IDEAFLOW_"):
            parser.error(f"--setting takes IDEAFLOW_NAME=VALUE, not {pair!r}")
        settings[name] = value
    return settings


async def _postgres_version(url: str) -> str:
    import asyncpg

    try:
        conn = await asyncpg.connect(url, timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise SystemExit(f"PostgreSQL is unreachable at {url} ({exc}); use --db sqlite or --pg-url.") from exc
    try:
        return await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()


def _problems(r: dict) -> list[str]:
    found = []
    if r["errors"]:
        found.append(f"{r['errors']} errors {r['detail'].get('error_samples', [])[:2]}")
    if r["rps"] <= 0:
        found.append("no throughput")
    if r.get("db_locked"):
        found.append(f"{r['db_locked']} 'database is locked' in the server log")
    if r.get("server_exceptions"):
        found.append(f"{r['server_exceptions']} exceptions in the server log")
    return found


async def main_async(opts: run.Options) -> int:
    started = datetime.now(UTC)
    pg_version = await _postgres_version(opts.pg_url) if "postgres" in opts.dbs else None
    runs = []
    with tempfile.TemporaryDirectory(prefix="ideaflow-bench-") as tmp:
        for size in opts.sizes:
            work = []
            for kind in opts.dbs:
                workdir = Path(tmp) / f"{size}-{kind}"
                workdir.mkdir()
                work.append(run.run_database(opts, seed.SIZES[size], kind, workdir))
            if opts.smoke:
                # A smoke run checks the harness, it measures nothing: both databases at once keep it short.
                runs += await asyncio.gather(*work)
            else:
                for job in work:
                    runs.append(await job)
    report.add_ratios(runs)
    options = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(opts).items()}
    options.pop("pg_url")
    data = {
        "started_at": started.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "options": options,
        "machine": report.machine_facts(pg_version),
        "not_measured": run.NOT_MEASURED,
        "runs": runs,
    }
    data["targets"] = report.evaluate_targets(runs, list(seed.SIZES))
    md = report.markdown(data)
    opts.out.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    json_path, md_path = opts.out / f"{stamp}.json", opts.out / f"{stamp}.md"
    json_path.write_text(json.dumps(data, indent=2) + "\n")
    md_path.write_text(md)
    if opts.record:
        report.record(md)
    print("\n" + md)
    print(f"Results: {json_path} and {md_path}" + (" (and bench/README.md)" if opts.record else ""))

    problems = [
        f"{r['size']}/{r['db']} {r['app']} {r['scenario']}: {problem}"
        for run_ in runs
        for r in run_["results"]
        for problem in _problems(r)
    ]
    missing = [
        f"{size}/{kind}: {name}"
        for size in opts.sizes
        for kind in opts.dbs
        for name in opts.scenarios
        if not opts.seed_only
        and not any(r["size"] == size and r["db"] == kind and r["scenario"] == name for x in runs for r in x["results"])
    ]
    for problem in problems + [f"missing scenario {m}" for m in missing]:
        print(f"FAILED {problem}", file=sys.stderr)
    missed = [t for t in data["targets"] if not t["met"]]
    if opts.fail_on_targets:
        for t in missed:
            print(f"TARGET MISSED {t['target']} ({t['where']}): {t['measured']}", file=sys.stderr)
    return 1 if problems or missing or (opts.fail_on_targets and missed) else 0


def main(argv: list[str] | None = None) -> int:
    opts = parse(sys.argv[1:] if argv is None else argv)
    began = time.perf_counter()
    code = asyncio.run(main_async(opts))
    print(f"bench finished in {time.perf_counter() - began:.0f} s (exit {code})")
    return code


if __name__ == "__main__":
    sys.exit(main())
