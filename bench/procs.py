"""Processes the harness starts (ideaflow, the minimal app) and the CPU they use, read from /proc."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user + system CPU seconds) of a process, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK_TCK


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def tree_cpu(root: int) -> dict[int, float]:
    """CPU seconds of a process and all its descendants (uvicorn's supervisor and its workers)."""
    stats = {pid: s for pid in _all_pids() if (s := _stat(pid)) is not None}
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    result, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            result[pid] = stats[pid][1]
            todo.extend(children.get(pid, []))
    return result


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss(root: int) -> dict[int, int]:
    """Resident memory (KiB) of a process and each of its descendants."""
    return {pid: _rss_kib(pid) for pid in tree_cpu(root)}


def postgres_backends_cpu(database: str) -> dict[int, float]:
    """CPU seconds of the PostgreSQL backends serving one database (their process title names it)."""
    result = {}
    for pid in _all_pids():
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            stat = _stat(pid)
            if stat is not None:
                result[pid] = stat[1]
    return result


class CpuMeter:
    """Polls CPU counters during a measured window. Processes that start or exit inside the window
    (pgbench's backends) still count: each pid contributes its last reading minus its first (or zero)."""

    def __init__(self, **sources) -> None:
        self.sources = sources
        self.first: dict[str, dict[int, float]] = {}
        self.last: dict[str, dict[int, float]] = {}
        self.started = self.stopped = 0.0
        self._task: asyncio.Task | None = None

    def _read(self, initial: bool = False) -> None:
        for name, source in self.sources.items():
            reading = source()
            last = self.last.setdefault(name, {})
            first = self.first.setdefault(name, {})
            for pid, seconds in reading.items():
                if pid not in first:
                    first[pid] = seconds if initial else 0.0
                last[pid] = seconds

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(0.25)
            self._read()

    def start(self) -> None:
        self.started = time.perf_counter()
        self._read(initial=True)
        self._task = asyncio.get_running_loop().create_task(self._poll())

    async def stop(self) -> dict[str, float]:
        self._read()
        self.stopped = time.perf_counter()
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        wall = max(1e-9, self.stopped - self.started)
        return {
            name: round(sum(self.last[name][pid] - self.first[name][pid] for pid in self.last[name]) / wall, 2)
            for name in self.sources
        }


class Server:
    """A server process in its own process group, logging to a file, ready when /healthz (or a path) answers."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], cwd: Path, log: Path, port: int) -> None:
        self.name, self.argv, self.env, self.cwd, self.log, self.port = name, argv, env, cwd, log, port
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, ready_path: str, within: float = 60.0) -> None:
        with self.log.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                *self.argv, env=self.env, cwd=self.cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.proc.returncode is not None:
                    raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(ready_path)).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        await self.stop()
        raise RuntimeError(f"{self.name} did not become ready in {within:.0f} s:\n{self.tail()}")

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def log_since(self, offset: int) -> str:
        with self.log.open("rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_since(0).splitlines()[-lines:]) if self.log.exists() else ""

    async def stop(self) -> None:
        """SIGTERM to the server's own process group (its supervisor and workers), SIGKILL after 10 s."""
        if self.proc is None or self.proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 10)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            await self.proc.wait()
