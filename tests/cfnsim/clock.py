"""Virtual time: an event queue in which every delay (a job's run, a Lambda retry, a schedule, a
timeout) is an entry, so hours of AWS time run in milliseconds and nothing sleeps."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from typing import Callable, List, Optional, Tuple

EPOCH = 1_780_000_033.0  # any fixed start (runs are reproducible), deliberately not on a whole minute


class Clock:
    def __init__(self) -> None:
        self.now = EPOCH
        self._queue: List[Tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()

    def at(self, when: float, action: Callable[[], None]) -> None:
        heapq.heappush(self._queue, (max(when, self.now), next(self._seq), action))

    def after(self, seconds: float, action: Callable[[], None]) -> None:
        self.at(self.now + seconds, action)

    def datetime(self, when: Optional[float] = None) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.now if when is None else when, tz=dt.timezone.utc)

    def run_until(self, done: Callable[[], bool], deadline: float) -> bool:
        """Run queued actions in time order until ``done()`` or the deadline (the clock then stands
        at the deadline). True if ``done()``."""
        while not done():
            if not self._queue or self._queue[0][0] > deadline:
                self.now = max(self.now, deadline)
                return done()
            when, _, action = heapq.heappop(self._queue)
            self.now = max(self.now, when)
            action()
        return True

    def advance(self, seconds: float) -> None:
        self.run_until(lambda: False, self.now + seconds)
