"""Rate limits: counted per client and action, in memory or shared through Redis."""

from __future__ import annotations

import uuid

import pytest

from ideaflow.errors import RateLimited
from ideaflow.kit.ratelimit import RateLimiter


async def test_the_request_after_the_limit_is_refused_with_a_retry_time():
    limiter = RateLimiter()
    for _ in range(3):
        await limiter.check("signin:198.51.100.7", limit=3)
    with pytest.raises(RateLimited) as refused:
        await limiter.check("signin:198.51.100.7", limit=3)
    assert 1 <= refused.value.retry_after <= 60
    # Another client is unaffected.
    await limiter.check("signin:198.51.100.8", limit=3)


async def test_two_app_servers_sharing_redis_share_one_budget():
    key = f"signin:{uuid.uuid4()}"
    first, second = RateLimiter("redis://127.0.0.1:6379/0"), RateLimiter("redis://127.0.0.1:6379/0")
    await first.check(key, limit=2)
    await second.check(key, limit=2)
    with pytest.raises(RateLimited):
        await first.check(key, limit=2)
