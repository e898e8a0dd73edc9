"""Rate limits: how many messages a conversation, or a client address, may send per minute.

A token bucket per key, in the gateway's memory: a burst up to the per-minute rate is allowed,
then tokens come back at rate/60 per second. One gateway process holds its own buckets; several
replicas behind a load balancer each apply the limit to the conversations routed to them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from starlette.exceptions import HTTPException

TOO_MANY = ("Vous envoyez beaucoup de messages en peu de temps. Patientez quelques secondes, "
            "puis réessayez : votre conversation est conservée.")


class TooManyMessages(Exception):
    def __init__(self, retry_after: float):
        super().__init__(TOO_MANY)
        self.retry_after = max(1, round(retry_after + 0.5))


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(self, per_minute: int, clock=time.monotonic, max_keys: int = 100_000):
        self.capacity = float(per_minute)
        self.refill = per_minute / 60.0
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str) -> None:
        """Spend one token for `key`; raises TooManyMessages when there is none left."""
        if self.capacity <= 0:  # 0 disables the limit
            return
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._forget_full(now)
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.refill)
        bucket.at = now
        if bucket.tokens < 1:
            raise TooManyMessages((1 - bucket.tokens) / self.refill)
        bucket.tokens -= 1

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled completely: they behave like new ones."""
        full = [k for k, b in self._buckets.items()
                if b.tokens + (now - b.at) * self.refill >= self.capacity]
        for k in full:
            del self._buckets[k]
        if len(self._buckets) >= self.max_keys:  # still full: the oldest go
            for k in sorted(self._buckets, key=lambda k: self._buckets[k].at)[: self.max_keys // 10]:
                del self._buckets[k]


TOO_LARGE = "Requête trop volumineuse."


class BodyLimit:
    """ASGI middleware: a request body is refused (413) once more than `max_bytes` were read,
    whether it announced its length or came in chunks; nothing beyond the limit is kept."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        read = 0

        async def limited_receive():
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > self.max_bytes:
                    raise HTTPException(413, TOO_LARGE)
            return message

        await self.app(scope, limited_receive, send)
