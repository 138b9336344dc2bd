"""A circuit breaker for the LLM provider, so an outage leaves articles queued, not failed.

After `threshold` consecutive transient failures the breaker opens: extractions wait
`cooldown` seconds instead of calling. Then one call is let through (half-open); success closes
the breaker, failure opens it again. State is per process: each worker protects its own calls.

The probe is a lease, not a lock: its holder may never call (the job turned out moot, the
relevance gate spared the call, the process died), so when no verdict comes within another
cool-down the next caller probes instead. Without that the breaker stayed half-open for good and
every article waited forever.
"""

import threading
import time
from typing import Literal

BreakerState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    """Consecutive-failure breaker with a cool-down and a single half-open probe."""

    def __init__(self, threshold: int, cooldown: float) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self._failures = 0
        self._opened_at: float | None = None
        self._probe_at: float | None = None
        self._lock = threading.Lock()

    @property
    def state(self) -> BreakerState:
        """closed, open (waiting out the cool-down) or half_open (a probe may pass)."""
        with self._lock:
            return self._state()

    def _state(self) -> BreakerState:
        if self._opened_at is None:
            return "closed"
        if time.monotonic() - self._opened_at < self.cooldown:
            return "open"
        return "half_open"

    def is_tripped(self) -> bool:
        """Whether the provider counts as down: the breaker opened and no call has gone
        through since (a cool-down that ended on a loaded machine does not make it up)."""
        return self.state != "closed"

    def wait_time(self) -> float:
        """Seconds a caller must wait before calling; 0 when it may call now."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return 0.0
            now = time.monotonic()
            if state == "half_open" and not self._probe_pending(now):
                self._probe_at = now
                return 0.0
            assert self._opened_at is not None
            remaining = self.cooldown - (now - self._opened_at)
            return max(remaining, min(self.cooldown, 1.0))

    def _probe_pending(self, now: float) -> bool:
        """Whether a probe was let through and its verdict may still come."""
        return self._probe_at is not None and now - self._probe_at < self.cooldown

    def succeeded(self) -> None:
        """A call went through: close the breaker."""
        with self._lock:
            self._failures, self._opened_at, self._probe_at = 0, None, None

    def failed(self) -> None:
        """A call failed transiently: count it, and open the breaker at the threshold."""
        with self._lock:
            self._failures += 1
            if self._probe_at is not None or self._failures >= self.threshold:
                self._opened_at, self._probe_at = time.monotonic(), None
