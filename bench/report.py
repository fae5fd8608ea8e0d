"""Turn a run's results into verdicts on the targets, a Markdown report, and (with --record) bench/README.md's
results section."""

from __future__ import annotations

import os
import platform
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from bench import profile

README = Path(__file__).resolve().parent / "README.md"
START, END = "<!-- bench-results:start -->", "<!-- bench-results:end -->"

TARGETS_TEXT = {
    "vote_ratio": "PostgreSQL vote throughput ≥ 70% of the minimal app's",
    "vote_p99": "vote p99 < 60 ms",
    "list_ratio": "PostgreSQL top-20 list (JSON) throughput ≥ 70% of the minimal app's",
    "list_scaling": "board list p99 at the largest size ≤ 1.5 × its p99 at the smallest",
    "sqlite_votes": "SQLite ≥ 1,000 votes/s",
    "sqlite_locked": "SQLite: zero 'database is locked' errors",
    "list_304": "top-20 list (JSON) revalidated with ETag/304: beyond the minimal app's list throughput",
    "export_time": "backlog export of 100,000 ideas streams in ≤ 5 s",
    "export_memory": "backlog export: flat server memory (its worker grows < 64 MiB)",
}
EXPORT_TARGET_ROWS = 95_000  # "100,000 ideas": the medium size's workspace lists 97,500 (2.5% are deleted)
EXPORT_MEMORY_MIB = 64
# Scenarios compared with a limit measured under another name: a revalidated list against the full list.
LIMIT_SCENARIO = {"list_json_304": "list_json"}


def _find(results: list[dict], size: str, db: str, app: str, scenario: str) -> dict | None:
    for r in results:
        if (r["size"], r["db"], r["app"], r["scenario"]) == (size, db, app, scenario):
            return r
    return None


def add_ratios(runs: list[dict]) -> None:
    """ideaflow's throughput as a fraction of the minimal app's and of pgbench's, scenario by scenario."""
    for run in runs:
        for r in run["results"]:
            if r["app"] != "ideaflow":
                continue
            for limit in ("minimal", "pgbench"):
                scenario = LIMIT_SCENARIO.get(r["scenario"], r["scenario"])
                other = _find(run["results"], r["size"], r["db"], limit, scenario)
                if other is None and r["db"] == "sqlite":
                    # SQLite has no limits of its own here; compare with PostgreSQL's at the same size.
                    other = _find(_all(runs), r["size"], "postgres", limit, scenario)
                r[f"vs_{limit}"] = round(r["rps"] / other["rps"], 3) if other and other["rps"] else None


def _all(runs: list[dict]) -> list[dict]:
    return [r for run in runs for r in run["results"]]


def evaluate_targets(runs: list[dict], sizes_order: list[str]) -> list[dict]:
    results = _all(runs)
    verdicts = []

    def verdict(key: str, where: str, measured: str, ok: bool) -> None:
        verdicts.append({"target": TARGETS_TEXT[key], "key": key, "where": where, "measured": measured, "met": ok})

    for r in results:
        if r["app"] != "ideaflow":
            continue
        where = f"{r['size']}, {r['db']}"
        if r["scenario"] == "vote":
            verdict("vote_p99", where, f"{r['p99_ms']} ms", r["p99_ms"] < 60 and r["errors"] == 0)
            if r["db"] == "postgres" and r.get("vs_minimal") is not None:
                verdict("vote_ratio", where, f"{r['vs_minimal']:.0%}", r["vs_minimal"] >= 0.70)
            if r["db"] == "sqlite":
                verdict("sqlite_votes", where, f"{r['rps']:,.0f} votes/s", r["rps"] >= 1000 and r["errors"] == 0)
                verdict("sqlite_locked", where, str(r.get("db_locked", 0)), r.get("db_locked", 0) == 0)
        if r["scenario"] == "list_json" and r["db"] == "postgres" and r.get("vs_minimal") is not None:
            verdict("list_ratio", where, f"{r['vs_minimal']:.0%}", r["vs_minimal"] >= 0.70)
        if r["scenario"] == "list_json_304" and r["db"] == "postgres" and r.get("vs_minimal") is not None:
            verdict("list_304", where, f"{r['vs_minimal']:.0%}", r["vs_minimal"] > 1.0)
        if r["scenario"] == "export" and r["detail"].get("rows", 0) >= EXPORT_TARGET_ROWS:
            d = r["detail"]
            verdict("export_time", where, f"{d['seconds_max']} s for {d['rows']:,} ideas", d["seconds_max"] <= 5.0)
            verdict(
                "export_memory",
                where,
                f"+{d['rss_growth_mib']} MiB (peak {d['rss_peak_mib']} MiB)",
                d["rss_growth_mib"] < EXPORT_MEMORY_MIB,
            )
    present = [s for s in sizes_order if any(r["size"] == s for r in results)]
    if len(present) >= 2:
        smallest, largest = present[0], present[-1]
        for db in ("postgres", "sqlite"):
            for scenario in ("list_json", "list_html"):
                small = _find(results, smallest, db, "ideaflow", scenario)
                large = _find(results, largest, db, "ideaflow", scenario)
                if small and large and small["p99_ms"]:
                    factor = large["p99_ms"] / small["p99_ms"]
                    verdict(
                        "list_scaling",
                        f"{scenario}, {db}: {largest} vs {smallest}",
                        f"{large['p99_ms']} ms vs {small['p99_ms']} ms (× {factor:.2f})",
                        factor <= 1.5,
                    )
    return verdicts


