"""Fixed-window rate limits, per client and action. In memory for a single process; in Redis when
IDEAFLOW_REDIS_URL is set, so that every app server behind a load balancer shares the same counts."""

from __future__ import annotations

import time
from collections import OrderedDict

from fastapi import Request

from ideaflow.errors import RateLimited


class MemoryStore:
    def __init__(self, max_keys: int = 100_000) -> None:
        self._counts: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._max_keys = max_keys

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        now = time.monotonic()
        count, started = self._counts.get(key, (0, now))
        if now - started >= window:
            count, started = 0, now
        count += 1
        self._counts[key] = (count, started)
        self._counts.move_to_end(key)
        while len(self._counts) > self._max_keys:
            self._counts.popitem(last=False)
        return count, max(1, int(window - (now - started)))


class RedisStore:
    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        bucket = int(time.time() // window)
        redis_key = f"ideaflow:rl:{key}:{bucket}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(redis_key)
            pipe.expire(redis_key, window)
            count, _ = await pipe.execute()
        return int(count), window - int(time.time() % window)


class RateLimiter:
    def __init__(self, redis_url: str = "") -> None:
        self.store = RedisStore(redis_url) if redis_url else MemoryStore()

    async def check(self, key: str, *, limit: int, window: int = 60) -> None:
        if limit <= 0:
            return
        count, retry_after = await self.store.hit(key, window)
        if count > limit:
            raise RateLimited(f"Too many requests; try again in {retry_after} s.", retry_after=retry_after)


_OWN_LIMIT = "__ideaflow_own_rate_limit__"


def own_rate_limit(endpoint):
    """Mark an endpoint that counts its own requests (e.g. signed webhooks, per connection): the shared
    per-client write budget does not apply to it, so a busy sender's deliveries are not refused."""
    setattr(endpoint, _OWN_LIMIT, True)
    return endpoint


def has_own_rate_limit(request: Request) -> bool:
    return bool(getattr(request.scope.get("endpoint"), _OWN_LIMIT, False))


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def rate_limit(request: Request, action: str, *, limit: int, subject: str | None = None) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    await limiter.check(f"{action}:{subject or client_ip(request)}", limit=limit)
