"""The benchmark harness cannot rot: its smoke run seeds, serves ideaflow as production does, loads every
scenario (the backlog export and the revalidated list included; on PostgreSQL, the minimal app and pgbench too)
without a single error, and writes its report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("IDEAFLOW_TEST_DATABASE_URL", "")
IDEAFLOW_SCENARIOS = {"floor", "vote", "list_json", "list_json_304", "list_html", "idea_html", "search", "export"}
LIMIT_SCENARIOS = {"floor", "vote", "list_json"}
PGBENCH_SCENARIOS = {"vote", "list_json"}


def test_bench_smoke_measures_every_scenario_without_errors(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "bench", "--smoke", "--out", str(tmp_path)]
    argv += ["--db", "both", "--pg-url", PG_URL] if PG_URL else ["--db", "sqlite"]
    # The harness configures its own servers; the test suite's IDEAFLOW_* settings must not leak into them.
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDEAFLOW_")}
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{done.stdout[-5000:]}\n{done.stderr[-5000:]}"

    [json_report] = tmp_path.glob("*.json")
    data = json.loads(json_report.read_text())
    results = [r for run in data["runs"] for r in run["results"]]
    measured = {(r["db"], r["app"], r["scenario"]) for r in results}
    expected = {("sqlite", "ideaflow", s) for s in IDEAFLOW_SCENARIOS}
    if PG_URL:
        expected |= {("postgres", "ideaflow", s) for s in IDEAFLOW_SCENARIOS}
        expected |= {("postgres", "minimal", s) for s in LIMIT_SCENARIOS}
        expected |= {("postgres", "pgbench", s) for s in PGBENCH_SCENARIOS}
    assert measured == expected
    for r in results:
        assert r["requests"] > 0 and r["rps"] > 0, r
        assert r["errors"] == 0, r
        assert r["p50_ms"] <= r["p99_ms"], r
    assert all(r["db_locked"] == 0 for r in results if r["db"] == "sqlite")
    if PG_URL:
        assert all(run["checks"]["same_top_20"] for run in data["runs"] if run["db"] == "postgres")
        vote = next(r for r in results if (r["db"], r["app"], r["scenario"]) == ("postgres", "ideaflow", "vote"))
        assert vote["vs_minimal"] > 0 and vote["vs_pgbench"] > 0

    markdown = json_report.with_suffix(".md").read_text()
    assert "| tiny | sqlite | ideaflow | vote |" in markdown
    assert data["not_measured"] == {}
    # The export downloads every listed idea as staff and reports its time and the server's memory.
    for export in (r for r in results if r["scenario"] == "export"):
        assert export["detail"]["rows"] > 0 and export["detail"]["bytes"] > export["detail"]["rows"], export
        assert export["detail"]["rss_peak_mib"] > 0, export
    # The revalidated list is answered 304 (a few dozen bytes), not the full list again.
    for revalidated in (r for r in results if r["scenario"] == "list_json_304"):
        assert revalidated["detail"]["mean_body_bytes"] == 0, revalidated