def machine_facts(pg_version: str | None) -> dict:
    facts = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg_version,
        "pgbench": _pgbench_version(),
        "ideaflow_commit": _commit(),
    }
    try:
        import uvicorn

        facts["uvicorn"] = uvicorn.__version__
    except ImportError:  # pragma: no cover
        pass
    return facts


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _pgbench_version() -> str | None:
    pgbench = shutil.which("pgbench")
    if not pgbench:
        return None
    return subprocess.run([pgbench, "--version"], capture_output=True, text=True, check=False).stdout.strip()


def _commit() -> str | None:
    """The checked-out commit, read from .git without running git."""
    git = Path(__file__).resolve().parents[1] / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head[:12]
        ref = head[5:]
        if (git / ref).exists():
            return (git / ref).read_text().strip()[:12]
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0][:12]
    except OSError:
        pass
    return None


def _num(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _cpu_ms(r: dict) -> float | None:
    """Server CPU per request: unlike throughput, it holds when other work shares the machine's cores."""
    return r["app_cpu"] * 1000 / r["rps"] if r.get("app_cpu") and r.get("rps") else None


def markdown(data: dict) -> str:
    opts = data["options"]
    lines = [
        f"Run {data['started_at']} · {opts['duration']:g} s per scenario after {opts['warmup']:g} s warm-up · "
        f"{opts['connections']} connections · {opts['workers']} Uvicorn worker(s) on PostgreSQL, 1 on SQLite"
        + (" · **smoke run: not a measurement**" if opts.get("smoke") else "")
        + "".join(f" · {k}={v}" for k, v in (opts.get("settings") or {}).items()),
        "",
        "| size | database | app | scenario | req/s | p50 ms | p99 ms | errors | app CPU | app CPU ms/req | db CPU "
        "| client CPU | vs minimal | vs pgbench |",
        "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for run in data["runs"]:
        for r in run["results"]:
            errors = str(r["errors"]) + (f" ({r['db_locked']} locked)" if r.get("db_locked") else "")
            ratios = [f"{r[k]:.0%}" if r.get(k) is not None else "–" for k in ("vs_minimal", "vs_pgbench")]
            lines.append(
                f"| {r['size']} | {r['db']} | {r['app']} | {r['scenario']} | {_num(r['rps'], 0)} "
                f"| {_num(r['p50_ms'], 2)} | {_num(r['p99_ms'], 2)} | {errors} | {_num(r['app_cpu'], 2)} "
                f"| {_num(_cpu_ms(r), 2)} "
                f"| {_num(r['db_cpu'], 2)} | {_num(r['client_cpu'], 2)} | {ratios[0]} | {ratios[1]} |"
            )
    lines += [
        "",
        "CPU columns are cores busy on average over the measured window (1.00 = one core): the ideaflow or "
        "minimal-app processes, the PostgreSQL backends serving the bench database, and the load generator "
        "(or pgbench). App CPU ms/req is that CPU per answered request: the cost of a request, which holds on a "
        "busy machine where throughput does not. A vote is one request (PUT or DELETE). On SQLite, “vs” compares "
        "with PostgreSQL's limits.",
        "",
        "| target | where | measured | met |",
        "|---|---|---|:-:|",
    ]
    exports = [r for run in data["runs"] for r in run["results"] if r["scenario"] == "export"]
    if exports:
        lines[-3:-3] = [
            "",
            "The export row: req/s is downloads per second, p50/p99 the download's duration; in detail:",
            "",
            "| size | database | ideas exported | MB | slowest s | first byte s | worker memory growth MiB "
            "| peak RSS MiB |",
            "|---|---|--:|--:|--:|--:|--:|--:|",
            *[
                f"| {r['size']} | {r['db']} | {r['detail'].get('rows', 0):,} | {r['detail'].get('bytes', 0) / 1e6:.1f} "
                f"| {r['detail'].get('seconds_max')} | {r['detail'].get('first_byte_s')} "
                f"| {r['detail'].get('rss_growth_mib')} | {r['detail'].get('rss_peak_mib')} |"
                for r in exports
            ],
        ]
    for t in data["targets"]:
        lines.append(f"| {t['target']} | {t['where']} | {t['measured']} | {'yes' if t['met'] else '**no**'} |")
    lines += ["", "| size | database | ideas | votes | comments | users | seeding |", "|---|---|--:|--:|--:|--:|--:|"]
    for run in data["runs"]:
        rows, seconds = run.get("seed", {}).get("rows", {}), run.get("seed", {}).get("seconds")
        lines.append(
            f"| {run['size']} | {run['db']} | {rows.get('ideas', 0):,} | {rows.get('votes', 0):,} "
            f"| {rows.get('comments', 0):,} | {rows.get('users', 0):,} | {_num(seconds)} s |"
        )
    profiled = [r for run in data["runs"] for r in run["results"] if r.get("profile")]
    if profiled:
        lines += ["", "Where ideaflow's time goes (py-spy, sampling the workers during the measured window):", ""]
        for r in profiled:
            summary = profile.Profile(
                samples=r["profile"]["samples"],
                layers=[tuple(x) for x in r["profile"]["layers"]],
                hottest=[tuple(x) for x in r["profile"]["hottest"]],
                leaves=[tuple(x) for x in r["profile"].get("leaves", [])],
            )
            lines.append(profile.markdown(f"{r['size']} / {r['db']} / {r['scenario']}", summary))
    if data["not_measured"]:
        lines += ["", "Not measured: " + "; ".join(f"**{k}** — {v}" for k, v in data["not_measured"].items())]
    lines.append("")
    facts = data["machine"]
    lines.append("Machine: " + " · ".join(f"{k}: {v}" for k, v in facts.items() if v is not None))
    return "\n".join(lines) + "\n"


def record(md: str) -> None:
    """Replace the results section of bench/README.md with this run's report."""
    text = README.read_text()
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise RuntimeError(f"{README} has no {START} … {END} section to replace")
    README.write_text(pattern.sub(lambda _: f"{START}\n{md}{END}", text))
