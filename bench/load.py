"""The load generator: a separate process holding N keep-alive HTTP/1.1 connections, each sending its next
request as soon as the previous answer is read (closed loop), for a warm-up and then a measured window.

A small asyncio client of our own rather than httpx: at tens of thousands of requests a second the client's
own overhead would otherwise be what we measure; it imports nothing from ideaflow, so it starts fast. Run by
the harness as `python -m bench.load SPEC.json OUT.json`; it prints {"event": "measure_start"} and
{"event": "measure_end"} lines so the harness can sample server CPU over exactly the measured window."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Stats:
    latencies_us: list[int] = field(default_factory=list)
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)
    bytes: int = 0

    def error(self, label: str, detail: str = "") -> None:
        self.errors += 1
        self.statuses[label] = self.statuses.get(label, 0) + 1
        if len(self.samples) < 5:
            self.samples.append(f"{label}: {detail[:300]}")


class Requests:
    """Builds the raw bytes of a connection's next unit of work (one request, or a vote's PUT then DELETE)."""

    def __init__(self, spec: dict, rng: random.Random) -> None:
        self.spec = spec
        self.rng = rng
        self.host = f"{spec['host']}:{spec['port']}"

    def _request(self, method: str, path: str, headers: str = "") -> bytes:
        body = "Content-Length: 0\r\n" if method in ("PUT", "DELETE", "POST") else ""
        return (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nUser-Agent: ideaflow-bench\r\n"
            f"Accept: */*\r\n{headers}{body}\r\n"
        ).encode()

    def next_unit(self) -> list[bytes]:
        spec, rng = self.spec, self.rng
        if spec["kind"] == "vote":
            # An idea that accepts votes (number % 10 != 0, see bench/seed.py) and a user with no seeded vote,
            # so each PUT really inserts and each DELETE really removes, and the data ends as it began.
            number = rng.randint(1, spec["ideas"] // 10) * 10 - rng.randint(1, 9)
            user = rng.randint(spec["first_voter"], spec["last_voter"])
            if spec["target"] == "ideaflow":
                path = f"/api/v1/{spec['workspace']}/ideas/{number}/vote"
                auth = f"Authorization: Bearer {spec['token_format'].format(user=user)}\r\n"
                return [self._request("PUT", path, auth), self._request("DELETE", path, auth)]
            path = f"/{spec['workspace_id']}/ideas/{number}/vote?user={user}"
            return [self._request("PUT", path), self._request("DELETE", path)]
        # Conditional GETs (If-None-Match) send the same extra headers on every request.
        extra = "".join(f"{name}: {value}\r\n" for name, value in spec.get("headers", {}).items())
        return [self._request("GET", rng.choice(spec["paths"]), extra)]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length, chunked, close = None, False, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"connection" and b"close" in value.lower():
            close = True
    if status in (204, 304):  # never a body, whatever the headers say (RFC 9112, 6.3)
        body = b""
    elif chunked:
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    elif length is not None:
        body = await reader.readexactly(length)
    else:
        body = await reader.read()
        close = True
    return status, body, close


class Clock:
    def __init__(self, warmup: float, duration: float) -> None:
        now = time.perf_counter()
        self.start = now + warmup
        self.end = self.start + duration

    def measuring(self, t0: float, t1: float) -> bool:
        return t0 >= self.start and t1 <= self.end


# Connections opened in one burst are all accepted by whichever server worker wakes first (asyncio accepts a
# whole backlog per wake-up), leaving the other workers idle for the run; opened a few milliseconds apart, they
# spread over the workers as a load balancer's would.
CONNECT_STAGGER_S = 0.005


async def _connection(spec: dict, seed: int, clock: Clock, stats: Stats, *, delay: float = 0.0) -> None:
    requests = Requests(spec, random.Random(seed))
    reader = writer = None
    await asyncio.sleep(delay)
    while time.perf_counter() < clock.end:
        if writer is None:
            try:
                reader, writer = await asyncio.open_connection(spec["host"], spec["port"])
            except OSError as exc:
                stats.error("connect", str(exc))
                await asyncio.sleep(0.05)
                continue
        # Finish a unit once started (a vote's DELETE follows its PUT even past the end) so that the data
        # ends as it began; only answers received inside the window are counted.
        for raw in requests.next_unit():
            t0 = time.perf_counter()
            try:
                writer.write(raw)
                status, body, close = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
                if clock.measuring(t0, time.perf_counter()):
                    stats.error("io", repr(exc))
                writer.close()
                writer = None
                break
            t1 = time.perf_counter()
            if clock.measuring(t0, t1):
                if 200 <= status < 300 or (status == 304 and spec.get("accept_304")):
                    stats.latencies_us.append(int((t1 - t0) * 1_000_000))
                    stats.bytes += len(body)
                else:
                    stats.error(str(status), body.decode("utf-8", "replace"))
            if close:
                writer.close()
                writer = None
                break
    if writer is not None:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


def percentile(sorted_values: list[int], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index] / 1000.0


def summarise(stats: Stats, duration: float) -> dict:
    values = sorted(stats.latencies_us)
    ok = len(values)
    return {
        "requests": ok,
        "errors": stats.errors,
        "error_kinds": stats.statuses,
        "error_samples": stats.samples,
        "duration_s": duration,
        "rps": ok / duration if duration else 0.0,
        "p50_ms": percentile(values, 0.50),
        "p90_ms": percentile(values, 0.90),
        "p99_ms": percentile(values, 0.99),
        "max_ms": values[-1] / 1000.0 if values else 0.0,
        "mean_ms": (sum(values) / ok / 1000.0) if ok else 0.0,
        "mean_body_bytes": (stats.bytes / ok) if ok else 0,
    }


def _emit(event: str) -> None:
    sys.stdout.write(json.dumps({"event": event, "t": time.time()}) + "\n")
    sys.stdout.flush()


async def run(spec: dict) -> dict:
    clock = Clock(spec["warmup"], spec["duration"])
    stats = Stats()
    tasks = [
        asyncio.create_task(
            _connection(spec, spec.get("seed", 1) * 1000 + i, clock, stats, delay=i * CONNECT_STAGGER_S)
        )
        for i in range(spec["connections"])
    ]

    async def signals() -> None:
        await asyncio.sleep(max(0.0, clock.start - time.perf_counter()))
        _emit("measure_start")
        await asyncio.sleep(max(0.0, clock.end - time.perf_counter()))
        _emit("measure_end")

    await asyncio.gather(signals(), *tasks)
    return summarise(stats, spec["duration"])


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text())
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        result = asyncio.run(run(spec))
    else:
        result = uvloop.run(run(spec))
    Path(argv[1]).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
