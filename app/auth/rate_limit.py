"""Per-caller rate limits (OWASP API4): token buckets in memory."""

import math
import threading
import time
from dataclasses import dataclass

from app.errors import TooManyRequests


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets in memory, one per caller: `per_minute` sustained, `burst` at once.

    Per process: with several workers each enforces its own share.
    """

    MAX_BUCKETS = 10_000

    def __init__(self, per_minute: int | None, burst: int) -> None:
        self.rate = per_minute / 60.0 if per_minute else None
        self.burst = float(burst)
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, caller: str) -> None:
        """Spend one request of `caller`'s allowance, or raise TooManyRequests (429)."""
        wait = self.wait_for(caller)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise TooManyRequests(
                f"rate limit exceeded; retry in {seconds} s",
                details={"retry_after": seconds},
                headers={"Retry-After": str(seconds)},
            )

    def wait_for(self, caller: str) -> float:
        """Spend a token and return 0, or return the seconds until one is available."""
        if self.rate is None:
            return 0.0
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(caller)
            if bucket is None:
                self._prune(now)
                bucket = self._buckets[caller] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self.rate

    def _prune(self, now: float) -> None:
        # Buckets that have refilled completely carry no information; drop them.
        if len(self._buckets) < self.MAX_BUCKETS or self.rate is None:
            return
        full_after = self.burst / self.rate
        for caller in [c for c, b in self._buckets.items() if now - b.updated >= full_after]:
            del self._buckets[caller]
