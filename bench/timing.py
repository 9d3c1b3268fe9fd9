"""Timing shared by the benchmarks: the best of several runs, and the last answer."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_of(runs: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """The shortest of ``runs`` timings of ``fn()`` (seconds), and what it returned."""
    times, value = [], None
    for _ in range(runs):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return min(times), value
