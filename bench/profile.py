"""Where the served app spends its time: py-spy samples the Uvicorn workers during a scenario's measured window
(collapsed stacks, `--format raw`), and this module summarises them by layer (the package of the innermost
frame) and by the hottest frames counted inclusively."""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

_PROCESS = re.compile(r'process \d+:"[^"]*";?')
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^():]*)(?::(?P<line>\d+))?\)$")

# Top-level package of the innermost frame → the layer it is reported under.
LAYERS: dict[str, str] = {
    "ideaflow": "ideaflow",
    "sqlalchemy": "SQLAlchemy",
    "asyncpg": "asyncpg",
    "aiosqlite": "aiosqlite + sqlite3",
    "sqlite3": "aiosqlite + sqlite3",
    "fastapi": "FastAPI",
    "starlette": "Starlette",
    "pydantic": "Pydantic",
    "pydantic_core": "Pydantic",
    "jinja2": "Jinja2",
    "jinja2_fragments": "Jinja2",
    "markupsafe": "Jinja2",
    "uvicorn": "Uvicorn",
    "httptools": "Uvicorn",
    "asyncio": "event loop",
    "uvloop": "event loop",
    "gzip": "GZip",
    "zlib": "GZip",
    "argon2": "argon2",
    "orjson": "orjson",
    "anyio": "AnyIO",
    "json": "json",
    "email_validator": "Pydantic",
}
# Frames every sample passes through (process bootstrap, the server loop): they say nothing.
_SCAFFOLD = (
    "multiprocessing/",
    "uvicorn/_subprocess",
    "uvicorn/supervisors",
    "uvicorn/server",
    "uvicorn/_compat",
    "asyncio/runners",
    "asyncio/base_events",
    "asyncio/events",
    "<string>",
    "ideaflow/cli",
    "click/",
)


def py_spy() -> str | None:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return found if Path(found).exists() else None


async def record(pid: int, duration: float, out: Path) -> asyncio.subprocess.Process | None:
    """Start sampling `pid` and its children (the Uvicorn workers) for `duration` seconds, without pausing them."""
    binary = py_spy()
    if binary is None:
        return None
    return await asyncio.create_subprocess_exec(
        binary, "record", "--pid", str(pid), "--subprocesses", "--nonblocking", "--rate", "200",
        "--duration", str(max(1, round(duration))), "--format", "raw", "--output", str(out),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


@dataclass
class Profile:
    samples: int
    layers: list[tuple[str, float]]  # (layer, share of samples whose innermost frame is in it)
    hottest: list[tuple[str, float]]  # (ideaflow frame, share of samples that pass through it)
    leaves: list[tuple[str, float]] = field(default_factory=list)  # (innermost frame, share of samples)


def _module_path(frame_file: str) -> str:
    """`/x/site-packages/sqlalchemy/orm/session.py` or `sqlalchemy/orm/session.py` → `sqlalchemy/orm/session.py`."""
    for marker in ("site-packages/", "/src/", "/lib/python3"):
        if marker in frame_file:
            frame_file = frame_file.split(marker)[-1]
    return frame_file.lstrip("/").split("/", 1)[-1] if frame_file.startswith(".") else frame_file.lstrip("/")


def layer_of(frame_file: str) -> str:
    top = _module_path(frame_file).split("/")[0].removesuffix(".py")
    return LAYERS.get(top, "other (" + top + ")" if top else "other")


def _frames(stack: str) -> list[tuple[str, str]]:
    frames = []
    for part in stack.split(";"):
        match = _FRAME.match(part.strip())
        if match:
            frames.append((match["func"], match["file"]))
        else:
            frames.append((part.strip(), ""))
    return frames


def _label(func: str, file: str) -> str:
    return f"{func} ({_module_path(file)})"


def summarise(folded: str, top: int = 15) -> Profile:
    """Summarise collapsed stacks: `frame;frame;frame count` per line, outermost frame first. Samples where
    the worker idles in the event loop's selector are dropped: they are waiting, not working."""
    layers: Counter[str] = Counter()
    through: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in folded.splitlines():
        stack, _, count_text = _PROCESS.sub("", line).rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        frames = _frames(stack)
        if not frames or any(func in ("select", "poll", "run_once") and "selectors" in file for func, file in frames):
            continue
        count = int(count_text)
        total += count
        func, file = frames[-1]
        layers[layer_of(file or func)] += count
        leaves[_label(func, file)] += count
        for label in {_label(f, fl) for f, fl in frames if "ideaflow/" in fl and not any(x in fl for x in _SCAFFOLD)}:
            through[label] += count
    if not total:
        return Profile(0, [], [])
    return Profile(
        samples=total,
        layers=[(name, n / total) for name, n in layers.most_common()],
        hottest=[(name, n / total) for name, n in through.most_common(top)],
        leaves=[(name, n / total) for name, n in leaves.most_common(top)],
    )


def markdown(title: str, profile: Profile) -> str:
    lines = [f"#### {title} — {profile.samples:,} busy samples", "", "| layer (innermost frame) | share |", "|---|---|"]
    lines += [f"| {name} | {share:.0%} |" for name, share in profile.layers if share >= 0.01]
    lines += ["", "| ideaflow frame (inclusive) | share |", "|---|---|"]
    lines += [f"| `{name}` | {share:.0%} |" for name, share in profile.hottest]
    lines += ["", "| innermost frame (self) | share |", "|---|---|"]
    lines += [f"| `{name}` | {share:.0%} |" for name, share in profile.leaves]
    return "\n".join(lines) + "\n"
