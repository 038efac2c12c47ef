"""Slowing down password guessing: after MAX_FAILURES wrong sign-ins for one address within
WINDOW_S, that address is refused (without checking the password) until the oldest failure
leaves the window. Kept in the memory of each API process: enough against guessing through
one node; several nodes each keep their own count."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

MAX_FAILURES = 5
WINDOW_S = 15 * 60.0


class SignInThrottle:
    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def wait_s(self, email: str) -> float:
        """Seconds before this address may try again (0: it may now)."""
        key, now = email.strip().lower(), time.monotonic()
        with self._lock:
            failures = self._failures.get(key)
            if not failures:
                return 0.0
            while failures and now - failures[0] >= self.window_s:
                failures.popleft()
            if not failures:
                del self._failures[key]
            return 0.0 if len(failures) < self.max_failures else self.window_s - (now - failures[0])

    def failed(self, email: str) -> None:
        with self._lock:
            self._failures[email.strip().lower()].append(time.monotonic())

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._failures.pop(email.strip().lower(), None)
